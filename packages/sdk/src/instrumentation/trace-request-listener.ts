import type { IncomingMessage, ServerResponse } from 'node:http';
import { context } from '@opentelemetry/api';
import { type HttpServerTracingOptions, startServerSpan } from './server-span.js';

/**
 * Wraps a `node:http`/`node:https` request listener (an Express app, a Hono
 * `getRequestListener`, a plain function): one server span per request, and
 * the listener runs inside its context so nested spans and outgoing calls
 * become its children. `http.createServer(traceRequestListener(app))`.
 * A listener typed for other request types (HTTP/2 compatibility, say) keeps
 * its parameter types, so the wrapper fits wherever the listener did.
 */
export function traceRequestListener(
  listener: (req: IncomingMessage, res: ServerResponse) => unknown,
  options?: HttpServerTracingOptions,
): (req: IncomingMessage, res: ServerResponse) => void;
export function traceRequestListener<L extends (req: never, res: never) => unknown>(
  listener: L,
  options?: HttpServerTracingOptions,
): (req: Parameters<L>[0], res: Parameters<L>[1]) => void;
export function traceRequestListener(
  listener: (req: never, res: never) => unknown,
  options: HttpServerTracingOptions = {},
): (req: IncomingMessage, res: ServerResponse) => void {
  return function tracedListener(this: unknown, req: IncomingMessage, res: ServerResponse): void {
    const state = startServerSpan(req, res, options);
    // Reflect.apply, not listener.call/bind: an Express app is a function whose `bind` is the route method for BIND.
    if (state === undefined) Reflect.apply(listener, this, [req, res]);
    else context.with(state.context, () => Reflect.apply(listener, this, [req, res]));
  };
}
