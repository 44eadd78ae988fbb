import assert from 'node:assert/strict';
import { createServer, type IncomingMessage, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { test } from 'node:test';
import { gunzipSync } from 'node:zlib';
import { decodeOtlpTraceRequestJson, decodeOtlpTraceRequestProto, type Span } from '@ariadne/protocol';
import { SimpleSpanProcessor } from '../processing/simple-span-processor.js';
import { resourceFromAttributes } from '../resource/detect-resource.js';
import { AriadneTracerProvider } from '../trace/tracer-provider.js';
import { InMemorySpanExporter } from './in-memory-span-exporter.js';
import { OtlpHttpExporter } from './otlp-http-exporter.js';
import { DEFAULT_RETRY_POLICY, retryAfterMillis, retryWaitMillis } from './retry.js';
import { mutualTlsEnvs, testCertificates } from './test-certificates.js';
import { testHttpEndpoint } from './test-http-endpoint.js';

interface Received {
  headers: IncomingMessage['headers'];
  body: Buffer;
}

async function serve(statuses: { status: number; headers?: Record<string, string> }[]) {
  const received: Received[] = [];
  const server: Server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      received.push({ headers: req.headers, body: Buffer.concat(chunks) });
      const next = statuses[Math.min(received.length - 1, statuses.length - 1)] ?? { status: 200 };
      res.writeHead(next.status, next.headers).end();
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/v1/traces`;
  return { url, received, close: () => new Promise<void>((resolve) => server.close(() => resolve())) };
}

async function someSpans(): Promise<Span[]> {
  const memory = new InMemorySpanExporter();
  const provider = new AriadneTracerProvider({
    resource: resourceFromAttributes({ 'service.name': 'otlp-test' }),
    spanProcessors: [new SimpleSpanProcessor(memory)],
  });
  const tracer = provider.getTracer('t');
  const parent = tracer.startSpan('parent', { attributes: { n: 1 } });
  parent.end();
  tracer.startSpan('other').end();
  await provider.shutdown();
  return [...memory.spans];
}

test('protobuf by default; the receiver decodes the same spans', async () => {
  const server = await serve([{ status: 200 }]);
  try {
    const spans = await someSpans();
    const exporter = new OtlpHttpExporter({ url: server.url, headers: { 'x-api-key': 'k' }, env: {} });
    assert.deepEqual(await exporter.export(spans), { code: 'success' });
    const [request] = server.received as [Received];
    assert.equal(request.headers['content-type'], 'application/x-protobuf');
    assert.equal(request.headers['x-api-key'], 'k');
    const decoded = decodeOtlpTraceRequestProto(request.body).spans;
    assert.deepEqual(
      decoded.map((s) => [s.traceId, s.spanId, s.name, s.startTimeUnixNano]),
      spans.map((s) => [s.traceId, s.spanId, s.name, s.startTimeUnixNano]),
    );
    await exporter.shutdown();
  } finally {
    await server.close();
  }
});

test('JSON with gzip', async () => {
  const server = await serve([{ status: 200 }]);
  try {
    const exporter = new OtlpHttpExporter({ url: server.url, encoding: 'json', compression: 'gzip', env: {} });
    const spans = await someSpans();
    assert.equal((await exporter.export(spans)).code, 'success');
    const [request] = server.received as [Received];
    assert.equal(request.headers['content-encoding'], 'gzip');
    assert.equal(request.headers['content-type'], 'application/json');
    assert.equal(decodeOtlpTraceRequestJson(gunzipSync(request.body)).spans.length, 2);
  } finally {
    await server.close();
  }
});

test('retries 429/502/503/504 honouring Retry-After; gives up on 400 at once', async () => {
  const server = await serve([
    { status: 503, headers: { 'retry-after': '0' } },
    { status: 429 },
    { status: 502 },
    { status: 504 },
    { status: 200 },
  ]);
  try {
    const exporter = new OtlpHttpExporter({ url: server.url, initialBackoffMillis: 1, maxBackoffMillis: 2, env: {} });
    assert.equal((await exporter.export(await someSpans())).code, 'success');
    assert.equal(server.received.length, 5);
  } finally {
    await server.close();
  }
  const bad = await serve([{ status: 400 }]);
  try {
    const exporter = new OtlpHttpExporter({ url: bad.url, initialBackoffMillis: 1, env: {} });
    const result = await exporter.export(await someSpans());
    assert.equal(result.code, 'failed');
    assert.equal(bad.received.length, 1);
  } finally {
    await bad.close();
  }
});

test('a Retry-After beyond the deadline fails without waiting; attempts are bounded', async () => {
  const server = await serve([{ status: 503, headers: { 'retry-after': '3600' } }]);
  try {
    const exporter = new OtlpHttpExporter({ url: server.url, timeoutMillis: 60_000, env: {} });
    assert.equal((await exporter.export(await someSpans())).code, 'failed');
    assert.equal(server.received.length, 1);
  } finally {
    await server.close();
  }
  const always = await serve([{ status: 503 }]);
  try {
    const exporter = new OtlpHttpExporter({ url: always.url, maxAttempts: 3, initialBackoffMillis: 1, env: {} });
    assert.equal((await exporter.export(await someSpans())).code, 'failed');
    assert.equal(always.received.length, 3);
  } finally {
    await always.close();
  }
});

test('a 429 with Retry-After: 1 is retried no sooner than a second later', async () => {
  const endpoint = await testHttpEndpoint([{ status: 429, headers: { 'retry-after': '1' } }, { status: 200 }]);
  // Backoff alone would wait a millisecond or two: only the Retry-After explains a second.
  const url = `${endpoint.base}/v1/traces`;
  const exporter = new OtlpHttpExporter({ url, initialBackoffMillis: 1, maxBackoffMillis: 2, env: {} });
  try {
    assert.deepEqual(await exporter.export(await someSpans()), { code: 'success' });
    const [first, second] = endpoint.received;
    assert.ok(first && second);
    assert.equal(endpoint.received.length, 2);
    // A lower bound on a wait the server imposed (less a little for timer rounding), not a speed.
    const gap = second.receivedAt - first.receivedAt;
    assert.ok(gap >= 950, `retried ${gap} ms after the 429`);
  } finally {
    await exporter.shutdown();
    await endpoint.close();
  }
});

test('a server that never answers fails the export at the timeout', async () => {
  const endpoint = await testHttpEndpoint(['hang']);
  const exporter = new OtlpHttpExporter({ url: `${endpoint.base}/v1/traces`, timeoutMillis: 200, env: {} });
  try {
    assert.equal((await exporter.export(await someSpans())).code, 'failed');
    assert.ok(endpoint.received.length >= 1);
  } finally {
    await exporter.shutdown();
    await endpoint.close();
  }
});

test('headers, compression and timeout from OTEL_EXPORTER_OTLP_* variables, the TRACES_ ones winning', {
  timeout: 20_000,
}, async () => {
  const endpoint = await testHttpEndpoint([{ status: 200 }]);
  const hanging = await testHttpEndpoint(['hang']);
  const env = {
    OTEL_EXPORTER_OTLP_HEADERS: 'api-key=general%20key,team=a',
    OTEL_EXPORTER_OTLP_TRACES_HEADERS: 'team=b',
    OTEL_EXPORTER_OTLP_COMPRESSION: 'gzip',
    OTEL_EXPORTER_OTLP_TIMEOUT: '60000',
    OTEL_EXPORTER_OTLP_TRACES_TIMEOUT: '200',
  };
  const exporter = new OtlpHttpExporter({ env: { ...env, OTEL_EXPORTER_OTLP_ENDPOINT: endpoint.base } });
  const stuck = new OtlpHttpExporter({ env: { ...env, OTEL_EXPORTER_OTLP_TRACES_ENDPOINT: `${hanging.base}/x` } });
  try {
    assert.deepEqual(await exporter.export(await someSpans()), { code: 'success' });
    const [request] = endpoint.received;
    assert.equal(request?.url, '/v1/traces');
    assert.equal(request?.headers['api-key'], 'general key');
    assert.equal(request?.headers.team, 'b');
    assert.equal(request?.headers['content-encoding'], 'gzip');
    assert.equal(decodeOtlpTraceRequestProto(gunzipSync(request?.body as Buffer)).spans.length, 2);
    // The 200 ms of OTEL_EXPORTER_OTLP_TRACES_TIMEOUT, not the general 60 s, which would outlast the test's timeout.
    assert.equal((await stuck.export(await someSpans())).code, 'failed');
  } finally {
    await exporter.shutdown();
    await stuck.shutdown();
    await endpoint.close();
    await hanging.close();
  }
});

test('OTEL_EXPORTER_OTLP_TRACES_COMPRESSION wins over OTEL_EXPORTER_OTLP_COMPRESSION, both ways', async () => {
  const endpoint = await testHttpEndpoint([{ status: 200 }]);
  const url = `${endpoint.base}/v1/traces`;
  const gzipped = new OtlpHttpExporter({
    url,
    env: { OTEL_EXPORTER_OTLP_COMPRESSION: 'none', OTEL_EXPORTER_OTLP_TRACES_COMPRESSION: 'gzip' },
  });
  const plain = new OtlpHttpExporter({
    url,
    env: { OTEL_EXPORTER_OTLP_COMPRESSION: 'gzip', OTEL_EXPORTER_OTLP_TRACES_COMPRESSION: 'none' },
  });
  try {
    assert.deepEqual(await gzipped.export(await someSpans()), { code: 'success' });
    assert.deepEqual(await plain.export(await someSpans()), { code: 'success' });
    const [first, second] = endpoint.received;
    assert.equal(first?.headers['content-encoding'], 'gzip');
    assert.equal(decodeOtlpTraceRequestProto(gunzipSync(first?.body as Buffer)).spans.length, 2);
    assert.equal(second?.headers['content-encoding'], undefined);
    assert.equal(decodeOtlpTraceRequestProto(second?.body as Buffer).spans.length, 2);
  } finally {
    await gzipped.shutdown();
    await plain.shutdown();
    await endpoint.close();
  }
});

test('https: the CA, client key and certificate from OTEL_EXPORTER_OTLP_* files, for a server that requires mutual TLS', async (t) => {
  const certs = testCertificates();
  if (certs === undefined) {
    t.skip('the openssl CLI is not installed');
    return;
  }
  const endpoint = await testHttpEndpoint([{ status: 200 }], { ...certs.server, requestCert: true });
  const url = `${endpoint.base}/v1/traces`;
  const envs = mutualTlsEnvs(certs);
  const trusted = new OtlpHttpExporter({ env: { ...envs.trusted, OTEL_EXPORTER_OTLP_TRACES_ENDPOINT: url } });
  const anonymous = new OtlpHttpExporter({ url, maxAttempts: 1, env: envs.anonymous });
  const untrusting = new OtlpHttpExporter({ url, maxAttempts: 1, env: envs.untrusting });
  try {
    const spans = await someSpans();
    assert.deepEqual(await trusted.export(spans), { code: 'success' });
    const [request] = endpoint.received;
    assert.equal(request?.headers['content-type'], 'application/x-protobuf');
    assert.equal(decodeOtlpTraceRequestProto(request?.body as Buffer).spans.length, 2);
    assert.equal((await anonymous.export(spans)).code, 'failed');
    assert.equal((await untrusting.export(spans)).code, 'failed');
    assert.equal(endpoint.received.length, 1);
  } finally {
    await Promise.all([trusted.shutdown(), anonymous.shutdown(), untrusting.shutdown()]);
    await endpoint.close();
    certs.remove();
  }
});

test('endpoint and options from OTEL_EXPORTER_OTLP_* variables; Retry-After forms', () => {
  const exporter = new OtlpHttpExporter({ env: { OTEL_EXPORTER_OTLP_ENDPOINT: 'http://collector:4318/' } });
  assert.equal(exporter.url, 'http://collector:4318/v1/traces');
  assert.equal(
    new OtlpHttpExporter({ env: { OTEL_EXPORTER_OTLP_TRACES_ENDPOINT: 'http://x/custom' } }).url,
    'http://x/custom',
  );
  assert.equal(retryAfterMillis('7'), 7000);
  assert.equal(retryAfterMillis(new Date(10_000).toUTCString(), 4000), 6000);
  assert.equal(retryAfterMillis('soon'), undefined);
  assert.equal(retryAfterMillis(null), undefined);
});

test('backoff: the ceiling doubles per retry up to the cap, the wait is a random share of it, Retry-After wins', () => {
  const top = () => 0.999_999;
  assert.deepEqual(
    [0, 1, 2, 3, 4].map((n) => Math.round(retryWaitMillis(DEFAULT_RETRY_POLICY, n, undefined, top))),
    [1000, 2000, 4000, 5000, 5000],
  );
  assert.equal(
    retryWaitMillis(DEFAULT_RETRY_POLICY, 3, undefined, () => 0),
    0,
  );
  assert.equal(
    retryWaitMillis(DEFAULT_RETRY_POLICY, 1, undefined, () => 0.25),
    500,
  );
  assert.equal(retryWaitMillis(DEFAULT_RETRY_POLICY, 0, 7000, top), 7000);
  for (let i = 0; i < 100; i++) {
    const wait = retryWaitMillis(DEFAULT_RETRY_POLICY, 2, undefined);
    assert.ok(wait >= 0 && wait < 4000, String(wait));
  }
});
