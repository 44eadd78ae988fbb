// OTLP/gRPC (4317): a trace sent by the real OpenTelemetry JS SDK through its
// gRPC exporter (gzip) reads back through the Jaeger API with every field
// intact (its times to the nanosecond through API v3), and /metrics counts it
// under the otlp-grpc receiver.
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import type { JaegerEnvelope, JaegerKeyValue, JaegerSpan, JaegerTrace } from '@ariadne/protocol';
import { OTLPTraceExporter } from '@opentelemetry/exporter-trace-otlp-grpc';
// The exporter's own dependency, for its compression setting.
import { CompressionAlgorithm } from '@opentelemetry/otlp-exporter-base';
import { microTimes, readSpanTimes, SERVICE_NAME, sendKnownTrace } from './support/otel-sdk-trace.js';
import { getJson, startTestServer, type TestServer } from './support/test-server.js';

function assertTag(tags: readonly JaegerKeyValue[], key: string, type: string, value: unknown) {
  const found = tags.find((t) => t.key === key);
  assert.ok(found, `tag ${key} is missing from ${JSON.stringify(tags.map((t) => t.key))}`);
  assert.deepEqual({ type: found.type, value: found.value }, { type, value }, `tag ${key}`);
}

describe('OTLP/gRPC receiver with the OpenTelemetry gRPC exporter', () => {
  let server: TestServer;
  before(async () => {
    server = await startTestServer({ storage: 'memory' });
  });
  after(() => server.dispose());

  test('the trace reads back through /api/traces/{traceId} with every field intact', async () => {
    const address = server.urlOf('otlpGrpc').replace('grpc://', 'http://');
    const sent = await sendKnownTrace(new OTLPTraceExporter({ url: address, compression: CompressionAlgorithm.GZIP }));
    const body = await getJson<JaegerEnvelope<JaegerTrace[]>>(`${server.queryUrl}/api/traces/${sent.traceId}`);
    const trace = body.data[0]!;
    assert.equal(trace.spans.length, 2);
    const root = trace.spans.find((s) => s.spanID === sent.rootSpanId) as JaegerSpan;
    const child = trace.spans.find((s) => s.spanID === sent.childSpanId) as JaegerSpan;
    assert.ok(root && child, 'both spans are there');
    assert.equal(root.operationName, 'POST /checkout');
    assert.deepEqual(child.references, [
      { refType: 'CHILD_OF', traceID: sent.traceId, spanID: sent.rootSpanId },
      { refType: 'FOLLOWS_FROM', traceID: sent.linkedTraceId, spanID: sent.linkedSpanId },
    ]);
    // OTLP carries nanoseconds, and they come back exact (API v3); Jaeger's API shows microseconds.
    assert.deepEqual(await readSpanTimes(server.queryUrl, sent.traceId), sent.times);
    for (const span of [root, child]) {
      assert.deepEqual({ startTime: span.startTime, duration: span.duration }, microTimes(sent.times[span.spanID]));
    }
    assertTag(root.tags, 'http.request.method', 'string', 'POST');
    assertTag(root.tags, 'http.response.status_code', 'int64', 200);
    assertTag(root.tags, 'app.big_count', 'int64', 9_007_199_254_740_991);
    assertTag(root.tags, 'app.ratio', 'float64', 0.25);
    assertTag(root.tags, 'app.cached', 'bool', true);
    assertTag(root.tags, 'app.tags', 'string', '["a","b"]');
    assertTag(root.tags, 'app.unicode', 'string', 'Ariadne · 测试 · ✓');
    assertTag(root.tags, 'span.kind', 'string', 'server');
    assertTag(root.tags, 'otel.status_code', 'string', 'OK');
    assertTag(root.tags, 'otel.scope.name', 'string', 'ariadne-tests');
    assertTag(root.tags, 'otel.scope.version', 'string', '0.0.1');
    assertTag(child.tags, 'span.kind', 'string', 'client');
    assertTag(child.tags, 'otel.status_description', 'string', 'card declined');
    assertTag(child.tags, 'error', 'bool', true);
    assert.equal(root.logs.length, 1);
    assertTag(root.logs[0]!.fields, 'event', 'string', 'cart loaded');
    assertTag(root.logs[0]!.fields, 'cart.items', 'int64', 3);
    const process = trace.processes[root.processID]!;
    assert.equal(process.serviceName, SERVICE_NAME);
    assertTag(process.tags, 'service.version', 'string', '1.4.2');
    assertTag(process.tags, 'host.cpu.count', 'int64', 2);

    const metrics = await (await fetch(`${server.queryUrl}/metrics`)).text();
    assert.match(metrics, /ariadne_receiver_spans_accepted_total\{receiver="otlp-grpc"\} 2\n/);
    assert.match(metrics, /ariadne_receiver_spans_received_total\{receiver="otlp-grpc"\} 2\n/);
  });
});
