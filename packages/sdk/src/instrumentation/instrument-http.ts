import { AriadneError } from '@ariadne/protocol';
import type { HttpClientTracingOptions } from './client-span.js';
import { instrumentFetch } from './fetch-instrumentation.js';
import { instrumentHttpClient } from './http-client-instrumentation.js';

export interface InstrumentHttpOptions extends HttpClientTracingOptions {
  /** Trace the global `fetch`. Default true. */
  readonly fetch?: boolean;
  /** Trace `http`/`https` `request` and `get`. Default true. */
  readonly http?: boolean;
}

let installed = false;

/**
 * Client spans for outgoing HTTP: `http`/`https` `request` and `get` and the
 * global `fetch`, each injecting the configured propagation headers. Server
 * spans come from `traceRequestListener` or a framework adapter. Returns
 * the uninstall function. Installing twice would trace every call twice,
 * so a second install before uninstalling fails.
 */
export function instrumentHttp(options: InstrumentHttpOptions = {}): () => void {
  if (installed)
    throw new AriadneError('Internal', 'instrumentHttp is already installed: call its uninstall function first');
  installed = true;
  const uninstalls: (() => void)[] = [];
  if (options.http !== false) uninstalls.push(instrumentHttpClient(options));
  if (options.fetch !== false) uninstalls.push(instrumentFetch(options));
  let done = false;
  return () => {
    if (done) return;
    done = true;
    for (const uninstall of uninstalls) uninstall();
    installed = false;
  };
}
