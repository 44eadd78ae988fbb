import assert from 'node:assert/strict';
import { test } from 'node:test';
import { isAriadneError, type Span, SpanKind, StatusCode } from '@ariadne/protocol';
import { testSpan } from '../query/test-spans.js';
import { BatchTranscoder } from './batch-transcoder.js';
import { HeadSpan, plainSpans } from './head-span.js';
import { SpanEncoder, WalRecordDecoder } from './span-codec.js';

const shared = testSpan({ service: 'web' });
const odd: Span = {
  ...shared,
  traceId: 'abcdefabcdefabcdefabcdefabcdef01',
  spanId: 'ffffffffffffffff',
  parentSpanId: 'NOT-HEX-PARENT',
  traceState: 'a=1,b=2',
  flags: 0x301,
  kind: SpanKind.Consumer,
  startTimeUnixNano: 2n ** 62n,
  endTimeUnixNano: 2n ** 62n - 5n,
  attributes: [
    { key: 'i', value: { type: 'int', value: -(2n ** 63n) } },
    { key: 'n', value: { type: 'int', value: 418n } },
    { key: 'd', value: { type: 'double', value: -0 } },
    { key: 'b', value: { type: 'bytes', value: new Uint8Array([0, 255]) } },
    { key: 'e', value: { type: 'empty' } },
    {
      key: 'a',
      value: {
        type: 'array',
        value: [
          { type: 'bool', value: false },
          { type: 'int', value: 7n },
        ],
      },
    },
    { key: 'k', value: { type: 'kvlist', value: [{ key: 'ü', value: { type: 'string', value: '✓' } }] } },
  ],
  events: [
    {
      timeUnixNano: 1n,
      name: 'early',
      attributes: [{ key: 'x', value: { type: 'bool', value: true } }],
      droppedAttributesCount: 2,
    },
  ],
  links: [{ traceId: 'NOT-HEX', spanId: 'abc', traceState: 't', attributes: [], droppedAttributesCount: 0, flags: 1 }],
  droppedAttributesCount: 1,
  droppedEventsCount: 2,
  droppedLinksCount: 3,
  status: { code: StatusCode.Error, message: 'bad' },
};
const batchSpans: Span[] = [
  shared,
  { ...shared, spanId: '0000000000000002', parentSpanId: shared.spanId, name: 'child' },
  odd,
  {
    ...shared,
    traceId: 'ffffffffffffffffffffffffffffffff',
    spanId: '0000000000000004',
    resource: testSpan({ service: 'db' }).resource,
  },
];

/** A head's encoder that already wrote a record, so its tables and dictionary differ from the batch's. */
function usedHead(): { encoder: SpanEncoder; decoder: WalRecordDecoder } {
  const encoder = new SpanEncoder();
  const decoder = new WalRecordDecoder();
  decoder.decode(encoder.record([testSpan({ service: 'other', name: 'warm-up', spanId: '00000000000000ff' })], []));
  return { encoder, decoder };
}

test('a transcoded batch reads back as the spans it carried, against the head tables and dictionary', () => {
  const batch = new SpanEncoder().record(batchSpans, []);
  const head = usedHead();
  const bodies: number[] = [];
  const { record, kept } = new BatchTranscoder(head.encoder).transcode(batch, () => true, bodies);
  assert.ok(record);
  assert.ok(kept.every((span) => span instanceof HeadSpan));
  assert.deepStrictEqual(plainSpans(kept), batchSpans, 'head spans read back as the spans sent');
  assert.deepStrictEqual(kept[2]!.attributes, odd.attributes, 'attributes are read from the record when asked');
  assert.equal(kept[2]!.name, odd.name);
  assert.deepStrictEqual(head.decoder.decode(record), batchSpans);
  assert.equal(bodies.length, batchSpans.length * 2);
  // Each body where it says it is, with the bytes the head's own encoder writes for that span
  // (its dictionary knows every text by now, so it assigns the same indexes).
  const ownBodies: number[] = [];
  const ownRecord = head.encoder.record(batchSpans, ownBodies);
  for (let i = 0; i < batchSpans.length; i++) {
    assert.deepEqual(
      record.subarray(bodies[i * 2]!, bodies[i * 2 + 1]!),
      ownRecord.subarray(ownBodies[i * 2]!, ownBodies[i * 2 + 1]!),
      `body ${i}`,
    );
  }
  assert.deepStrictEqual(head.decoder.decode(ownRecord), batchSpans);
});

test('spans admit refuses are left out, and the numbers and non-text values of the kept ones are noted', () => {
  const batch = new SpanEncoder().record(batchSpans, []);
  const head = usedHead();
  const { record, kept } = new BatchTranscoder(head.encoder).transcode(batch, (i) => i !== 1, []);
  assert.ok(record);
  assert.deepStrictEqual(plainSpans(kept), [batchSpans[0], batchSpans[2], batchSpans[3]]);
  assert.deepStrictEqual(head.decoder.decode(record), plainSpans(kept));
  assert.equal(head.encoder.dictionary.sawNonTextValue, true);
  // The numbers listed per key are the ones the kept spans carry, as the head's own encoder lists them.
  const meta = head.encoder.numericValues.toMeta();
  assert.deepEqual(meta[head.encoder.dictionary.indexOf('n')], [418]);
  assert.deepEqual(meta[head.encoder.dictionary.indexOf('d')], [0]); // a Set keeps -0 as 0
  assert.equal(meta[head.encoder.dictionary.indexOf('a')], undefined, 'numbers in arrays are not listed');
});

test('a batch admit refuses whole gives no record; a trace id that is not one is refused', () => {
  const batch = new SpanEncoder().record(batchSpans, []);
  const head = usedHead();
  assert.equal(new BatchTranscoder(head.encoder).transcode(batch, () => false, []).record, undefined);
  const bad = new SpanEncoder().record([{ ...shared, traceId: 'not-a-trace-id' }], []);
  assert.throws(
    () => new BatchTranscoder(head.encoder).transcode(bad, () => true, []),
    (error) => isAriadneError(error, 'StorageFailure'),
  );
});

test('texts a batch wrote in place stay in place while new to the head, and become references once the head holds or met them', () => {
  const withValue = (spanId: string, value: string): Span => ({
    ...shared,
    spanId,
    attributes: [{ key: 'url', value: { type: 'string', value } }],
  });
  const held = 'https://held.example/already';
  const fresh = 'https://fresh.example/only-once';
  const again = 'https://again.example/in-two-batches';
  const head = usedHead();
  head.encoder.textIndex(held);
  const transcoder = new BatchTranscoder(head.encoder);
  // Each batch's encoder writes its first sighting of a long text in place.
  const batchOf = (spans: Span[]) => new SpanEncoder({ inlineFirstTexts: true }).record(spans, []);
  const first = [
    withValue('0000000000000011', held),
    withValue('0000000000000012', fresh),
    withValue('0000000000000013', again),
  ];
  const firstRecord = transcoder.transcode(batchOf(first), () => true, []).record!;
  assert.deepStrictEqual(head.decoder.decode(firstRecord), first);
  const dictionary = head.encoder.dictionary.strings;
  assert.ok(
    !dictionary.includes(fresh) && !dictionary.includes(again),
    'texts new to the head are not in its dictionary',
  );
  assert.ok(firstRecord.includes(Buffer.from(fresh)), 'a new text is in the record in place');
  const second = [withValue('0000000000000021', again)];
  const secondRecord = transcoder.transcode(batchOf(second), () => true, []).record!;
  assert.deepStrictEqual(head.decoder.decode(secondRecord), second);
  assert.ok(dictionary.includes(again), 'a text met in place twice enters the dictionary');
  assert.ok(!dictionary.includes(fresh));
});

test('a span hashes the same whether its texts were written in place or as references', () => {
  const spans = [
    {
      ...shared,
      attributes: [{ key: 'url', value: { type: 'string' as const, value: 'https://example/a-long-value' } }],
    },
  ];
  const hashOf = (encoder: SpanEncoder) => {
    let hash = '';
    encoder.recordAdmitted(spans, [], (hash0, hash1) => {
      hash = `${hash0}:${hash1}`;
      return true;
    });
    return hash;
  };
  const inPlace = new SpanEncoder({ inlineFirstTexts: true });
  const record = inPlace.record(spans, []);
  assert.ok(record.includes(Buffer.from('https://example/a-long-value')));
  assert.equal(hashOf(new SpanEncoder({ inlineFirstTexts: true })), hashOf(new SpanEncoder()));
});
