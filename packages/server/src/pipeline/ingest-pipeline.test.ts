import assert from 'node:assert/strict';
import { test } from 'node:test';
import { isAriadneError, makeSpan, type Span } from '@ariadne/protocol';
import type { SpanWriter } from '../storage/span-store.js';
import { IngestMetrics } from '../telemetry/ingest-metrics.js';
import { parseTenantId, SINGLE_TENANT } from '../tenancy/tenant-id.js';
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
  const first = pipeline.submit(batch(4), 'test', SINGLE_TENANT);
  assert.equal(pipeline.inFlightSpans, 4);
  store.open();
  await first;
  assert.equal(pipeline.inFlightSpans, 0);
  assert.equal(store.written.length, 1);
});

test('past the bound, a batch is refused at once with Overloaded, and accepted again once the store catches up', async () => {
  const store = gatedWriter();
  const pipeline = createIngestPipeline(store.writer, { maxInFlightSpans: 10 });
  const held = pipeline.submit(batch(8), 'test', SINGLE_TENANT);
  await assert.rejects(pipeline.submit(batch(3), 'test', SINGLE_TENANT), (error) =>
    isAriadneError(error, 'Overloaded'),
  );
  store.open();
  await held;
  await pipeline.submit(batch(3), 'test', SINGLE_TENANT);
  assert.equal(store.written.length, 2);
});

test('a single batch larger than the bound is taken when nothing else is in flight', async () => {
  const store = gatedWriter();
  store.open();
  const pipeline = createIngestPipeline(store.writer, { maxInFlightSpans: 10 });
  await pipeline.submit(batch(25), 'test', SINGLE_TENANT);
  assert.equal(store.written[0]?.length, 25);
});

test('close waits for batches in flight and refuses new ones', async () => {
  const store = gatedWriter();
  const pipeline = createIngestPipeline(store.writer, { maxInFlightSpans: 10 });
  const held = pipeline.submit(batch(2), 'test', SINGLE_TENANT);
  const closed = pipeline.close();
  await assert.rejects(pipeline.submit(batch(1), 'test', SINGLE_TENANT), (error) =>
    isAriadneError(error, 'Overloaded'),
  );
  store.open();
  await Promise.all([held, closed]);
  assert.equal(store.written.length, 1);
});

test('metrics count accepted and refused spans per receiver, and the queue depth', async () => {
  const store = gatedWriter();
  const metrics = new IngestMetrics();
  const pipeline = createIngestPipeline(store.writer, { maxInFlightSpans: 10, metrics });
  const held = pipeline.submit(batch(8), 'zipkin', SINGLE_TENANT);
  await assert.rejects(pipeline.submit(batch(5), 'otlp-http', SINGLE_TENANT));
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
  await assert.rejects(pipeline.submit(batch(8), 'test', SINGLE_TENANT), (error) =>
    isAriadneError(error, 'Overloaded'),
  );
  assert.equal(pipeline.inFlightSpans, 8, 'the write goes on');
  assert.equal(pipeline.isFull, false);
  await assert.rejects(pipeline.submit(batch(3), 'test', SINGLE_TENANT), (error) =>
    isAriadneError(error, 'Overloaded'),
  );
  assert.match(metrics.registry.render(), /ariadne_pipeline_late_answers_total\{receiver="test"\} 1\n/);
  store.open();
  await pipeline.close();
  assert.equal(store.written.length, 1, 'the late batch was stored');
  assert.equal(pipeline.inFlightSpans, 0);
});

test("each batch goes to its tenant's writer alone, and is announced with its tenant", async () => {
  const written = new Map<string, number>();
  const opened: string[] = [];
  const accepted: string[] = [];
  const pipeline = createIngestPipeline(
    (tenant) => {
      opened.push(tenant);
      return {
        async writeSpans(spans) {
          written.set(tenant, (written.get(tenant) ?? 0) + spans.length);
        },
      };
    },
    { maxInFlightSpans: 100, onAccepted: (accepted_) => accepted.push(accepted_.tenant) },
  );
  await pipeline.submit(batch(2), 'test', parseTenantId('a'));
  await pipeline.submit(batch(3), 'test', parseTenantId('b'));
  assert.deepEqual(Object.fromEntries(written), { a: 2, b: 3 });
  assert.deepEqual(opened, ['a', 'b']);
  assert.deepEqual(accepted, ['a', 'b']);
});

test('a pipeline over one writer is single-tenant: another tenant is an Internal error, nothing written', async () => {
  const store = gatedWriter();
  store.open();
  const pipeline = createIngestPipeline(store.writer, { maxInFlightSpans: 10 });
  await assert.rejects(pipeline.submit(batch(1), 'test', parseTenantId('a')), (error) =>
    isAriadneError(error, 'Internal'),
  );
  assert.equal(store.written.length, 0);
});
