import assert from 'node:assert/strict';
import { createSocket } from 'node:dgram';
import type { AddressInfo } from 'node:net';
import { test } from 'node:test';
import { gunzipSync } from 'node:zlib';
import { decodeJaegerAgentMessage, decodeJaegerThriftBatch, type Span } from '@ariadne/protocol';
import { BatchSpanProcessor } from '../processing/batch-span-processor.js';
import { resourceFromAttributes } from '../resource/detect-resource.js';
import { AlwaysOnSampler } from '../sampling/always-on-sampler.js';
import { AriadneTracerProvider } from '../trace/tracer-provider.js';
import { JaegerAgentExporter } from './jaeger-agent-exporter.js';
import { JaegerHttpExporter } from './jaeger-http-exporter.js';
import { testHttpEndpoint } from './test-http-endpoint.js';
import { someSpans } from './test-spans.js';

async function udpAgent() {
  const datagrams: Buffer[] = [];
  const socket = createSocket('udp4');
  socket.on('message', (m) => datagrams.push(m));
  await new Promise<void>((resolve) => socket.bind(0, '127.0.0.1', resolve));
  return {
    port: (socket.address() as AddressInfo).port,
    datagrams,
    /** Waits until the datagrams hold `n` spans (each test has a test-level timeout). */
    async waitForSpans(n: number) {
      while (datagrams.flatMap((d) => decodeJaegerAgentMessage(d, 'compact')).length < n) {
        await new Promise((resolve) => setTimeout(resolve, 5));
      }
    },
    close: () => new Promise<void>((resolve) => socket.close(() => resolve())),
  };
}

test('agent: compact emitBatch over UDP, split under the datagram limit, flushed by shutdown', {
  timeout: 20_000,
}, async () => {
  const agent = await udpAgent();
  const exporter = new JaegerAgentExporter({ host: '127.0.0.1', port: agent.port, env: {} });
  const provider = new AriadneTracerProvider({
    resource: resourceFromAttributes({ 'service.name': 'udp-svc' }),
    sampler: new AlwaysOnSampler(),
    // A long delay: only shutdown's flush can send these spans.
    spanProcessors: [new BatchSpanProcessor(exporter, { scheduleDelayMillis: 60_000, env: {} })],
  });
  const tracer = provider.getTracer('t');
  const blob = 'x'.repeat(1000);
  // 120 spans of ~1 KB cannot fit one 65,000-byte datagram (and stay within a default socket receive buffer).
  for (let i = 0; i < 120; i++) tracer.startSpan(`op-${i}`, { attributes: { blob } }).end();
  assert.equal(agent.datagrams.length, 0);
  await provider.shutdown();
  try {
    await agent.waitForSpans(120);
    assert.ok(agent.datagrams.length >= 2);
    assert.ok(agent.datagrams.every((d) => d.length <= 65_000));
    const spans = agent.datagrams.flatMap((d) => decodeJaegerAgentMessage(d, 'compact'));
    assert.equal(new Set(spans.map((s) => s.name)).size, 120);
    assert.equal(spans[0]?.resource.attributes[0]?.value.type, 'string');
  } finally {
    await agent.close();
  }
});

test('agent: a span larger than a datagram on its own is dropped and reported', async () => {
  const exporter = new JaegerAgentExporter({ host: '127.0.0.1', port: 9, maxPacketBytes: 2000, env: {} });
  const [span] = await someSpans();
  const big: Span = {
    ...(span as Span),
    attributes: [{ key: 'b', value: { type: 'string', value: 'y'.repeat(5000) } }],
  };
  const { packets, droppedSpans } = exporter.datagramsOf([big, span as Span]);
  assert.equal(droppedSpans, 1);
  assert.equal(packets.length, 1);
  await exporter.shutdown();
});

test('collector: binary Thrift POST, retried on 429 and 503 with Retry-After, gzip, basic auth', async () => {
  const endpoint = await testHttpEndpoint([
    { status: 429, headers: { 'retry-after': '0' } },
    { status: 503 },
    { status: 202 },
  ]);
  try {
    const spans = await someSpans('jaeger-http');
    const exporter = new JaegerHttpExporter({
      url: `${endpoint.base}/api/traces`,
      compression: 'gzip',
      user: 'u',
      password: 'p',
      initialBackoffMillis: 1,
      maxBackoffMillis: 2,
      env: {},
    });
    assert.deepEqual(await exporter.export(spans), { code: 'success' });
    assert.equal(endpoint.received.length, 3);
    const last = endpoint.received[2];
    assert.equal(last?.url, '/api/traces');
    assert.equal(last?.headers['content-type'], 'application/x-thrift');
    assert.equal(last?.headers.authorization, `Basic ${Buffer.from('u:p').toString('base64')}`);
    const decoded = decodeJaegerThriftBatch(gunzipSync(last?.body as Buffer), 'binary');
    assert.deepEqual(
      decoded.map((s) => [s.traceId, s.spanId, s.parentSpanId, s.name]),
      spans.map((s) => [s.traceId, s.spanId, s.parentSpanId, s.name]),
    );
    await exporter.shutdown();
  } finally {
    await endpoint.close();
  }
});

test('collector: a server that never answers fails the export at the timeout', async () => {
  const endpoint = await testHttpEndpoint(['hang']);
  try {
    const exporter = new JaegerHttpExporter({ url: `${endpoint.base}/api/traces`, timeoutMillis: 200, env: {} });
    const result = await exporter.export(await someSpans());
    assert.equal(result.code, 'failed');
    await exporter.shutdown();
  } finally {
    await endpoint.close();
  }
});

test('endpoints from the environment, including the demo spelling', () => {
  const agent = new JaegerAgentExporter({
    env: { TRACES_EXPORTER_JAEGER_AGENT_HOST: 'agent', TRACES_EXPORTER_JAEGER_AGENT_PORT: '6832' },
  });
  assert.deepEqual([agent.host, agent.port], ['agent', 6832]);
  const otel = new JaegerAgentExporter({
    env: { OTEL_EXPORTER_JAEGER_AGENT_HOST: 'a', TRACES_EXPORTER_JAEGER_AGENT_HOST: 'b' },
  });
  assert.deepEqual([otel.host, otel.port], ['a', 6831]);
  assert.equal(
    new JaegerHttpExporter({ env: { OTEL_EXPORTER_JAEGER_ENDPOINT: 'http://c/api/traces' } }).url,
    'http://c/api/traces',
  );
});
