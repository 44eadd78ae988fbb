// Acceptance (issue 6, demo 1): TracingExample's `GET /trace` calls its own
// `GET /` over HTTP; the trace read back through the Jaeger query API has every
// step as a span, nested, with tags, logs and W3C trace context on the hop.
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { OtlpHttpExporter } from '@ariadne/sdk';
import { HELLO_SERVICE_NAME, HELLO_TEXT, startHelloService } from '../examples/hello-tracing-world/hello-service.js';
import type { RunningService } from '../examples/shared/running-service.js';
import { logFields, tag, waitForTrace } from '../examples/testing/jaeger-query.js';
import { startTestServer, type TestServer } from './support/test-server.js';

let ariadne: TestServer;
let hello: RunningService;
const logLines: string[] = [];

before(async () => {
  ariadne = await startTestServer({ storage: 'memory' });
  hello = await startHelloService({
    port: 0,
    exporters: [new OtlpHttpExporter({ url: `${ariadne.otlpHttpUrl}/v1/traces`, env: {} })],
    logStream: { write: (chunk: string) => logLines.push(...chunk.trim().split('\n')) },
  });
});

after(async () => {
  await hello?.close();
  await ariadne?.dispose();
});

test('GET / answers the greeting', async () => {
  const response = await fetch(`${hello.url}/`);
  assert.equal(response.status, 200);
  assert.equal(await response.text(), HELLO_TEXT);
  assert.match(response.headers.get('x-trace-id') ?? '', /^[0-9a-f]{32}$/);
});

test('GET /trace becomes one trace: server → client → server → step, with tags and logs', async () => {
  const response = await fetch(`${hello.url}/trace`);
  assert.equal(response.status, 200);
  const body = (await response.json()) as { traceId: string; downstream: string };
  const traceId = response.headers.get('x-trace-id') ?? '';
  assert.equal(body.traceId, traceId);
  assert.equal(body.downstream, HELLO_TEXT);
  await hello.flush();

  const view = await waitForTrace(ariadne.queryUrl, traceId, 4);
  assert.deepEqual(
    view.trace.spans.map((s) => view.serviceOf(s)),
    Array(4).fill(HELLO_SERVICE_NAME),
  );
  const root = view.span('GET /trace');
  const client = view.spans('GET /').find((s) => tag(s, 'span.kind') === 'client');
  const server = view.spans('GET /').find((s) => tag(s, 'span.kind') === 'server');
  const step = view.span('compose greeting');
  assert.ok(client && server, 'a client and a server span for GET /');
  assert.equal(view.parentOf(root), undefined, 'GET /trace is the root');
  assert.equal(view.parentOf(client)?.spanID, root.spanID);
  assert.equal(view.parentOf(server)?.spanID, client.spanID);
  assert.equal(view.parentOf(step)?.spanID, server.spanID);

  // Propagation: nothing arrived with the outer request, W3C traceparent crossed the inner hop.
  assert.equal(tag(root, 'propagation.format'), 'none');
  assert.equal(tag(server, 'propagation.format'), 'w3c');
  assert.equal(tag(server, 'http.request.header.traceparent'), `00-${traceId}-${client.spanID}-01`);
  assert.equal(tag(client, 'http.request.header.traceparent'), `00-${traceId}-${client.spanID}-01`);

  // The SDK's HTTP instrumentation made the spans: its traceresponse header names the root, its attributes are there.
  assert.equal(response.headers.get('traceresponse'), `00-${traceId}-${root.spanID}-01`);
  assert.equal(tag(server, 'url.scheme'), 'http');
  assert.equal(tag(client, 'url.full'), `${hello.url}/`);
  assert.equal(tag(client, 'http.response.status_code'), 200);

  // Tags and log messages.
  assert.equal(tag(root, 'http.route'), '/trace');
  assert.equal(tag(root, 'http.response.status_code'), 200);
  assert.equal(tag(root, 'demo.scenario'), 'hello-tracing-world');
  assert.equal(tag(step, 'greeting.language'), 'en');
  assert.deepEqual(
    logFields(root).map((f) => f.event),
    ['calling the hello endpoint', 'hello endpoint answered'],
  );
  assert.equal(logFields(root)[1]?.message, HELLO_TEXT);
  assert.equal(logFields(step)[0]?.event, 'greeting composed');
  assert.equal(logFields(server)[0]?.event, 'saying hello');

  // Log correlation: the service's log lines name the trace and the span they were written in.
  const lines = logLines.map((l) => JSON.parse(l) as Record<string, string>);
  const composed = lines.find((l) => l.msg === 'greeting composed' && l.trace_id === traceId);
  assert.equal(composed?.span_id, step.spanID);
  assert.equal(composed?.trace_flags, '01');
  assert.equal(composed?.service, HELLO_SERVICE_NAME);
});
