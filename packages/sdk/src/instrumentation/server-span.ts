import type { IncomingMessage, ServerResponse } from 'node:http';
import type { TLSSocket } from 'node:tls';
import {
  type Attributes,
  type Context,
  context,
  defaultTextMapGetter,
  propagation,
  ROOT_CONTEXT,
  type Span,
  SpanKind,
  SpanStatusCode,
  type TextMapPropagator,
  type TracerProvider,
  trace,
} from '@opentelemetry/api';
import {
  ATTR_CLIENT_ADDRESS,
  ATTR_ERROR_TYPE,
  ATTR_HTTP_REQUEST_METHOD,
  ATTR_HTTP_REQUEST_METHOD_ORIGINAL,
  ATTR_HTTP_RESPONSE_STATUS_CODE,
  ATTR_HTTP_ROUTE,
  ATTR_NETWORK_PROTOCOL_VERSION,
  ATTR_SERVER_ADDRESS,
  ATTR_SERVER_PORT,
  ATTR_URL_PATH,
  ATTR_URL_QUERY,
  ATTR_URL_SCHEME,
  ATTR_USER_AGENT_ORIGINAL,
  formatTraceparent,
  headerValue,
  httpSpanName,
  normalizeMethod,
  parseHostHeader,
  TRACERESPONSE_HEADER,
} from './http-attributes.js';

export const INSTRUMENTATION_NAME = '@ariadne/sdk/http';

export interface HttpServerTracingOptions {
  /** Default: the global tracer provider (`register()` installs it), looked up per request. */
  readonly tracerProvider?: TracerProvider;
  /** Extracts the caller's context from the request headers. Default: the global propagator. */
  readonly propagator?: TextMapPropagator;
  /** Send the W3C Level 2 `traceresponse` header. Default true. */
  readonly traceResponse?: boolean;
  /** Requests for which no span is made (health checks, say). */
  readonly ignoreRequest?: (req: IncomingMessage) => boolean;
}

/** One traced request: the adapters find it through the request object, so a request gets one span however many layers see it. */
export interface ServerSpanState {
  readonly span: Span;
  /** The extracted parent with the server span set: what the handler must run in. */
  readonly context: Context;
  readonly method: string;
  /** Set by a framework adapter once the router has matched; read when the span ends. */
  route: string | undefined;
  /** Asked at the end when `route` is not set, for frameworks that know the route only late. */
  routeResolver: (() => string | undefined) | undefined;
}

const states = new WeakMap<IncomingMessage, ServerSpanState>();

/** The server span an interceptor or adapter already opened for this request, if any. */
export function serverSpanStateOf(req: IncomingMessage): ServerSpanState | undefined {
  return states.get(req);
}

function requestAttributes(req: IncomingMessage, method: string, original: string | undefined): Attributes {
  const url = req.url ?? '/';
  const q = url.indexOf('?');
  const attributes: Attributes = {
    [ATTR_HTTP_REQUEST_METHOD]: method,
    [ATTR_URL_PATH]: q < 0 ? url : url.slice(0, q),
    [ATTR_URL_SCHEME]: (req.socket as TLSSocket | undefined)?.encrypted ? 'https' : 'http',
  };
  if (original !== undefined) attributes[ATTR_HTTP_REQUEST_METHOD_ORIGINAL] = original;
  if (q >= 0) attributes[ATTR_URL_QUERY] = url.slice(q + 1);
  const host = parseHostHeader(headerValue(req.headers, 'host') ?? headerValue(req.headers, ':authority'));
  const address = host.address ?? req.socket?.localAddress;
  const port = host.port ?? (host.address === undefined ? req.socket?.localPort : undefined);
  if (address !== undefined) attributes[ATTR_SERVER_ADDRESS] = address;
  if (port !== undefined) attributes[ATTR_SERVER_PORT] = port;
  const client = req.socket?.remoteAddress;
  if (client !== undefined) attributes[ATTR_CLIENT_ADDRESS] = client;
  const userAgent = headerValue(req.headers, 'user-agent');
  if (userAgent !== undefined) attributes[ATTR_USER_AGENT_ORIGINAL] = userAgent;
  if (req.httpVersion) attributes[ATTR_NETWORK_PROTOCOL_VERSION] = req.httpVersion;
  return attributes;
}

/**
 * Opens the server span of a request (or returns the one already open):
 * the caller's context extracted from the headers, the semantic-convention
 * attributes, `traceresponse` set on the response, and the span ended when
 * the response finishes or the connection closes. Listeners later added to
 * `req` and `res` run in the span's context, so a handler reached through a
 * body parser's `data`/`end` events still sees its server span.
 */
export function startServerSpan(
  req: IncomingMessage,
  res: ServerResponse,
  options: HttpServerTracingOptions = {},
): ServerSpanState | undefined {
  const existing = states.get(req);
  if (existing !== undefined) return existing;
  if (options.ignoreRequest?.(req)) return undefined;
  const { method, original } = normalizeMethod(req.method);
  const parent = (options.propagator ?? propagation).extract(ROOT_CONTEXT, req.headers, defaultTextMapGetter);
  const tracer = (options.tracerProvider ?? trace.getTracerProvider()).getTracer(INSTRUMENTATION_NAME);
  const span = tracer.startSpan(
    httpSpanName(method),
    { kind: SpanKind.SERVER, attributes: requestAttributes(req, method, original) },
    parent,
  );
  const spanContext = trace.setSpan(parent, span);
  const state: ServerSpanState = { span, context: spanContext, method, route: undefined, routeResolver: undefined };
  states.set(req, state);
  if (options.traceResponse !== false && !res.headersSent) {
    res.setHeader(TRACERESPONSE_HEADER, formatTraceparent(span.spanContext()));
  }
  context.bind(spanContext, req);
  context.bind(spanContext, res);
  let ended = false;
  const end = () => {
    if (ended) return;
    ended = true;
    endServerSpan(state, res);
  };
  res.once('finish', end);
  res.once('close', end);
  return state;
}

function endServerSpan(state: ServerSpanState, res: ServerResponse): void {
  const { span } = state;
  let route = state.route;
  if (route === undefined) {
    try {
      route = state.routeResolver?.();
    } catch {
      // A framework's internals changing shape must not break the request; the span just lacks its route.
    }
  }
  if (route) {
    span.setAttribute(ATTR_HTTP_ROUTE, route);
    span.updateName(httpSpanName(state.method, route));
  }
  if (res.headersSent) {
    const status = res.statusCode;
    span.setAttribute(ATTR_HTTP_RESPONSE_STATUS_CODE, status);
    // Only 5xx: a 4xx is the client's mistake, and the server handled it correctly (semantic conventions).
    if (status >= 500) {
      span.setAttribute(ATTR_ERROR_TYPE, String(status));
      span.setStatus({ code: SpanStatusCode.ERROR });
    }
  }
  if (!res.writableFinished) {
    span.setAttribute(ATTR_ERROR_TYPE, 'connection_closed');
    span.setStatus({ code: SpanStatusCode.ERROR, message: 'the connection closed before the response was complete' });
  }
  span.end();
}
