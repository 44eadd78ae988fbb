// Acceptance (ground floor): a trace sent by the real OpenTelemetry JS SDK,
// through its protobuf and its JSON OTLP/HTTP exporters, reads back through
// the Jaeger-compatible API with every field intact.
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import type { JaegerEnvelope, JaegerKeyValue, JaegerSpan, JaegerTrace } from '@ariadne/protocol';
import { OTLPTraceExporter as OtlpHttpJsonExporter } from '@opentelemetry/exporter-trace-otlp-http';
import { OTLPTraceExporter as OtlpHttpProtoExporter } from '@opentelemetry/exporter-trace-otlp-proto';
import { microTimes, readSpanTimes, SERVICE_NAME, sendKnownTrace } from './support/otel-sdk-trace.js';
import { getJson, startTestServer, type TestServer } from './support/test-server.js';

const exporters = {
  'otlp-proto': (url: string) => new OtlpHttpProtoExporter({ url }),
  'otlp-http (JSON)': (url: string) => new OtlpHttpJsonExporter({ url }),
};

function tag(tags: readonly JaegerKeyValue[], key: string): JaegerKeyValue | undefined {
  return tags.find((t) => t.key === key);
}

function assertTag(tags: readonly JaegerKeyValue[], key: string, type: string, value: unknown) {
  const found = tag(tags, key);
  assert.ok(found, `tag ${key} is missing from ${JSON.stringify(tags.map((t) => t.key))}`);
  assert.deepEqual({ type: found.type, value: found.value }, { type, value }, `tag ${key}`);
}

for (const [name, makeExporter] of Object.entries(exporters)) {
  describe(`OpenTelemetry SDK via ${name}`, () => {
    let server: TestServer;
    before(async () => {
      server = await startTestServer({ storage: 'embedded' });
    });
    after(() => server.dispose());

    test('the trace reads back through /api/traces/{traceId} with every field intact', async () => {
      const sent = await sendKnownTrace(makeExporter(`${server.otlpHttpUrl}/v1/traces`));
      const body = await getJson<JaegerEnvelope<JaegerTrace[]>>(`${server.queryUrl}/api/traces/${sent.traceId}`);
      assert.equal(body.errors, null);
      assert.equal(body.data.length, 1);
      const trace = body.data[0]!;
      assert.equal(trace.traceID, sent.traceId);
      assert.equal(trace.spans.length, 2);

      const root = trace.spans.find((s) => s.spanID === sent.rootSpanId) as JaegerSpan;
      const child = trace.spans.find((s) => s.spanID === sent.childSpanId) as JaegerSpan;
      assert.ok(root && child, 'both spans are there');

      // Ids and parent references.
      assert.equal(root.operationName, 'POST /checkout');
      assert.deepEqual(root.references, []);
      assert.deepEqual(child.references, [
        { refType: 'CHILD_OF', traceID: sent.traceId, spanID: sent.rootSpanId },
        { refType: 'FOLLOWS_FROM', traceID: sent.linkedTraceId, spanID: sent.linkedSpanId },
      ]);
      // Times: OTLP carries nanoseconds, and they come back exact (API v3); Jaeger's API shows microseconds.
      assert.deepEqual(await readSpanTimes(server.queryUrl, sent.traceId), sent.times);
      for (const span of [root, child]) {
        assert.deepEqual({ startTime: span.startTime, duration: span.duration }, microTimes(sent.times[span.spanID]));
      }

      // Typed attributes: integers stay int64, doubles float64, booleans bool.
      assertTag(root.tags, 'http.request.method', 'string', 'POST');
      assertTag(root.tags, 'http.response.status_code', 'int64', 200);
      assertTag(root.tags, 'app.big_count', 'int64', 9_007_199_254_740_991);
      assertTag(root.tags, 'app.ratio', 'float64', 0.25);
      assertTag(root.tags, 'app.cached', 'bool', true);
      assertTag(root.tags, 'app.tags', 'string', '["a","b"]');
      assertTag(root.tags, 'app.unicode', 'string', 'Ariadne · 测试 · ✓');

      // Kind, status and scope, the way Jaeger maps OTLP.
      assertTag(root.tags, 'span.kind', 'string', 'server');
      assertTag(root.tags, 'otel.status_code', 'string', 'OK');
      assertTag(root.tags, 'otel.scope.name', 'string', 'ariadne-tests');
      assertTag(root.tags, 'otel.scope.version', 'string', '0.0.1');
      assert.equal(tag(root.tags, 'error'), undefined);
      assertTag(child.tags, 'span.kind', 'string', 'client');
      assertTag(child.tags, 'otel.status_code', 'string', 'ERROR');
      assertTag(child.tags, 'otel.status_description', 'string', 'card declined');
      assertTag(child.tags, 'error', 'bool', true);

      // Events become logs with an `event` field and their attributes.
      assert.equal(root.logs.length, 1);
      const log = root.logs[0]!;
      assert.equal(log.timestamp, Number(sent.eventNanos / 1000n));
      assertTag(log.fields, 'event', 'string', 'cart loaded');
      assertTag(log.fields, 'cart.items', 'int64', 3);
      assertTag(log.fields, 'cart.currency', 'string', 'EUR');

      // Resource attributes are the process.
      const process = trace.processes[root.processID]!;
      assert.equal(process.serviceName, SERVICE_NAME);
      assertTag(process.tags, 'service.version', 'string', '1.4.2');
      assertTag(process.tags, 'deployment.environment', 'string', 'test');
      assertTag(process.tags, 'host.cpu.count', 'int64', 2);
      assert.equal(child.processID, root.processID);
    });

    test('the trace is found by a search on its service', async () => {
      const sent = await sendKnownTrace(makeExporter(`${server.otlpHttpUrl}/v1/traces`));
      const body = await getJson<JaegerEnvelope<JaegerTrace[]>>(
        `${server.queryUrl}/api/traces?service=${SERVICE_NAME}&lookback=1h&limit=50`,
      );
      assert.ok(body.data.some((t) => t.traceID === sent.traceId));
      const services = await getJson<JaegerEnvelope<string[]>>(`${server.queryUrl}/api/services`);
      assert.deepEqual(services.data, [SERVICE_NAME]);
    });
  });
}
