import assert from 'node:assert/strict';
import { createSocket } from 'node:dgram';
import { test } from 'node:test';
import { encodeJaegerAgentMessage, type JaegerThriftBatch, type Span } from '@ariadne/protocol';
import { createIngestPipeline } from '../../pipeline/ingest-pipeline.js';
import { openMemoryStore } from '../../storage/memory/memory-store.js';
import { IngestMetrics } from '../../telemetry/ingest-metrics.js';
import { SINGLE_TENANT } from '../../tenancy/tenant-id.js';
import { datagramsDroppedCounter, listenJaegerUdp } from './jaeger-udp-receiver.js';

const batch = (spanId: bigint): JaegerThriftBatch => ({
  process: { serviceName: 'udp-service' },
  spans: [
    {
      traceIdHigh: 0n,
      traceIdLow: 0x8448eb211c80319cn,
      spanId,
      parentSpanId: 0n,
      operationName: 'udp span',
      flags: 1,
      startTime: 1_700_000_000_000_000n,
      duration: 5n,
    },
  ],
});

async function until(condition: () => boolean) {
  while (!condition()) await new Promise((resolve) => setTimeout(resolve, 5));
}

test('UDP: spans are stored, bad datagrams and overload are counted as dropped, nothing crashes', async () => {
  const store = openMemoryStore();
  const metrics = new IngestMetrics();
  let gated = false;
  let release!: () => void;
  const gate = new Promise<void>((resolve) => {
    release = resolve;
  });
  const pipeline = createIngestPipeline(
    {
      async writeSpans(spans: readonly Span[]) {
        if (gated) await gate;
        await store.writeSpans(spans);
      },
    },
    { maxInFlightSpans: 1, metrics },
  );
  const compact = await listenJaegerUdp('compact', '127.0.0.1', 0, {
    pipeline,
    metrics,
    protocol: 'compact',
    tenant: SINGLE_TENANT,
  });
  const binary = await listenJaegerUdp('binary', '127.0.0.1', 0, {
    pipeline,
    metrics,
    protocol: 'binary',
    tenant: SINGLE_TENANT,
  });
  const socket = createSocket('udp4');
  const send = (bytes: Uint8Array, port: number) =>
    new Promise<void>((resolve, reject) => socket.send(bytes, port, '127.0.0.1', (e) => (e ? reject(e) : resolve())));
  try {
    await send(encodeJaegerAgentMessage(batch(1n), 'compact'), compact.port);
    await send(encodeJaegerAgentMessage(batch(2n), 'binary'), binary.port);
    await until(() => metrics.spansAccepted.get({ receiver: 'jaeger-binary' }) === 1);
    await until(() => metrics.spansAccepted.get({ receiver: 'jaeger-compact' }) === 1);
    const stored = await store.getTrace('00000000000000008448eb211c80319c');
    assert.deepEqual(stored.map((span) => span.spanId).sort(), ['0000000000000001', '0000000000000002']);

    // Binary bytes on the compact port, and noise.
    await send(encodeJaegerAgentMessage(batch(3n), 'binary'), compact.port);
    await send(new Uint8Array([1, 2, 3]), binary.port);
    const dropped = datagramsDroppedCounter(metrics);
    await until(() => dropped.get({ receiver: 'jaeger-compact', reason: 'invalid' }) === 1);
    await until(() => dropped.get({ receiver: 'jaeger-binary', reason: 'invalid' }) === 1);

    gated = true;
    await send(encodeJaegerAgentMessage(batch(4n), 'binary'), binary.port);
    await until(() => pipeline.inFlightSpans === 1);
    await send(encodeJaegerAgentMessage(batch(5n), 'compact'), compact.port);
    await until(() => metrics.spansDropped.get({ receiver: 'jaeger-compact', reason: 'overloaded' }) === 1);
    assert.equal(metrics.spansRejected.get({ receiver: 'jaeger-compact', reason: 'overloaded' }), 0);
    release();
    await until(() => metrics.spansAccepted.get({ receiver: 'jaeger-binary' }) === 2);
  } finally {
    socket.close();
    await compact.close();
    await binary.close();
    await pipeline.close();
    await store.close();
  }
});
