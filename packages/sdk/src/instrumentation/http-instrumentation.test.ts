import assert from 'node:assert/strict';
import { createServer, get, type IncomingHttpHeaders, request, type Server } from 'node:http';
import { createServer as createHttpsServer, get as httpsGet } from 'node:https';
import type { AddressInfo } from 'node:net';
import { after, afterEach, before, beforeEach, describe, test } from 'node:test';
import { anyValueToString, findAttribute, type Span, SpanKind, StatusCode } from '@ariadne/protocol';
import { context, trace } from '@opentelemetry/api';
import { SUPPRESS_TRACING_KEY } from '../export/http-post.js';
import { InMemorySpanExporter } from '../export/in-memory-span-exporter.js';
import { SimpleSpanProcessor } from '../processing/simple-span-processor.js';
import { W3cTraceContextPropagator } from '../propagation/w3c-trace-context-propagator.js';
import { type Registration, register } from '../register.js';
import { AlwaysOnSampler } from '../sampling/always-on-sampler.js';
import { formatTraceparent, normalizeMethod, parseHostHeader, redactUrl } from './http-attributes.js';
import { instrumentHttp } from './instrument-http.js';
import { selfSignedCertificate } from './self-signed-certificate.js';
import { traceRequestListener } from './trace-request-listener.js';

const exporter = new InMemorySpanExporter();
let registration: Registration;
let server: Server;
let base: string;
/** The headers of the last request the echo server saw. */
let seen: IncomingHttpHeaders = {};

function attr(span: Span, key: string): string | undefined {
  const value = findAttribute(span.attributes, key);
  return value === undefined ? undefined : anyValueToString(value);
}

before(async () => {
  registration = register({
    serviceName: 'unit',
    sampler: new AlwaysOnSampler(),
    propagator: new W3cTraceContextPropagator(),
    spanProcessors: [new SimpleSpanProcessor(exporter)],
  });
  server = createServer(
    traceRequestListener((req, res) => {
      seen = req.headers;
      // A body read through `data`/`end` events: the handler's span must still find its server span.
      req.on('data', () => {});
      req.on('end', () => {
        trace.getTracer('unit').startSpan('after-body').end();
        const status = Number(new URL(req.url ?? '/', 'http://x').searchParams.get('status') ?? 200);
        res.writeHead(status).end('ok');
      });
    }),
  );
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});

after(async () => {
  await new Promise<void>((resolve) => server.close(() => resolve()));
  await registration.shutdown();
});

beforeEach(() => {
  exporter.reset();
  seen = {};
});

function send(url: string, init: { method?: string; body?: string } = {}): Promise<number> {
  return new Promise((resolve, reject) => {
    const req = request(url, { method: init.method ?? 'GET' }, (res) => {
      res.resume();
      res.on('end', () => resolve(res.statusCode ?? 0));
    });
    req.on('error', reject);
    req.end(init.body);
  });
}

/** The server span ends on the response's `finish`, which the client may see after its own `end`. */
async function spansNamed(name: string, count: number): Promise<Span[]> {
  for (let i = 0; i < 500; i++) {
    const found = exporter.spans.filter((s) => s.name === name);
    if (found.length >= count) return found;
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
  throw new Error(`expected ${count} spans named ${name}: ${exporter.spans.map((s) => s.name)}`);
}

describe('server interceptor', () => {
  test('a handler reached through the body events runs in the server span', async () => {
    assert.equal(await send(`${base}/upload`, { method: 'POST', body: 'x'.repeat(100_000) }), 200);
    const [serverSpan] = await spansNamed('POST', 1);
    const [child] = await spansNamed('after-body', 1);
    assert.ok(serverSpan && child);
    assert.equal(serverSpan.kind, SpanKind.Server);
    assert.equal(child.parentSpanId, serverSpan.spanId);
    assert.equal(child.traceId, serverSpan.traceId);
  });

  test('5xx is an error, 4xx is not', async () => {
    assert.equal(await send(`${base}/x?status=503`), 503);
    assert.equal(await send(`${base}/x?status=404`), 404);
    const spans = await spansNamed('GET', 2);
    const byStatus = new Map(spans.map((s) => [attr(s, 'http.response.status_code'), s]));
    assert.equal(byStatus.get('503')?.status.code, StatusCode.Error);
    assert.equal(attr(byStatus.get('503') as Span, 'error.type'), '503');
    assert.equal(byStatus.get('404')?.status.code, StatusCode.Unset);
  });

  test('an unknown method is _OTHER, its span named HTTP', async () => {
    await send(`${base}/x`, { method: 'PURGE' });
    const [span] = await spansNamed('HTTP', 1);
    assert.ok(span);
    assert.equal(attr(span, 'http.request.method'), '_OTHER');
    assert.equal(attr(span, 'http.request.method_original'), 'PURGE');
  });
});

describe('client instrumentation', () => {
  let uninstall: () => void;
  beforeEach(() => {
    uninstall = instrumentHttp();
  });
  afterEach(() => uninstall());

  test('http.get and fetch open client spans and inject traceparent', async () => {
    const parent = trace.getTracer('unit').startSpan('parent');
    await context.with(trace.setSpan(context.active(), parent), async () => {
      await new Promise<void>((resolve, reject) =>
        get(`${base}/a`, (res) => res.resume().on('end', resolve)).on('error', reject),
      );
      const viaGet = seen.traceparent;
      await (await fetch(new Request(`${base}/b`, { headers: { 'x-keep': 'yes' } }))).text();
      assert.equal(seen['x-keep'], 'yes', 'a Request input keeps its own headers');
      const viaFetch = seen.traceparent;
      parent.end();
      const clients = exporter.spans.filter((s) => s.kind === SpanKind.Client);
      assert.equal(clients.length, 2);
      for (const client of clients) assert.equal(client.parentSpanId, parent.spanContext().spanId);
      const [a, b] = clients.sort((x, y) => (attr(x, 'url.full') ?? '').localeCompare(attr(y, 'url.full') ?? ''));
      assert.ok(a && b);
      assert.equal(attr(a, 'url.full'), `${base}/a`);
      assert.equal(viaGet, `00-${a.traceId}-${a.spanId}-01`);
      assert.equal(viaFetch, `00-${b.traceId}-${b.spanId}-01`);
    });
  });

  test('a suppressed context (the exporters) makes no span and injects nothing', async () => {
    await context.with(context.active().setValue(SUPPRESS_TRACING_KEY, true), async () => {
      await (await fetch(`${base}/quiet`)).text();
      assert.equal(seen.traceparent, undefined);
      await send(`${base}/quiet`);
      assert.equal(seen.traceparent, undefined);
    });
    await spansNamed('GET', 2);
    assert.equal(exporter.spans.filter((s) => s.kind === SpanKind.Client).length, 0);
  });

  test('a refused connection ends the span as an error', async () => {
    const closed = createServer();
    await new Promise<void>((resolve) => closed.listen(0, '127.0.0.1', resolve));
    const port = (closed.address() as AddressInfo).port;
    await new Promise<void>((resolve) => closed.close(() => resolve()));
    await assert.rejects(send(`http://127.0.0.1:${port}/`));
    await assert.rejects(fetch(`http://127.0.0.1:${port}/`));
    const clients = exporter.spans.filter((s) => s.kind === SpanKind.Client);
    assert.equal(clients.length, 2);
    for (const client of clients) assert.equal(client.status.code, StatusCode.Error);
    assert.ok(clients.some((c) => attr(c, 'error.type') === 'ECONNREFUSED'));
  });

  test('installing twice fails; uninstalling restores the originals', async () => {
    assert.throws(() => instrumentHttp(), /already installed/);
    const http = await import('node:http');
    const patchedFetch = globalThis.fetch;
    const patchedRequest = http.request;
    uninstall();
    assert.notEqual(globalThis.fetch, patchedFetch);
    assert.notEqual(http.request, patchedRequest);
    uninstall = instrumentHttp();
    assert.notEqual(http.request, patchedRequest, 'a fresh patch after re-install');
  });
});

test('http attribute helpers', () => {
  assert.deepEqual(parseHostHeader('example.com:8080'), { address: 'example.com', port: 8080 });
  assert.deepEqual(parseHostHeader('[::1]:9'), { address: '::1', port: 9 });
  assert.deepEqual(parseHostHeader('example.com'), { address: 'example.com', port: undefined });
  assert.deepEqual(normalizeMethod('get'), { method: 'GET', original: 'get' });
  assert.deepEqual(normalizeMethod('POST'), { method: 'POST' });
  assert.equal(redactUrl(new URL('http://u:p@h/x')), 'http://REDACTED:REDACTED@h/x');
  assert.equal(
    formatTraceparent({ traceId: 'a'.repeat(32), spanId: 'b'.repeat(16), traceFlags: 1 }),
    `00-${'a'.repeat(32)}-${'b'.repeat(16)}-01`,
  );
});

test('https: server and client spans, url.scheme https', async (t) => {
  const tls = selfSignedCertificate();
  if (tls === undefined) {
    t.skip('the openssl CLI is not installed');
    return;
  }
  exporter.reset();
  const uninstall = instrumentHttp();
  const secure = createHttpsServer(
    tls,
    traceRequestListener((_req, res) => res.end('secure')),
  );
  await new Promise<void>((resolve) => secure.listen(0, '127.0.0.1', resolve));
  const url = `https://127.0.0.1:${(secure.address() as AddressInfo).port}/s?k=v`;
  try {
    const parent = trace.getTracer('unit').startSpan('parent');
    await context.with(trace.setSpan(context.active(), parent), async () => {
      await new Promise<void>((resolve, reject) =>
        httpsGet(url, { rejectUnauthorized: false }, (res) => res.resume().on('end', resolve)).on('error', reject),
      );
    });
    parent.end();
    const [serverSpan] = await spansNamed('GET', 2).then((spans) => spans.filter((s) => s.kind === SpanKind.Server));
    const client = exporter.spans.find((s) => s.kind === SpanKind.Client);
    assert.ok(serverSpan && client);
    assert.equal(attr(client, 'url.full'), url);
    assert.equal(attr(serverSpan, 'url.scheme'), 'https');
    assert.equal(serverSpan.parentSpanId, client.spanId);
  } finally {
    uninstall();
    await new Promise<void>((resolve) => secure.close(() => resolve()));
  }
});
