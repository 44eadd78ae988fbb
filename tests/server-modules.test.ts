// Every module of `ariadne serve` answers on its own port, wired to the same
// store: a trace sent once over OTLP is visible through the Jaeger API (v1 and
// v3), the Tempo API (on 3200 and on 16686), the Zipkin API, live tail and the
// archive; remote sampling answers.
import assert from 'node:assert/strict';
import { request } from 'node:http';
import { after, before, test } from 'node:test';
import { OTLPTraceExporter } from '@opentelemetry/exporter-trace-otlp-proto';
import { SERVICE_NAME, type SentTrace, sendKnownTrace } from './support/otel-sdk-trace.js';
import { getJson, startTestServer, type TestServer } from './support/test-server.js';

let server: TestServer;
let sent: SentTrace;

before(async () => {
  server = await startTestServer();
  sent = await sendKnownTrace(new OTLPTraceExporter({ url: `${server.otlpHttpUrl}/v1/traces` }));
});
after(() => server.dispose());

test('Jaeger API v3 serves the trace as OTLP JSON', async () => {
  const body = await getJson<{ result: { resourceSpans: { scopeSpans: { spans: { spanId: string }[] }[] }[] } }>(
    `${server.queryUrl}/api/v3/traces/${sent.traceId}`,
  );
  const spanIds = body.result.resourceSpans.flatMap((r) => r.scopeSpans.flatMap((s) => s.spans.map((x) => x.spanId)));
  assert.deepEqual(spanIds.sort(), [sent.rootSpanId, sent.childSpanId].sort());
  const services = await getJson<{ services: string[] }>(`${server.queryUrl}/api/v3/services`);
  assert.deepEqual(services.services, [SERVICE_NAME]);
});

test('the Zipkin query API on the Zipkin port serves the same trace', async () => {
  const spans = await getJson<{ id: string; localEndpoint: { serviceName: string } }[]>(
    `${server.server.listeners.zipkin!.url}/api/v2/trace/${sent.traceId}`,
  );
  assert.equal(spans.length, 2);
  assert.equal(spans[0]?.localEndpoint.serviceName, SERVICE_NAME);
  const services = await getJson<string[]>(`${server.server.listeners.zipkin!.url}/api/v2/services`);
  assert.deepEqual(services, [SERVICE_NAME]);
});

test('the Tempo API on its port answers Grafana: buildinfo, trace by id, TraceQL search', async () => {
  const tempoUrl = server.server.listeners.tempo!.url;
  assert.equal(await (await fetch(`${tempoUrl}/ready`)).text(), 'ready');
  const build = await getJson<{ version: string }>(`${tempoUrl}/api/status/buildinfo`);
  assert.match(build.version, /^2\./);
  const trace = await getJson<{ batches: unknown[] }>(`${tempoUrl}/api/traces/${sent.traceId}`);
  assert.ok(trace.batches.length > 0);
  const q = encodeURIComponent(`{ resource.service.name = "${SERVICE_NAME}" && kind = server }`);
  const found = await getJson<{ traces: { traceID: string; rootServiceName: string; rootTraceName: string }[] }>(
    `${tempoUrl}/api/search?q=${q}`,
  );
  const hit = found.traces.find((t) => t.traceID === sent.traceId);
  assert.ok(hit, 'the trace is found by TraceQL');
  assert.equal(hit.rootServiceName, SERVICE_NAME);
  assert.equal(hit.rootTraceName, 'POST /checkout');
});

test('on 16686, Tempo search answers beside Jaeger, and Jaeger keeps /api/traces/{id}', async () => {
  const q = encodeURIComponent('{ name = "POST /checkout" }');
  const found = await getJson<{ traces: { traceID: string }[] }>(`${server.queryUrl}/api/search?q=${q}`);
  assert.ok(found.traces.some((t) => t.traceID === sent.traceId));
  const v2 = await getJson<{ trace: { resourceSpans: unknown[] } }>(`${server.queryUrl}/api/v2/traces/${sent.traceId}`);
  assert.ok(v2.trace.resourceSpans.length > 0);
  const jaeger = await getJson<{ data: { traceID: string }[] }>(`${server.queryUrl}/api/traces/${sent.traceId}`);
  assert.equal(jaeger.data[0]?.traceID, sent.traceId);
  const invalid = await fetch(`${server.queryUrl}/api/search?q=${encodeURIComponent('{ .a = }')}`);
  assert.equal(invalid.status, 400);
});

test('remote sampling answers on its port', async () => {
  const strategy = await getJson<{ strategyType: unknown }>(
    `${server.server.listeners.sampling!.url}/sampling?service=${SERVICE_NAME}`,
  );
  assert.ok('strategyType' in strategy);
});

test('the archive is wired: archiving a trace succeeds (fallback reads are covered by the API tests)', async () => {
  const archived = await fetch(`${server.queryUrl}/api/archive/${sent.traceId}`, { method: 'POST' });
  assert.equal(archived.status, 200);
  const missing = await fetch(`${server.queryUrl}/api/archive/0123456789abcdef0123456789abcdef`, { method: 'POST' });
  assert.equal(missing.status, 404);
});

test('live tail streams newly accepted spans as server-sent events', async () => {
  const url = new URL(`${server.queryUrl}/api/live?service=${SERVICE_NAME}`);
  const received = new Promise<string>((resolve, reject) => {
    const req = request(url, (response) => {
      assert.equal(response.statusCode, 200);
      assert.match(String(response.headers['content-type']), /text\/event-stream/);
      let text = '';
      response.setEncoding('utf8');
      response.on('data', (chunk: string) => {
        text += chunk;
        if (/event: spans\ndata: .*\n\n/.test(text)) {
          req.destroy();
          resolve(text);
        }
      });
    });
    req.on('error', (error) => {
      if ((error as NodeJS.ErrnoException).code !== 'ECONNRESET') reject(error);
    });
    req.end();
  });
  // The subscription is set up asynchronously: send traces until one comes through (bounded).
  const sentIds: string[] = [];
  let text: string | undefined;
  for (let attempt = 0; attempt < 50 && text === undefined; attempt++) {
    const next = await sendKnownTrace(new OTLPTraceExporter({ url: `${server.otlpHttpUrl}/v1/traces` }));
    sentIds.push(next.traceId);
    text = await Promise.race([
      received,
      new Promise<undefined>((resolve) => setTimeout(() => resolve(undefined), 100)),
    ]);
  }
  assert.ok(text, 'an event arrived');
  assert.ok(
    sentIds.some((id) => text.includes(id)),
    'the event carries a trace sent after subscribing',
  );
});
