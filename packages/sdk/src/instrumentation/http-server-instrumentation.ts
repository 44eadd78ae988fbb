import type * as Http from 'node:http';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { createRequire } from 'node:module';
import { context } from '@opentelemetry/api';
import { type HttpServerTracingOptions, startServerSpan } from './server-span.js';

type Emit = (this: unknown, event: string | symbol, ...args: unknown[]) => boolean;

interface Patch {
  readonly prototype: { emit: Emit };
  readonly traced: Emit;
  /** The prototype's own `emit` before the patch; undefined when it inherited EventEmitter's. */
  readonly own: Emit | undefined;
}

function patchPrototype(prototype: { emit: Emit }, options: HttpServerTracingOptions): Patch {
  const own = Object.hasOwn(prototype, 'emit') ? prototype.emit : undefined;
  const original = prototype.emit;
  const traced: Emit = function emit(this: unknown, event, ...args) {
    if (event !== 'request') return original.call(this, event, ...args);
    const [req, res] = args as [IncomingMessage, ServerResponse];
    const state = startServerSpan(req, res, options);
    if (state === undefined) return original.call(this, event, ...args);
    return context.with(state.context, () => original.call(this, event, ...args));
  };
  prototype.emit = traced;
  return { prototype, traced, own };
}

/**
 * Server spans for every `node:http` and `node:https` server, whoever
 * created it and however its request listeners were added: the servers'
 * `emit` is patched, as `@opentelemetry/instrumentation-http` does, so each
 * `'request'` event opens a server span (`startServerSpan`, the code behind
 * `traceRequestListener` and the framework adapters, which then reuse it)
 * and the listeners run in its context. Servers created before the call are
 * covered too. Returns the function that removes the patch.
 */
export function instrumentHttpServer(options: HttpServerTracingOptions = {}): () => void {
  const require = createRequire(import.meta.url);
  const http = require('node:http') as typeof Http;
  const https = require('node:https') as { Server: { prototype: unknown } };
  const patches = [http.Server.prototype, https.Server.prototype].map((prototype) =>
    patchPrototype(prototype as { emit: Emit }, options),
  );
  return () => {
    for (const { prototype, traced, own } of patches) {
      // Someone may have wrapped ours since; then theirs stays, calling ours.
      if (prototype.emit !== traced) continue;
      if (own === undefined) delete (prototype as { emit?: Emit }).emit;
      else prototype.emit = own;
    }
  };
}
