import type { IncomingHttpHeaders, IncomingMessage, ServerResponse } from 'node:http';
import { serverSpanStateOf, traceRequestListener } from '@ariadne/sdk';
import type { Span } from '@opentelemetry/api';
import { listen, type RunningService } from './running-service.js';
import type { Telemetry } from './telemetry.js';
import { propagationFormatOf, traceHeaderAttributes } from './trace-headers.js';

export interface DemoRequest {
  readonly method: string;
  readonly url: URL;
  readonly headers: IncomingHttpHeaders;
  readonly params: Readonly<Record<string, string>>;
  /** The request body as text (empty for GET). */
  readonly body: string;
  /** The SDK's server span for this request. */
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
 * The demos' tiny router. It runs inside the SDK's `traceRequestListener`,
 * which opened the SERVER span (context extracted with the service's
 * propagator, semantic-convention attributes, 5xx as errors, `traceresponse`);
 * the router tells the SDK the matched route (span name `GET /bands/:id`,
 * `http.route`) and adds what only the demos want: the trace headers that
 * arrived with `propagation.format`, and the trace id in `x-trace-id`.
 */
function router(telemetry: Telemetry, routes: readonly Route[]) {
  return async (req: IncomingMessage, res: ServerResponse): Promise<void> => {
    const state = serverSpanStateOf(req);
    // serveRoutes never ignores a request, so the SDK always opened a span.
    if (state === undefined) throw new Error('the router must run inside traceRequestListener');
    const { span } = state;
    span.setAttributes({
      'propagation.format': propagationFormatOf(req.headers),
      ...traceHeaderAttributes(req.headers),
    });
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
    if (route !== undefined) state.route = route.path;
    let reply: DemoReply;
    try {
      if (route === undefined) reply = { status: 404, body: `no route for ${method} ${url.pathname}\n` };
      else {
        const body = method === 'GET' || method === 'HEAD' ? '' : await readBody(req);
        reply = await route.handle({ method, url, headers: req.headers, params, body, span });
      }
    } catch (error) {
      span.recordException(error as Error);
      telemetry.log.error({ error: String(error) }, 'request failed');
      reply = { status: 500, body: { error: String(error) } };
    }
    telemetry.log.info(`${method} ${url.pathname} ${reply.status ?? 200}`);
    send(res, reply, { 'x-trace-id': span.spanContext().traceId });
  };
}

/** A demo service: its routes behind the SDK's server instrumentation, with the service's own provider and propagator. */
export function serveRoutes(telemetry: Telemetry, routes: readonly Route[], port: number): Promise<RunningService> {
  return listen(
    traceRequestListener(router(telemetry, routes), {
      tracerProvider: telemetry.provider,
      propagator: telemetry.propagator,
    }),
    port,
    () => telemetry.shutdown(),
    () => telemetry.flush(),
  );
}
