import assert from 'node:assert/strict';
import { test } from 'node:test';
import { EMPTY_RESOURCE, EMPTY_SCOPE, type Span, SpanKind, StatusCode } from '@ariadne/protocol';
import { InMemorySpanExporter } from '../export/in-memory-span-exporter.js';
import { OtlpHttpExporter } from '../export/otlp-http-exporter.js';
import { EXPORT_SUCCESS, type ExportResult, type SpanExporter } from '../export/span-exporter.js';
import { testHttpEndpoint } from '../export/test-http-endpoint.js';
import { BatchSpanProcessor } from './batch-span-processor.js';

function span(i: number, flags = 0x101): Span {
  return {
    traceId: i.toString(16).padStart(32, '0'),
    spanId: (i + 1).toString(16).padStart(16, '0'),
    parentSpanId: '',
    traceState: '',
    flags,
    name: `s${i}`,
    kind: SpanKind.Internal,
    startTimeUnixNano: 1n,
    endTimeUnixNano: 2n,
    attributes: [],
    droppedAttributesCount: 0,
    events: [],
    droppedEventsCount: 0,
    links: [],
    droppedLinksCount: 0,
    status: { code: StatusCode.Unset, message: '' },
    resource: EMPTY_RESOURCE,
    scope: EMPTY_SCOPE,
  };
}

/** Holds every export until released, to observe what the processor does meanwhile. */
class GatedExporter implements SpanExporter {
  readonly batches: (readonly Span[])[] = [];
  private release: (() => void)[] = [];
  private open = false;
  private arrived: (() => void) | undefined;

  export(spans: readonly Span[]): Promise<ExportResult> {
    this.batches.push(spans);
    this.arrived?.();
    if (this.open) return Promise.resolve(EXPORT_SUCCESS);
    return new Promise((resolve) => this.release.push(() => resolve(EXPORT_SUCCESS)));
  }
  nextExport(): Promise<void> {
    return new Promise((resolve) => {
      this.arrived = resolve;
    });
  }
  openGate(): void {
    this.open = true;
    for (const r of this.release.splice(0)) r();
  }
  shutdown(): Promise<void> {
    return Promise.resolve();
  }
}

const FAR = 3_600_000;

test('a full batch is exported at once, without waiting for the schedule', async () => {
  const exporter = new GatedExporter();
  const processor = new BatchSpanProcessor(exporter, { maxExportBatchSize: 3, scheduleDelayMillis: FAR, env: {} });
  const arrived = exporter.nextExport();
  for (let i = 0; i < 3; i++) processor.onEnd(span(i));
  await arrived;
  assert.deepEqual(
    exporter.batches[0]?.map((s) => s.name),
    ['s0', 's1', 's2'],
  );
  exporter.openGate();
  await processor.shutdown();
});

test('a partial batch goes out after the schedule delay', async () => {
  const exporter = new GatedExporter();
  exporter.openGate();
  const processor = new BatchSpanProcessor(exporter, { scheduleDelayMillis: 5, env: {} });
  const arrived = exporter.nextExport();
  // The processor's timer is unref'd (it must not keep a program alive), so the test keeps the loop alive itself.
  const keepAlive = setInterval(() => {}, 1000);
  processor.onEnd(span(1));
  await arrived;
  clearInterval(keepAlive);
  assert.equal(exporter.batches[0]?.length, 1);
  await processor.shutdown();
});

test('the queue is bounded: overflow is dropped and counted, never blocking', async () => {
  const exporter = new GatedExporter();
  const processor = new BatchSpanProcessor(exporter, {
    maxQueueSize: 4,
    maxExportBatchSize: 2,
    scheduleDelayMillis: FAR,
    env: {},
  });
  for (let i = 0; i < 20; i++) processor.onEnd(span(i));
  // One batch of 2 is in flight; the queue then holds 4 more; the rest is dropped.
  assert.equal(processor.stats.droppedSpans, 14);
  exporter.openGate();
  await processor.forceFlush();
  assert.equal(processor.stats.exportedSpans, 6);
  assert.equal(processor.stats.queuedSpans, 0);
  await processor.shutdown();
});

test("OpenTelemetry's defaults: batches of 512, a queue of 2048", async () => {
  const exporter = new GatedExporter();
  const processor = new BatchSpanProcessor(exporter, { env: {} });
  for (let i = 0; i < 3000; i++) processor.onEnd(span(i));
  // The 512th span started an export; 2048 more waited behind it and the rest was dropped.
  assert.equal(exporter.batches[0]?.length, 512);
  assert.equal(processor.stats.queuedSpans, 2048);
  assert.equal(processor.stats.droppedSpans, 3000 - 512 - 2048);
  exporter.openGate();
  await processor.shutdown();
  assert.deepEqual(
    exporter.batches.map((b) => b.length),
    [512, 512, 512, 512, 512],
  );
});

test('forceFlush and shutdown export everything queued, in batches; unsampled spans are skipped', async () => {
  const exporter = new InMemorySpanExporter();
  const processor = new BatchSpanProcessor(exporter, { maxExportBatchSize: 4, scheduleDelayMillis: FAR, env: {} });
  for (let i = 0; i < 10; i++) processor.onEnd(span(i));
  processor.onEnd(span(99, 0x100));
  await processor.forceFlush();
  assert.equal(exporter.spans.length, 10);
  for (let i = 10; i < 13; i++) processor.onEnd(span(i));
  await processor.shutdown();
  assert.deepEqual(
    exporter.spans.map((s) => s.name),
    Array.from({ length: 13 }, (_, i) => `s${i}`),
  );
  processor.onEnd(span(50));
  await processor.forceFlush();
  assert.equal(exporter.spans.length, 13, 'nothing accepted after shutdown');
});

test('failed, rejected and timed-out exports are counted and do not stop later batches', async () => {
  let calls = 0;
  const exporter: SpanExporter = {
    export(spans) {
      calls++;
      if (calls === 1) return Promise.resolve({ code: 'failed', error: new Error('nope') });
      if (calls === 2) return Promise.reject(new Error('thrown'));
      if (calls === 3) return new Promise(() => {});
      return Promise.resolve(spans.length ? EXPORT_SUCCESS : EXPORT_SUCCESS);
    },
    shutdown: () => Promise.resolve(),
  };
  const processor = new BatchSpanProcessor(exporter, {
    maxExportBatchSize: 1,
    scheduleDelayMillis: FAR,
    exportTimeoutMillis: 20,
    env: {},
  });
  for (let i = 0; i < 4; i++) processor.onEnd(span(i));
  await processor.forceFlush();
  assert.deepEqual(
    { failed: processor.stats.failedSpans, exported: processor.stats.exportedSpans },
    { failed: 3, exported: 1 },
  );
  await processor.shutdown();
});

test('OTEL_BSP_* variables configure the processor', async () => {
  const exporter = new GatedExporter();
  const processor = new BatchSpanProcessor(exporter, {
    env: { OTEL_BSP_MAX_QUEUE_SIZE: '3', OTEL_BSP_MAX_EXPORT_BATCH_SIZE: '10', OTEL_BSP_SCHEDULE_DELAY: '3600000' },
  });
  for (let i = 0; i < 5; i++) processor.onEnd(span(i));
  // The batch size is capped at the queue size, so the third span triggered an export of three.
  assert.equal(exporter.batches[0]?.length, 3);
  exporter.openGate();
  await processor.shutdown();
});

test('OTEL_BSP_EXPORT_TIMEOUT bounds an export, and a flush, to an endpoint that never answers', {
  timeout: 20_000,
}, async () => {
  const endpoint = await testHttpEndpoint(['hang']);
  const url = `${endpoint.base}/v1/traces`;
  // The exporter itself would wait a minute, and the processor's default is 30 s: only the variable's 200 ms
  // counts the batch as failed within the test's timeout.
  const exporter = new OtlpHttpExporter({ url, timeoutMillis: 60_000, maxAttempts: 1, env: {} });
  const processor = new BatchSpanProcessor(exporter, {
    env: { OTEL_BSP_EXPORT_TIMEOUT: '200', OTEL_BSP_MAX_EXPORT_BATCH_SIZE: '3', OTEL_BSP_SCHEDULE_DELAY: '3600000' },
  });
  try {
    for (let i = 0; i < 3; i++) processor.onEnd(span(i));
    // The flush gives up on the send still hanging at the exporter too, after the same 200 ms.
    await processor.forceFlush();
    assert.equal(processor.stats.failedSpans, 3);
    assert.equal(processor.stats.exportedSpans, 0);
    assert.equal(endpoint.received.length, 1);
  } finally {
    // Closing the endpoint ends the request still waiting, so the exporter can shut down.
    await endpoint.close();
    await processor.shutdown();
  }
});
