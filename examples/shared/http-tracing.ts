import { createServer, type IncomingHttpHeaders, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import {
  type Attributes,
  context,
  defaultTextMapGetter,
  defaultTextMapSetter,
  type Span,
  SpanKind,
  SpanStatusCode,
  trace,
} from '@opentelemetry/api';
import type { Telemetry } from './telemetry.js';

/** The trace headers a demo service looks for, recorded on its server span so the trace shows what crossed each hop. */
export const TRACE_HEADERS = ['traceparent', 'tracestate', 'uber-trace-id', 'jaeger-debug-id', 'b3'] as const;

/**
 * Which propagation format carried the caller's context: `w3c`, `jaeger`,
 * `b3`, `jaeger-debug-id` (no context, but a request to trace) or `none`.
 */
export function propagationFormatOf(headers: IncomingHttpHeaders): string {
  if (headers.traceparent !== undefined) return 'w3c';
  if (headers['uber-trace-id'] !== undefined) return 'jaeger';
  if (headers.b3 !== undefined) return 'b3';
  if (headers['jaeger-debug-id'] !== undefined) return 'jaeger-debug-id';
  return 'none';
}

export interface DemoRequest {
  readonly method: string;
  readonly url: URL;
  readonly headers: IncomingHttpHeaders;
  readonly params: Readonly<Record<string, string>>;
  /** The request body as text (empty for GET). */
  readonly body: string;
  /** The server span the interceptor opened for this request. */
  readonly span: Span;
}

export interface DemoReply {
  readonly status?: number;
  /** A string is sent as text/plain, anything else as JSON. */
  readonly body: unknown;
  readonly headers?: Readonly<Record<string, string>>;
}

export interface Route {
  readonly method: string;
  /** `/bands/:id` style; `:name` segments become params. */
  readonly path: string;
  handle(request: DemoRequest): Promise<DemoReply> | DemoReply;
}

export interface RunningService {
  readonly url: string;
  /** Exports every span ended so far. */
  flush(): Promise<void>;
  /** Stops listening, then flushes and shuts the service's tracing down. */
  close(): Promise<void>;
}

function match(route: Route, method: string, pathname: string): Record<string, string> | undefined {
  if (route.method !== method) return undefined;
  const want = route.path.split('/');
  const got = pathname.split('/');
  if (want.length !== got.length) return undefined;
  const params: Record<string, string> = {};
  for (let i = 0; i < want.length; i++) {
    const w = want[i] as string;
    const g = got[i] as string;
    if (w.startsWith(':')) params[w.slice(1)] = decodeURIComponent(g);
    else if (w !== g) return undefined;
  }
  return params;
}

function readBody(req: IncomingMessage): Promise<string> {
  return new Promise((resolve, reject) => {
    let text = '';
    req.setEncoding('utf8');
    req.on('data', (chunk: string) => {
      text += chunk;
    });
    req.on('end', () => resolve(text));
    req.on('error', reject);
  });
}

function send(res: ServerResponse, reply: DemoReply, extraHeaders: Record<string, string>): void {
  const text = typeof reply.body === 'string' ? reply.body : JSON.stringify(reply.body, null, 2);
  res.writeHead(reply.status ?? 200, {
    'content-type': typeof reply.body === 'string' ? 'text/plain; charset=utf-8' : 'application/json',
    ...extraHeaders,
    ...reply.headers,
  });
  res.end(text);
}

/**
 * The tracing interceptor every demo service puts in front of its routes
 * (the role a Spring HandlerInterceptor or an Express middleware plays): it
 * extracts the caller's context with the service's propagator, opens a
 * SERVER span named after the route, records which trace headers arrived,
 * answers with the trace id in `x-trace-id`, and marks 5xx answers and
 * thrown errors as errors.
 */
export function tracingInterceptor(telemetry: Telemetry, routes: readonly Route[]) {
  return async (req: IncomingMessage, res: ServerResponse): Promise<void> => {
    const method = req.method ?? 'GET';
    const url = new URL(req.url ?? '/', 'http://127.0.0.1');
    let route: Route | undefined;
    let params: Record<string, string> = {};
    for (const candidate of routes) {
      const found = match(candidate, method, url.pathname);
      if (found !== undefined) {
        route = candidate;
        params = found;
        break;
      }
    }
    const parent = telemetry.propagator.extract(context.active(), req.headers, defaultTextMapGetter);
    const attributes: Attributes = {
      'http.request.method': method,
      'url.path': url.pathname,
      'propagation.format': propagationFormatOf(req.headers),
    };
    if (url.search !== '') attributes['url.query'] = url.search.slice(1);
    if (route !== undefined) attributes['http.route'] = route.path;
    for (const name of TRACE_HEADERS) {
      const value = req.headers[name];
      if (typeof value === 'string') attributes[`http.request.header.${name}`] = value;
    }
    const span = telemetry.tracer.startSpan(
      route === undefined ? method : `${method} ${route.path}`,
      { kind: SpanKind.SERVER, attributes },
      parent,
    );
    const traceHeaders = { 'x-trace-id': span.spanContext().traceId };
    await context.with(trace.setSpan(parent, span), async () => {
      let reply: DemoReply;
      try {
        if (route === undefined) reply = { status: 404, body: `no route for ${method} ${url.pathname}\n` };
        else {
          const body = method === 'GET' || method === 'HEAD' ? '' : await readBody(req);
          reply = await route.handle({ method, url, headers: req.headers, params, body, span });
        }
      } catch (error) {
        span.recordException(error as Error);
        telemetry.log.error('request failed', { error: String(error) });
        reply = { status: 500, body: { error: String(error) } };
      }
      const status = reply.status ?? 200;
      span.setAttribute('http.response.status_code', status);
      if (status >= 500) span.setStatus({ code: SpanStatusCode.ERROR, message: `HTTP ${status}` });
      telemetry.log.info(`${method} ${url.pathname} ${status}`);
      span.end();
      send(res, reply, traceHeaders);
    });
  };
}

export interface FetchResult {
  readonly status: number;
  readonly headers: Headers;
  readonly text: string;
}

export interface TracedFetchOptions {
  readonly method?: string;
  readonly body?: string;
  readonly headers?: Readonly<Record<string, string>>;
  /** Default `<METHOD> <path>`. */
  readonly spanName?: string;
  readonly attributes?: Attributes;
}

/**
 * An outgoing call as a CLIENT span, child of the active span, with the
 * service's propagator writing its headers into the request: the other half
 * of the interceptor.
 */
export async function tracedFetch(
  telemetry: Telemetry,
  url: string,
  options: TracedFetchOptions = {},
): Promise<FetchResult> {
  const method = options.method ?? 'GET';
  const target = new URL(url);
  const span = telemetry.tracer.startSpan(options.spanName ?? `${method} ${target.pathname}`, {
    kind: SpanKind.CLIENT,
    attributes: {
      'http.request.method': method,
      'url.full': url,
      'server.address': target.hostname,
      'server.port': Number(target.port),
      ...options.attributes,
    },
  });
  const ctx = trace.setSpan(context.active(), span);
  const headers: Record<string, string> = { ...options.headers };
  telemetry.propagator.inject(ctx, headers, defaultTextMapSetter);
  for (const name of TRACE_HEADERS) {
    if (headers[name] !== undefined) span.setAttribute(`http.request.header.${name}`, headers[name]);
  }
  try {
    const response = await context.with(ctx, () =>
      fetch(url, { method, headers, ...(options.body === undefined ? {} : { body: options.body }) }),
    );
    const text = await response.text();
    span.setAttribute('http.response.status_code', response.status);
    if (response.status >= 500) span.setStatus({ code: SpanStatusCode.ERROR, message: `HTTP ${response.status}` });
    return { status: response.status, headers: response.headers, text };
  } catch (error) {
    span.recordException(error as Error);
    span.setStatus({ code: SpanStatusCode.ERROR, message: String(error) });
    throw error;
  } finally {
    span.end();
  }
}

/**
 * Serves `listener` on 127.0.0.1 (port 0 picks a free one). `close` stops
 * listening and drops idle keep-alive connections, then runs `onClose`.
 */
export async function listen(
  listener: (req: IncomingMessage, res: ServerResponse) => unknown,
  port: number,
  onClose: () => Promise<void>,
  flush: () => Promise<void>,
): Promise<RunningService> {
  const server = createServer((req, res) => {
    void listener(req, res);
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, '127.0.0.1', () => resolve());
  });
  const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  return {
    url,
    flush,
    async close() {
      await new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeIdleConnections();
      });
      await onClose();
    },
  };
}

/** The usual case: a telemetry-owning service whose routes sit behind the interceptor. */
export function serveRoutes(telemetry: Telemetry, routes: readonly Route[], port: number): Promise<RunningService> {
  return listen(
    tracingInterceptor(telemetry, routes),
    port,
    () => telemetry.shutdown(),
    () => telemetry.flush(),
  );
}
