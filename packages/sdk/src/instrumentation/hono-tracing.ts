import type { IncomingMessage, ServerResponse } from 'node:http';
import {
  type Attributes,
  context,
  propagation,
  ROOT_CONTEXT,
  type Span,
  SpanKind,
  SpanStatusCode,
  trace,
} from '@opentelemetry/api';
import {
  ATTR_ERROR_TYPE,
  ATTR_HTTP_REQUEST_METHOD,
  ATTR_HTTP_REQUEST_METHOD_ORIGINAL,
  ATTR_HTTP_RESPONSE_STATUS_CODE,
  ATTR_HTTP_ROUTE,
  ATTR_SERVER_ADDRESS,
  ATTR_SERVER_PORT,
  ATTR_URL_PATH,
  ATTR_URL_QUERY,
  ATTR_URL_SCHEME,
  ATTR_USER_AGENT_ORIGINAL,
  formatTraceparent,
  httpSpanName,
  normalizeMethod,
  TRACERESPONSE_HEADER,
} from './http-attributes.js';
import { type HttpServerTracingOptions, INSTRUMENTATION_NAME, startServerSpan } from './server-span.js';

/** The parts of Hono's Context this middleware uses (no runtime or type dependency on Hono). */
interface HonoContextLike {
  readonly req: { readonly raw: Request; readonly routePath: string; readonly routeIndex: number };
  /** `@hono/node-server` passes the Node request and response here. */
  readonly env: unknown;
  readonly res: Response;
}

export interface HonoTracingOptions extends HttpServerTracingOptions {
  /** For runtimes without `node:http` (`app.request()`, `app.fetch` elsewhere): requests to skip. */
  readonly ignoreFetchRequest?: (request: Request) => boolean;
}

function nodeBindings(env: unknown): { incoming: IncomingMessage; outgoing: ServerResponse } | undefined {
  if (typeof env !== 'object' || env === null) return undefined;
  const { incoming, outgoing } = env as { incoming?: IncomingMessage; outgoing?: ServerResponse };
  if (incoming === undefined || outgoing === undefined || typeof outgoing.setHeader !== 'function') return undefined;
  return { incoming, outgoing };
}

/** The matched handler's route: after the chain ran, `routeIndex` names the last handler reached, unless that is this middleware. */
function matchedRoute(c: HonoContextLike, ownIndex: number): string | undefined {
  return c.req.routeIndex === ownIndex ? undefined : c.req.routePath;
}

function fetchRequestAttributes(request: Request, method: string, original: string | undefined): Attributes {
  const url = new URL(request.url);
  const attributes: Attributes = {
    [ATTR_HTTP_REQUEST_METHOD]: method,
    [ATTR_URL_PATH]: url.pathname,
    [ATTR_URL_SCHEME]: url.protocol.replace(/:$/, ''),
    [ATTR_SERVER_ADDRESS]: url.hostname.replace(/^\[|\]$/g, ''),
  };
  if (original !== undefined) attributes[ATTR_HTTP_REQUEST_METHOD_ORIGINAL] = original;
  if (url.search.length > 1) attributes[ATTR_URL_QUERY] = url.search.slice(1);
  if (url.port) attributes[ATTR_SERVER_PORT] = Number(url.port);
  const userAgent = request.headers.get('user-agent');
  if (userAgent !== null) attributes[ATTR_USER_AGENT_ORIGINAL] = userAgent;
  return attributes;
}

/** Without Node's request objects: the span covers the handler chain, up to the Response it returns. */
async function traceFetchRequest(c: HonoContextLike, next: () => Promise<void>, options: HonoTracingOptions) {
  const request = c.req.raw;
  if (options.ignoreFetchRequest?.(request)) return next();
  const { method, original } = normalizeMethod(request.method);
  const parent = (options.propagator ?? propagation).extract(ROOT_CONTEXT, request.headers, {
    get: (carrier, key) => carrier.get(key) ?? undefined,
    keys: (carrier) => [...carrier.keys()],
  });
  const tracer = (options.tracerProvider ?? trace.getTracerProvider()).getTracer(INSTRUMENTATION_NAME);
  const span: Span = tracer.startSpan(
    httpSpanName(method),
    { kind: SpanKind.SERVER, attributes: fetchRequestAttributes(request, method, original) },
    parent,
  );
  const ownIndex = c.req.routeIndex;
  try {
    await context.with(trace.setSpan(parent, span), next);
  } finally {
    const route = matchedRoute(c, ownIndex);
    if (route) {
      span.setAttribute(ATTR_HTTP_ROUTE, route);
      span.updateName(httpSpanName(method, route));
    }
    const status = c.res.status;
    span.setAttribute(ATTR_HTTP_RESPONSE_STATUS_CODE, status);
    if (status >= 500) {
      span.setAttribute(ATTR_ERROR_TYPE, String(status));
      span.setStatus({ code: SpanStatusCode.ERROR });
    }
    if (options.traceResponse !== false) {
      try {
        c.res.headers.set(TRACERESPONSE_HEADER, formatTraceparent(span.spanContext()));
      } catch {
        // A Response built from fetch() has immutable headers; the trace is still recorded.
      }
    }
    span.end();
  }
}

/**
 * Hono middleware: `app.use(honoTracing())`, first. On `@hono/node-server`
 * it shares the Node request's server span (opening it when no
 * `traceRequestListener` did) and names it after the matched route
 * (`c.req.routePath`: `GET /users/:id`). Elsewhere it traces the fetch
 * `Request` itself.
 */
export function honoTracing(
  options: HonoTracingOptions = {},
): (c: HonoContextLike, next: () => Promise<void>) => Promise<void> {
  return async function ariadneHonoTracing(c, next) {
    const node = nodeBindings(c.env);
    if (node === undefined) return traceFetchRequest(c, next, options);
    const state = startServerSpan(node.incoming, node.outgoing, options);
    if (state === undefined) return next();
    const ownIndex = c.req.routeIndex;
    try {
      if (context.active() === state.context) await next();
      else await context.with(state.context, next);
    } finally {
      // Read now: the router's indices move on once the chain has returned.
      state.route = matchedRoute(c, ownIndex);
    }
  };
}
