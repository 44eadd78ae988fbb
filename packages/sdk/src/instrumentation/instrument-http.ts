import { AriadneError } from '@ariadne/protocol';
import type { HttpClientTracingOptions } from './client-span.js';
import { instrumentFetch } from './fetch-instrumentation.js';
import { instrumentHttpClient } from './http-client-instrumentation.js';
import { instrumentHttpServer } from './http-server-instrumentation.js';
import type { HttpServerTracingOptions } from './server-span.js';

export interface InstrumentHttpOptions extends HttpClientTracingOptions {
  /** Trace the global `fetch`. Default true. */
  readonly fetch?: boolean;
  /** Trace `http`/`https` `request` and `get`. Default true. */
  readonly http?: boolean;
  /**
   * Server spans for every `http`/`https` server (see `instrumentHttpServer`); `tracerProvider` and
   * `propagator` default to the ones above. Default off: a process that also receives its own exports
   * (an in-process collector, a test) would trace every export it receives, and export those spans too.
   */
  readonly server?: boolean | HttpServerTracingOptions;
}

let installed = false;

/**
 * Client spans for outgoing HTTP: `http`/`https` `request` and `get` and the
 * global `fetch`, each injecting the configured propagation headers; with
 * `server`, server spans for every `http`/`https` server too (otherwise they
 * come from `traceRequestListener` or a framework adapter). Returns the
 * uninstall function. Installing twice would trace every call twice,
 * so a second install before uninstalling fails.
 */
export function instrumentHttp(options: InstrumentHttpOptions = {}): () => void {
  if (installed)
    throw new AriadneError('Internal', 'instrumentHttp is already installed: call its uninstall function first');
  installed = true;
  const uninstalls: (() => void)[] = [];
  if (options.http !== false) uninstalls.push(instrumentHttpClient(options));
  if (options.fetch !== false) uninstalls.push(instrumentFetch(options));
  if (options.server !== undefined && options.server !== false) {
    const shared = { tracerProvider: options.tracerProvider, propagator: options.propagator };
    uninstalls.push(instrumentHttpServer(options.server === true ? shared : { ...shared, ...options.server }));
  }
  let done = false;
  return () => {
    if (done) return;
    done = true;
    for (const uninstall of uninstalls) uninstall();
    installed = false;
  };
}
