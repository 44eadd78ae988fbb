import type { IncomingMessage, ServerResponse } from 'node:http';
import { context } from '@opentelemetry/api';
import { type HttpServerTracingOptions, type ServerSpanState, startServerSpan } from './server-span.js';

/** The parts of Express's request this adapter reads (no runtime or type dependency on Express). */
interface ExpressRequest extends IncomingMessage {
  readonly baseUrl?: string;
  readonly route?: { readonly path?: unknown };
}

function routeOf(req: ExpressRequest): string | undefined {
  const path = req.route?.path;
  if (path === undefined) return undefined;
  const template = Array.isArray(path) ? path.map(String).join('|') : String(path);
  return `${req.baseUrl ?? ''}${template}` || '/';
}

/**
 * Reads the matched route when the handler writes the response head: Express
 * sets `req.route` when a route matches and restores `req.baseUrl` as
 * routers unwind, so only at that moment do both name the handling route
 * (`/api` + `/users/:id`). `end()` writes the head through `writeHead` too.
 */
function captureRouteOnWriteHead(state: ServerSpanState, req: ExpressRequest, res: ServerResponse): void {
  const writeHead = res.writeHead;
  res.writeHead = function (this: ServerResponse, ...args: unknown[]) {
    if (state.route === undefined) state.route = routeOf(req);
    return (writeHead as (...a: unknown[]) => ServerResponse).apply(this, args);
  } as ServerResponse['writeHead'];
  state.routeResolver = () => routeOf(req);
}

/**
 * Express middleware: `app.use(expressTracing())`, first. Names the server
 * span after the route template (`GET /users/:id`, `http.route`). Over
 * `traceRequestListener` it only adds the route to that span; alone it
 * opens the span itself and runs the rest of the chain in its context.
 */
export function expressTracing(
  options: HttpServerTracingOptions = {},
): (req: IncomingMessage, res: ServerResponse, next: (err?: unknown) => void) => void {
  return function ariadneExpressTracing(req, res, next) {
    const state = startServerSpan(req, res, options);
    if (state === undefined) {
      next();
      return;
    }
    captureRouteOnWriteHead(state, req as ExpressRequest, res);
    if (context.active() === state.context) next();
    else context.with(state.context, next);
  };
}
