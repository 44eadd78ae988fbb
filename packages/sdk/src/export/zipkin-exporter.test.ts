import assert from 'node:assert/strict';
import { test } from 'node:test';
import { gunzipSync } from 'node:zlib';
import { decodeZipkinV2Json } from '@ariadne/protocol';
import { testHttpEndpoint } from './test-http-endpoint.js';
import { someSpans } from './test-spans.js';
import { ZipkinExporter } from './zipkin-exporter.js';

test('POSTs v2 JSON (gzip) to /api/v2/spans, retrying a 503 that asks for Retry-After', async () => {
  const endpoint = await testHttpEndpoint([{ status: 503, headers: { 'retry-after': '0' } }, { status: 202 }]);
  try {
    const spans = await someSpans('zipkin-svc');
    const exporter = new ZipkinExporter({
      url: `${endpoint.base}/api/v2/spans`,
      compression: 'gzip',
      initialBackoffMillis: 1,
      env: {},
    });
    assert.deepEqual(await exporter.export(spans), { code: 'success' });
    assert.equal(endpoint.received.length, 2);
    const last = endpoint.received[1];
    assert.equal(last?.url, '/api/v2/spans');
    assert.equal(last?.headers['content-encoding'], 'gzip');
    const decoded = decodeZipkinV2Json(gunzipSync(last?.body as Buffer));
    assert.deepEqual(
      decoded.map((s) => [s.traceId, s.spanId, s.parentSpanId, s.name]).sort(),
      spans.map((s) => [s.traceId, s.spanId, s.parentSpanId, s.name]).sort(),
    );
    await exporter.shutdown();
    assert.equal((await exporter.export(spans)).code, 'failed', 'shut down');
  } finally {
    await endpoint.close();
  }
});

test('endpoint from OTEL_EXPORTER_ZIPKIN_ENDPOINT', () => {
  assert.equal(
    new ZipkinExporter({ env: { OTEL_EXPORTER_ZIPKIN_ENDPOINT: 'http://z:9411/x' } }).url,
    'http://z:9411/x',
  );
});
