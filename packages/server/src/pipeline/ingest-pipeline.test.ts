import assert from 'node:assert/strict';
import { test } from 'node:test';
import { isAriadneError, makeSpan, type Span } from '@ariadne/protocol';
import type { SpanWriter } from '../storage/span-store.js';
import { IngestMetrics } from '../telemetry/ingest-metrics.js';
import { createIngestPipeline } from './ingest-pipeline.js';

/** A writer that holds every batch until released: the store's slowness, on demand. */
function gatedWriter() {
  const written: (readonly Span[])[] = [];
  let release!: () => void;
  let gate = new Promise<void>((resolve) => {
    release = resolve;
  });
  const writer: SpanWriter = {
    async writeSpans(spans) {
      await gate;
      written.push(spans);
    },
  };
  return {
    writer,
    written,
    open() {
      release();
      gate = Promise.resolve();
    },
  };
}

const batch = (n: number) => Array.from({ length: n }, () => makeSpan());

test('batches pass through and resolve once the store acknowledged them', async () => {
  const store = gatedWriter();
  const pipeline = createIngestPipeline(store.writer, { maxInFlightSpans: 10 });
  const first = pipeline.submit(batch(4), 'test');
  assert.equal(pipeline.inFlightSpans, 4);
  store.open();
  await first;
  assert.equal(pipeline.inFlightSpans, 0);
  assert.equal(store.written.length, 1);
});

test('past the bound, a batch is refused at once with Overloaded, and accepted again once the store catches up', async () => {
  const store = gatedWriter();
  const pipeline = createIngestPipeline(store.writer, { maxInFlightSpans: 10 });
  const held = pipeline.submit(batch(8), 'test');
  await assert.rejects(pipeline.submit(batch(3), 'test'), (error) => isAriadneError(error, 'Overloaded'));
  store.open();
  await held;
  await pipeline.submit(batch(3), 'test');
  assert.equal(store.written.length, 2);
});

test('a single batch larger than the bound is taken when nothing else is in flight', async () => {
  const store = gatedWriter();
  store.open();
  const pipeline = createIngestPipeline(store.writer, { maxInFlightSpans: 10 });
  await pipeline.submit(batch(25), 'test');
  assert.equal(store.written[0]?.length, 25);
});

test('close waits for batches in flight and refuses new ones', async () => {
  const store = gatedWriter();
  const pipeline = createIngestPipeline(store.writer, { maxInFlightSpans: 10 });
  const held = pipeline.submit(batch(2), 'test');
  const closed = pipeline.close();
  await assert.rejects(pipeline.submit(batch(1), 'test'), (error) => isAriadneError(error, 'Overloaded'));
  store.open();
  await Promise.all([held, closed]);
  assert.equal(store.written.length, 1);
});

test('metrics count accepted and refused spans per receiver, and the queue depth', async () => {
  const store = gatedWriter();
  const metrics = new IngestMetrics();
  const pipeline = createIngestPipeline(store.writer, { maxInFlightSpans: 10, metrics });
  const held = pipeline.submit(batch(8), 'zipkin');
  await assert.rejects(pipeline.submit(batch(5), 'otlp-http'));
  assert.match(metrics.registry.render(), /ariadne_pipeline_in_flight_spans 8\n/);
  store.open();
  await held;
  assert.equal(metrics.spansAccepted.get({ receiver: 'zipkin' }), 8);
  assert.equal(metrics.spansRejected.get({ receiver: 'otlp-http', reason: 'overloaded' }), 5);
  assert.match(metrics.registry.render(), /ariadne_store_write_duration_seconds_count 1\n/);
});

test('a store that does not answer in time: the client hears "retry later" within the bound, the write goes on and still counts as in flight', async () => {
  const store = gatedWriter();
  const metrics = new IngestMetrics();
  const pipeline = createIngestPipeline(store.writer, { maxInFlightSpans: 10, answerWithinMs: 20, metrics });
  await assert.rejects(pipeline.submit(batch(8), 'test'), (error) => isAriadneError(error, 'Overloaded'));
  assert.equal(pipeline.inFlightSpans, 8, 'the write goes on');
  assert.equal(pipeline.isFull, false);
  await assert.rejects(pipeline.submit(batch(3), 'test'), (error) => isAriadneError(error, 'Overloaded'));
  assert.match(metrics.registry.render(), /ariadne_pipeline_late_answers_total\{receiver="test"\} 1\n/);
  store.open();
  await pipeline.close();
  assert.equal(store.written.length, 1, 'the late batch was stored');
  assert.equal(pipeline.inFlightSpans, 0);
});
