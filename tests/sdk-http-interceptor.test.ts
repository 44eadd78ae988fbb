// Acceptance (SDK, HTTP instrumentation): two services instrumented with the
// SDK's own interceptor and framework adapters (raw node:http, Express,
// Fastify, Hono) call each other with fetch and http.request, export through
// OTLP/HTTP to a real Ariadne server, and the server shows one trace with the
// right parent links, route names, semantic-convention attributes, 5xx as
// errors and no double spans. Then once per propagation format, and a
// `jaeger-debug-id` request to a service that samples nothing.
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { createServer, type IncomingHttpHeaders, type RequestListener, request, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { after, before, describe, test } from 'node:test';
import {
  anyValueToString,
  findAttribute,
  type JaegerEnvelope,
  type JaegerSpan,
  type JaegerTrace,
  type Span,
  SpanKind,
  StatusCode,
} from '@ariadne/protocol';
import {
  AlwaysOffSampler,
  AlwaysOnSampler,
  AriadneTracerProvider,
  B3Propagator,
  expressTracing,
  fastifyTracing,
  type HttpServerTracingOptions,
  honoTracing,
  InMemorySpanExporter,
  JaegerPropagator,
  OtlpHttpExporter,
  ParentBasedSampler,
  type Registration,
  register,
  resourceFromAttributes,
  SimpleSpanProcessor,
  traceRequestListener,
  W3cTraceContextPropagator,
} from '@ariadne/sdk';
import { getRequestListener } from '@hono/node-server';
import { type Sampler, type TextMapPropagator, trace } from '@opentelemetry/api';
import express from 'express';
import Fastify from 'fastify';
import { Hono } from 'hono';
import { getJson, startTestServer, type TestServer } from './support/test-server.js';

type Framework = 'http' | 'express' | 'fastify' | 'hono';
type Reply = { status: number; body: unknown };
/** A route `/<prefix>/:id`: the handler gets the id, whether `?fail=yes` was asked, and the request headers. */
type Handler = (id: string, fail: boolean, headers: Record<string, string>) => Promise<Reply>;

interface App {
  readonly url: string;
  close(): Promise<void>;
}

function listen(server: Server): Promise<App> {
  return new Promise((resolve) =>
    server.listen(0, '127.0.0.1', () =>
      resolve({
        url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
        close: () => new Promise<void>((done) => server.close(() => done())),
      }),
    ),
  );
}

function plainHeaders(headers: IncomingHttpHeaders | Headers): Record<string, string> {
  const out: Record<string, string> = {};
  if (headers instanceof Headers) for (const [key, value] of headers) out[key] = value;
  else for (const [key, value] of Object.entries(headers)) out[key] = String(value);
  return out;
}

/**
 * One service on a framework. `intercept`: behind `traceRequestListener`
 * too, so the adapter must reuse the interceptor's span (raw http always is).
 */
async function startApp(
  framework: Framework,
  prefix: string,
  handle: Handler,
  options: HttpServerTracingOptions,
  intercept: boolean,
): Promise<App> {
  const maybeIntercept = (listener: RequestListener): RequestListener =>
    intercept ? traceRequestListener(listener, options) : listener;
  switch (framework) {
    case 'http': {
      const pattern = new RegExp(`^/${prefix}/([^/?]+)`);
      return listen(
        createServer(
          traceRequestListener((req, res) => {
            const url = new URL(req.url ?? '/', 'http://x');
            const id = pattern.exec(url.pathname)?.[1] ?? '';
            void handle(id, url.searchParams.get('fail') === 'yes', plainHeaders(req.headers)).then((reply) =>
              res.writeHead(reply.status, { 'content-type': 'application/json' }).end(JSON.stringify(reply.body)),
            );
          }, options),
        ),
      );
    }
    case 'express': {
      const app = express();
      app.use(expressTracing(options));
      app.get(`/${prefix}/:id`, async (req, res) => {
        const reply = await handle(String(req.params.id), req.query.fail === 'yes', plainHeaders(req.headers));
        res.status(reply.status).json(reply.body);
      });
      return listen(createServer(maybeIntercept(app)));
    }
    case 'fastify': {
      const app = Fastify(
        intercept ? { serverFactory: (handler) => createServer(traceRequestListener(handler, options)) } : {},
      );
      await app.register(fastifyTracing, options);
      app.get<{ Params: { id: string }; Querystring: { fail?: string } }>(`/${prefix}/:id`, async (req, reply) => {
        const result = await handle(req.params.id, req.query.fail === 'yes', plainHeaders(req.headers));
        reply.code(result.status);
        return result.body;
      });
      const address = await app.listen({ port: 0, host: '127.0.0.1' });
      return { url: address, close: () => app.close() };
    }
    case 'hono': {
      const app = new Hono();
      app.use(honoTracing(options));
      app.get(`/${prefix}/:id`, async (c) => {
        const reply = await handle(c.req.param('id'), c.req.query('fail') === 'yes', plainHeaders(c.req.raw.headers));
        return c.json(reply.body as object, reply.status as 200);
      });
      return listen(createServer(maybeIntercept(getRequestListener(app.fetch))));
    }
  }
}

/** GET through `http.request` (the ESM binding, which instrumentHttp patches too). */
function httpGet(url: string): Promise<{ status: number; body: string }> {
  return new Promise((resolve, reject) => {
    request(url, (res) => {
      let body = '';
      res.setEncoding('utf8');
      res.on('data', (chunk: string) => (body += chunk));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, body }));
    })
      .on('error', reject)
      .end();
  });
}

function tag(span: JaegerSpan, key: string): unknown {
  return span.tags.find((t) => t.key === key)?.value;
}

function parentOf(span: JaegerSpan): string | undefined {
  return span.references.find((r) => r.refType === 'CHILD_OF')?.spanID;
}

const TRACERESPONSE = /^00-([0-9a-f]{32})-([0-9a-f]{16})-01$/;

let ariadne: TestServer;
before(async () => {
  ariadne = await startTestServer({ storage: 'memory' });
});
after(() => ariadne.dispose());

/** The frontend's globals (provider, propagator) and the client instrumentation, torn down after `fn`. */
async function withFrontendGlobals<T>(
  name: string,
  propagator: TextMapPropagator,
  fn: (registration: Registration) => Promise<T>,
): Promise<T> {
  const registration = register({
    serviceName: name,
    sampler: new AlwaysOnSampler(),
    propagator,
    exporter: new OtlpHttpExporter({ url: `${ariadne.otlpHttpUrl}/v1/traces`, env: {} }),
    batch: { scheduleDelayMillis: 60_000, env: {} },
    // Client spans only inside a span: the test's own calls (and its queries to Ariadne) stay untraced.
    // Uninstalled by shutdown().
    instrumentHttp: { requireParentSpan: true },
  });
  try {
    return await fn(registration);
  } finally {
    await registration.shutdown();
  }
}

/** A second service in this process: its own provider (the globals belong to the frontend), exporting each span as it ends. */
function backendProvider(name: string, sampler: Sampler = new ParentBasedSampler({ root: new AlwaysOffSampler() })) {
  return new AriadneTracerProvider({
    resource: resourceFromAttributes({ 'service.name': name }),
    sampler,
    // Exports happen inside the request's context (span.end() runs there): the exporter's own fetch must stay untraced.
    spanProcessors: [
      new SimpleSpanProcessor(new OtlpHttpExporter({ url: `${ariadne.otlpHttpUrl}/v1/traces`, env: {} })),
    ],
  });
}

function backendHandler(provider: AriadneTracerProvider): Handler {
  const tracer = provider.getTracer('inventory');
  return async (_id, fail, headers) => {
    // A span started in the handler with no explicit parent: it must land under the server span.
    tracer.startSpan('reserve').end();
    return { status: fail ? 500 : 200, body: { headers } };
  };
}

async function getTrace(traceId: string): Promise<JaegerTrace> {
  const body = await getJson<JaegerEnvelope<JaegerTrace[]>>(`${ariadne.queryUrl}/api/traces/${traceId}`);
  assert.equal(body.data.length, 1);
  return body.data[0] as JaegerTrace;
}

describe('HTTP instrumentation across two services', () => {
  for (const framework of ['http', 'express', 'fastify', 'hono'] as const) {
    test(`${framework}: fetch and http.request from one service to another make one trace`, async () => {
      const provider = backendProvider(`backend-${framework}`);
      const backend = await startApp(
        framework,
        'inventory',
        backendHandler(provider),
        { tracerProvider: provider },
        false,
      );
      try {
        await withFrontendGlobals(`frontend-${framework}`, new W3cTraceContextPropagator(), async (registration) => {
          const frontend = await startApp(
            framework,
            'checkout',
            async () => {
              const viaFetch = await fetch(`${backend.url}/inventory/42`);
              const seen = (await viaFetch.json()) as { headers: Record<string, string> };
              const viaRequest = await httpGet(`${backend.url}/inventory/7?fail=yes`);
              return { status: 200, body: { fetch: viaFetch.status, request: viaRequest.status, seen: seen.headers } };
            },
            {},
            true,
          );
          try {
            // A caller's context: with it, a second server span for the same request would land in this trace too.
            const callerTraceId = randomBytes(16).toString('hex');
            const callerSpanId = randomBytes(8).toString('hex');
            const response = await fetch(`${frontend.url}/checkout/1?x=1`, {
              headers: { 'user-agent': 'ariadne-test', traceparent: `00-${callerTraceId}-${callerSpanId}-01` },
            });
            const body = (await response.json()) as { fetch: number; request: number; seen: Record<string, string> };
            assert.deepEqual([response.status, body.fetch, body.request], [200, 200, 500]);
            const traceresponse = response.headers.get('traceresponse') ?? '';
            const [, traceId, frontendSpanId] = TRACERESPONSE.exec(traceresponse) ?? [];
            assert.ok(traceId && frontendSpanId, `a traceresponse header: ${traceresponse}`);
            await registration.provider.forceFlush();
            await provider.forceFlush();

            const trace = await getTrace(traceId);
            const spans = trace.spans;
            const service = (s: JaegerSpan) => trace.processes[s.processID]?.serviceName;
            const routed = framework !== 'http';
            const root = spans.find((s) => s.spanID === frontendSpanId);
            assert.ok(root, 'the traceresponse names the frontend server span');
            assert.equal(service(root), `frontend-${framework}`);
            assert.equal(root.operationName, routed ? 'GET /checkout/:id' : 'GET');
            assert.equal(traceId, callerTraceId);
            assert.equal(parentOf(root), callerSpanId);
            assert.equal(tag(root, 'span.kind'), 'server');
            assert.equal(tag(root, 'http.request.method'), 'GET');
            assert.equal(tag(root, 'url.path'), '/checkout/1');
            assert.equal(tag(root, 'url.query'), 'x=1');
            assert.equal(tag(root, 'url.scheme'), 'http');
            assert.equal(tag(root, 'server.address'), '127.0.0.1');
            assert.equal(tag(root, 'server.port'), Number(new URL(frontend.url).port));
            assert.equal(tag(root, 'client.address'), '127.0.0.1');
            assert.equal(tag(root, 'user_agent.original'), 'ariadne-test');
            assert.equal(tag(root, 'http.response.status_code'), 200);
            assert.equal(tag(root, 'http.route'), routed ? '/checkout/:id' : undefined);
            assert.equal(tag(root, 'error'), undefined);

            const clients = spans.filter((s) => tag(s, 'span.kind') === 'client');
            const fetchClient = clients.find((s) => tag(s, 'url.full') === `${backend.url}/inventory/42`);
            const requestClient = clients.find((s) => tag(s, 'url.full') === `${backend.url}/inventory/7?fail=yes`);
            assert.ok(fetchClient && requestClient, `client spans: ${clients.map((s) => tag(s, 'url.full'))}`);
            for (const client of [fetchClient, requestClient]) {
              assert.equal(parentOf(client), root.spanID);
              assert.equal(client.operationName, 'GET');
              assert.equal(service(client), `frontend-${framework}`);
              assert.equal(tag(client, 'server.port'), Number(new URL(backend.url).port));
            }
            assert.equal(tag(fetchClient, 'http.response.status_code'), 200);
            assert.equal(tag(requestClient, 'http.response.status_code'), 500);
            assert.equal(tag(requestClient, 'error'), true);
            // The injected traceparent names the client span: the backend's server span is its child.
            assert.equal(body.seen.traceparent, `00-${traceId}-${fetchClient.spanID}-01`);

            const servers = spans.filter((s) => tag(s, 'span.kind') === 'server' && s !== root);
            assert.equal(servers.length, 2, 'one server span per backend request: no double spans');
            const backendRoute = routed ? '/inventory/:id' : undefined;
            for (const [server, client, status] of [
              [servers.find((s) => parentOf(s) === fetchClient.spanID), fetchClient, 200],
              [servers.find((s) => parentOf(s) === requestClient.spanID), requestClient, 500],
            ] as const) {
              assert.ok(server, `a backend server span under ${client.spanID}`);
              assert.equal(service(server), `backend-${framework}`);
              assert.equal(server.operationName, backendRoute ? `GET ${backendRoute}` : 'GET');
              assert.equal(tag(server, 'http.route'), backendRoute);
              assert.equal(tag(server, 'http.response.status_code'), status);
              assert.equal(tag(server, 'error'), status === 500 ? true : undefined);
              const reserve = spans.find((s) => s.operationName === 'reserve' && parentOf(s) === server.spanID);
              assert.ok(reserve, 'the handler runs in the server span context');
            }
            // Exactly these: root, two clients, two backend servers, two handler spans: no second server span from an
            // adapter over the interceptor, no spans of the exporters' own requests.
            assert.equal(spans.length, 7, spans.map((s) => `${s.operationName} ${tag(s, 'span.kind')}`).join(', '));
          } finally {
            await frontend.close();
          }
        });
      } finally {
        await backend.close();
        await provider.shutdown();
      }
    });
  }
});

describe('propagation formats through the configured global propagator', () => {
  const formats: Record<string, { propagator: () => TextMapPropagator; headers: string[]; absent: string[] }> = {
    tracecontext: { propagator: () => new W3cTraceContextPropagator(), headers: ['traceparent'], absent: ['b3'] },
    jaeger: { propagator: () => new JaegerPropagator(), headers: ['uber-trace-id'], absent: ['traceparent'] },
    'b3 single': {
      propagator: () => new B3Propagator({ injectEncoding: 'single' }),
      headers: ['b3'],
      absent: ['traceparent', 'x-b3-traceid'],
    },
    'b3 multi': {
      propagator: () => new B3Propagator({ injectEncoding: 'multi' }),
      headers: ['x-b3-traceid', 'x-b3-spanid', 'x-b3-sampled'],
      absent: ['traceparent', 'b3'],
    },
  };
  for (const [format, { propagator, headers, absent }] of Object.entries(formats)) {
    test(`${format}: the client injects it and the server extracts it`, async () => {
      const suffix = format.replace(' ', '-');
      const provider = backendProvider(`backend-${suffix}`);
      await withFrontendGlobals(`frontend-${suffix}`, propagator(), async (registration) => {
        // The backend extracts with the same global propagator (no `propagator` option).
        const backend = await startApp(
          'http',
          'inventory',
          backendHandler(provider),
          { tracerProvider: provider },
          true,
        );
        const frontend = await startApp(
          'http',
          'checkout',
          async () => ({ status: 200, body: JSON.parse((await httpGet(`${backend.url}/inventory/1`)).body) }),
          {},
          true,
        );
        try {
          const response = await fetch(`${frontend.url}/checkout/1`);
          const seen = ((await response.json()) as { headers: Record<string, string> }).headers;
          for (const name of headers) assert.ok(seen[name], `${name} was sent: ${JSON.stringify(seen)}`);
          for (const name of absent) assert.equal(seen[name], undefined, `${name} was not sent`);
          const [, traceId] = TRACERESPONSE.exec(response.headers.get('traceresponse') ?? '') ?? [];
          assert.ok(traceId);
          await registration.provider.forceFlush();
          await provider.forceFlush();
          const trace = await getTrace(traceId);
          const client = trace.spans.find((s) => tag(s, 'span.kind') === 'client');
          const server = trace.spans.find((s) => tag(s, 'span.kind') === 'server' && parentOf(s) !== undefined);
          assert.ok(client && server);
          assert.equal(parentOf(server), client.spanID);
          assert.equal(trace.processes[server.processID]?.serviceName, `backend-${suffix}`);
        } finally {
          await frontend.close();
          await backend.close();
        }
      });
      await provider.shutdown();
    });
  }

  test('jaeger-debug-id: a service that samples nothing still records a trace tagged with the id', async () => {
    const provider = backendProvider('debug-backend', new AlwaysOffSampler());
    await withFrontendGlobals('debug-frontend', new JaegerPropagator(), async () => {
      const backend = await startApp('http', 'inventory', backendHandler(provider), { tracerProvider: provider }, true);
      try {
        const debug = await fetch(`${backend.url}/inventory/1`, { headers: { 'jaeger-debug-id': 'ticket-4711' } });
        await debug.text();
        const [, traceId] = TRACERESPONSE.exec(debug.headers.get('traceresponse') ?? '') ?? [];
        assert.ok(traceId, 'sampled: the traceresponse flags say 01');
        await provider.forceFlush();
        const trace = await getTrace(traceId);
        const server = trace.spans.find((s) => tag(s, 'span.kind') === 'server');
        assert.ok(server);
        assert.equal(tag(server, 'jaeger-debug-id'), 'ticket-4711');

        // Without the header nothing is sampled: the traceresponse still names the span, flags 00.
        const plain = await fetch(`${backend.url}/inventory/1`);
        await plain.text();
        assert.match(plain.headers.get('traceresponse') ?? '', /^00-[0-9a-f]{32}-[0-9a-f]{16}-00$/);
      } finally {
        await backend.close();
      }
    });
    await provider.shutdown();
  });
});

describe('framework adapters: routes, bodies, 404', () => {
  let registration: Registration;
  const exporter = new InMemorySpanExporter();
  before(() => {
    registration = register({
      serviceName: 'adapters',
      sampler: new AlwaysOnSampler(),
      propagator: new W3cTraceContextPropagator(),
      spanProcessors: [new SimpleSpanProcessor(exporter)],
    });
  });
  after(() => registration.shutdown());

  const attr = (span: Span, key: string) => {
    const value = findAttribute(span.attributes, key);
    return value === undefined ? undefined : anyValueToString(value);
  };
  /** Server spans end on the response's `finish`, which may come after the client has read the response. */
  async function serverSpans(count: number): Promise<Span[]> {
    for (let i = 0; i < 500; i++) {
      const found = exporter.spans.filter((s) => s.kind === SpanKind.Server);
      if (found.length >= count) return found;
      await new Promise((resolve) => setTimeout(resolve, 10));
    }
    throw new Error(`expected ${count} server spans: ${exporter.spans.map((s) => s.name)}`);
  }
  function post(url: string, body: unknown): Promise<Response> {
    return fetch(url, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) });
  }
  /** A handler's own span, started after the framework parsed the body: it must be the server span's child. */
  function childOfServer(server: Span): void {
    const child = exporter.spans.find((s) => s.name === 'handler');
    assert.ok(child, 'the handler span');
    assert.equal(child.parentSpanId, server.spanId);
  }

  test('express alone: nested router route, JSON body, 404 without a route', async () => {
    exporter.reset();
    const app = express();
    app.use(expressTracing());
    app.use(express.json());
    const router = express.Router();
    router.post('/users/:id', (req, res) => {
      trace.getTracer('t').startSpan('handler').end();
      res.status(201).json(req.body);
    });
    app.use('/api', router);
    // The typical line, typed as users write it.
    const server = await listen(createServer(app));
    const typed: RequestListener = traceRequestListener(app);
    assert.equal(typeof typed, 'function');
    try {
      const created = await post(`${server.url}/api/users/9`, { name: 'a' });
      assert.deepEqual([created.status, await created.json()], [201, { name: 'a' }]);
      assert.match(created.headers.get('traceresponse') ?? '', TRACERESPONSE);
      const missing = await fetch(`${server.url}/nowhere`);
      await missing.text();
      const spans = await serverSpans(2);
      const routed = spans.find((s) => s.name === 'POST /api/users/:id');
      const notFound = spans.find((s) => attr(s, 'http.response.status_code') === '404');
      assert.ok(routed && notFound, spans.map((s) => s.name).join(', '));
      assert.equal(attr(routed, 'http.route'), '/api/users/:id');
      childOfServer(routed);
      assert.equal(notFound.name, 'GET');
      assert.equal(attr(notFound, 'http.route'), undefined);
      assert.equal(notFound.status.code, StatusCode.Unset);
    } finally {
      await server.close();
    }
  });

  test('fastify alone: JSON body, thrown error is a 500 error span', async () => {
    exporter.reset();
    const app = Fastify();
    await app.register(fastifyTracing);
    app.post('/orders/:id', async (req) => {
      trace.getTracer('t').startSpan('handler').end();
      return req.body;
    });
    app.get('/boom', async () => {
      throw new Error('boom');
    });
    const url = await app.listen({ port: 0, host: '127.0.0.1' });
    try {
      const created = await post(`${url}/orders/3`, { n: 1 });
      assert.deepEqual(await created.json(), { n: 1 });
      assert.match(created.headers.get('traceresponse') ?? '', TRACERESPONSE);
      assert.equal((await fetch(`${url}/boom`)).status, 500);
      const spans = await serverSpans(2);
      const routed = spans.find((s) => s.name === 'POST /orders/:id');
      const boom = spans.find((s) => s.name === 'GET /boom');
      assert.ok(routed && boom, spans.map((s) => s.name).join(', '));
      childOfServer(routed);
      assert.equal(boom.status.code, StatusCode.Error);
      assert.equal(attr(boom, 'http.response.status_code'), '500');
    } finally {
      await app.close();
    }
  });

  test('hono without node:http (app.request): the span covers the fetch handler, with route and traceresponse', async () => {
    exporter.reset();
    const app = new Hono();
    app.use(honoTracing());
    app.post('/items/:id', async (c) => {
      const body = await c.req.json();
      trace.getTracer('t').startSpan('handler').end();
      return c.json(body, 202);
    });
    const parent = `00-${'1'.repeat(32)}-${'2'.repeat(16)}-01`;
    const response = await app.request('http://svc.local:8080/items/5?q=1', {
      method: 'POST',
      headers: { 'content-type': 'application/json', traceparent: parent },
      body: JSON.stringify({ k: 'v' }),
    });
    assert.equal(response.status, 202);
    const [, traceId] = TRACERESPONSE.exec(response.headers.get('traceresponse') ?? '') ?? [];
    assert.equal(traceId, '1'.repeat(32));
    const [span] = await serverSpans(1);
    assert.ok(span);
    assert.equal(span.name, 'POST /items/:id');
    assert.equal(span.parentSpanId, '2'.repeat(16));
    assert.equal(attr(span, 'server.address'), 'svc.local');
    assert.equal(attr(span, 'server.port'), '8080');
    assert.equal(attr(span, 'url.query'), 'q=1');
    assert.equal(attr(span, 'http.response.status_code'), '202');
    childOfServer(span);
  });
});
