// Acceptance (ground floor): spans survive a restart of the server.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { JaegerEnvelope, JaegerTrace } from '@ariadne/protocol';
import { OTLPTraceExporter } from '@opentelemetry/exporter-trace-otlp-proto';
import { sendKnownTrace } from './support/otel-sdk-trace.js';
import { getJson, makeTempDir, removeTempDir, startTestServer } from './support/test-server.js';

test('spans written before a restart are served after it', async () => {
  const dataDir = makeTempDir();
  try {
    const first = await startTestServer({ dataDir });
    const sent = await sendKnownTrace(new OTLPTraceExporter({ url: `${first.otlpHttpUrl}/v1/traces` }));
    await first.stop();

    const second = await startTestServer({ dataDir });
    try {
      const body = await getJson<JaegerEnvelope<JaegerTrace[]>>(`${second.queryUrl}/api/traces/${sent.traceId}`);
      assert.equal(body.data[0]?.spans.length, 2);
      const services = await getJson<JaegerEnvelope<string[]>>(`${second.queryUrl}/api/services`);
      assert.deepEqual(services.data, ['checkout']);
    } finally {
      await second.stop();
    }
  } finally {
    removeTempDir(dataDir);
  }
});
