import assert from 'node:assert/strict';
import { test } from 'node:test';
import { type AnyValue, isAriadneError, type KeyValue, type Span, stringValue } from '@ariadne/protocol';
import { openMemoryStore } from '../storage/memory/memory-store.js';
import { testSpan } from '../storage/query/test-spans.js';
import { IngestMetrics } from '../telemetry/ingest-metrics.js';
import { SINGLE_TENANT } from '../tenancy/tenant-id.js';
import { createIngestPipeline } from './ingest-pipeline.js';
import { attributesLimitedCounter } from './limit-metrics.js';
import { limitSpans } from './span-limits.js';

const attrs = (n: number, value: AnyValue = stringValue('v')): KeyValue[] =>
  Array.from({ length: n }, (_, i) => ({ key: `k${i}`, value }));

test('spans within the limits pass through as the same objects', () => {
  const spans = [testSpan({ attributes: attrs(3) })];
  const outcome = limitSpans(spans, { maxAttributesPerSpan: 3, maxAttributeValueLength: 1 });
  assert.equal(outcome.spans, spans);
  assert.equal(outcome.droppedAttributes, 0);
  assert.equal(outcome.truncatedValues, 0);
});

test('attributes past the limit are dropped and counted on the span, its events and links', () => {
  const span = testSpan({
    attributes: attrs(5),
    droppedAttributesCount: 1,
    events: [{ timeUnixNano: 1n, name: 'e', attributes: attrs(4), droppedAttributesCount: 0 }],
    links: [
      {
        traceId: '0af7651916cd43dd8448eb211c80319c',
        spanId: '1111111111111111',
        traceState: '',
        attributes: attrs(2),
        droppedAttributesCount: 0,
        flags: 0,
      },
    ],
  });
  const outcome = limitSpans([span], { maxAttributesPerSpan: 2 });
  const limited = outcome.spans[0] as Span;
  assert.deepEqual(
    limited.attributes.map((kv) => kv.key),
    ['k0', 'k1'],
    'the first ones are kept, in order',
  );
  assert.equal(limited.droppedAttributesCount, 1 + 3);
  assert.equal(limited.events[0]?.attributes.length, 2);
  assert.equal(limited.events[0]?.droppedAttributesCount, 2);
  assert.equal(limited.links[0], span.links[0], 'a link within the limit is untouched');
  assert.equal(outcome.droppedAttributes, 5);
  assert.equal(span.attributes.length, 5, 'the input is not modified');
});

test('long strings and bytes are truncated, also inside arrays and kvlists', () => {
  const span = testSpan({
    attributes: [
      { key: 's', value: stringValue('abcdef') },
      { key: 'b', value: { type: 'bytes', value: new Uint8Array([1, 2, 3, 4, 5]) } },
      { key: 'short', value: stringValue('abc') },
      { key: 'i', value: { type: 'int', value: 123456789n } },
      { key: 'a', value: { type: 'array', value: [stringValue('xyzxyz'), stringValue('ok')] } },
      { key: 'kv', value: { type: 'kvlist', value: [{ key: 'inner', value: stringValue('123456') }] } },
    ],
  });
  const outcome = limitSpans([span], { maxAttributeValueLength: 3 });
  const values = Object.fromEntries((outcome.spans[0] as Span).attributes.map((kv) => [kv.key, kv.value]));
  assert.deepEqual(values.s, stringValue('abc'));
  assert.deepEqual(values.b, { type: 'bytes', value: new Uint8Array([1, 2, 3]) });
  assert.equal(values.short, span.attributes[2]?.value);
  assert.deepEqual(values.i, { type: 'int', value: 123456789n });
  assert.deepEqual(values.a, { type: 'array', value: [stringValue('xyz'), stringValue('ok')] });
  assert.deepEqual(values.kv, { type: 'kvlist', value: [{ key: 'inner', value: stringValue('123') }] });
  assert.equal(outcome.truncatedValues, 4);
  assert.equal((outcome.spans[0] as Span).droppedAttributesCount, 0, 'truncation drops nothing');
});

test('the pipeline applies the limits, counts them, and refuses requests with too many spans', async () => {
  const store = openMemoryStore();
  const metrics = new IngestMetrics();
  const accepted: (readonly Span[])[] = [];
  const pipeline = createIngestPipeline(store, {
    maxInFlightSpans: 100,
    metrics,
    limits: { maxSpansPerRequest: 2, maxAttributesPerSpan: 1, maxAttributeValueLength: 2 },
    onAccepted: (batch) => {
      accepted.push(batch.spans());
      throw new Error('a live-tail consumer failing must not fail ingest');
    },
  });
  await pipeline.submit(
    [testSpan({ attributes: [...attrs(1, stringValue('long')), ...attrs(2)] })],
    'test',
    SINGLE_TENANT,
  );
  const [stored] = await store.getTrace('0af7651916cd43dd8448eb211c80319c');
  assert.deepEqual(stored?.attributes, [{ key: 'k0', value: stringValue('lo') }]);
  assert.equal(stored?.droppedAttributesCount, 2);
  assert.equal(accepted.length, 1);
  assert.equal(accepted[0]?.[0]?.attributes.length, 1, 'live tail sees the stored (limited) spans');
  const counter = attributesLimitedCounter(metrics);
  assert.equal(counter.get({ receiver: 'test', reason: 'attribute_limit' }), 2);
  assert.equal(counter.get({ receiver: 'test', reason: 'truncated' }), 1);

  await assert.rejects(pipeline.submit([testSpan(), testSpan(), testSpan()], 'test', SINGLE_TENANT), (error) =>
    isAriadneError(error, 'PayloadTooLarge'),
  );
  assert.equal(metrics.spansRejected.get({ receiver: 'test', reason: 'too_large' }), 3);
  await assert.rejects(
    pipeline.submit([testSpan(), testSpan(), testSpan()], 'udp', SINGLE_TENANT, { unanswered: true }),
  );
  assert.equal(metrics.spansDropped.get({ receiver: 'udp', reason: 'too_large' }), 3, 'UDP refusals are drops');
  assert.equal(accepted.length, 1, 'refused batches are not announced');
  await pipeline.close();
  await store.close();
});
