import assert from 'node:assert/strict';
import { test } from 'node:test';
import { type Span, SpanKind, StatusCode } from '@ariadne/protocol';
import { testSpan } from '../query/test-spans.js';
import { ByteReader, ByteWriter } from './byte-writer.js';
import { decodeChunk, readTables, SpanEncoder, WalRecordDecoder } from './span-codec.js';

const shared = testSpan({ service: 'web' });
const spans: Span[] = [
  shared,
  {
    ...shared,
    spanId: 'ffffffffffffffff',
    parentSpanId: shared.spanId,
    traceState: 'a=1,b=2',
    flags: 0x301,
    kind: SpanKind.Consumer,
    startTimeUnixNano: 2n ** 62n,
    endTimeUnixNano: 2n ** 62n - 5n, // ends before it starts: kept as sent
    attributes: [
      { key: 'i', value: { type: 'int', value: -(2n ** 63n) } },
      { key: 'd', value: { type: 'double', value: -0 } },
      { key: 'b', value: { type: 'bytes', value: new Uint8Array([0, 255]) } },
      { key: 'e', value: { type: 'empty' } },
      { key: 'a', value: { type: 'array', value: [{ type: 'bool', value: false }] } },
      { key: 'k', value: { type: 'kvlist', value: [{ key: 'ü', value: { type: 'string', value: '✓' } }] } },
    ],
    events: [{ timeUnixNano: 1n, name: 'early', attributes: [], droppedAttributesCount: 2 }],
    links: [{ traceId: 'NOT-HEX', spanId: 'abc', traceState: '', attributes: [], droppedAttributesCount: 0, flags: 1 }],
    droppedAttributesCount: 1,
    droppedEventsCount: 2,
    droppedLinksCount: 3,
    status: { code: StatusCode.Error, message: 'bad' },
  },
];
/** The same resource and scope contents in new objects, as a receiver decodes them per request. */
const later: Span = {
  ...shared,
  spanId: '0000000000000003',
  name: 'a name the first record never used',
  resource: structuredClone(shared.resource),
  scope: structuredClone(shared.scope),
};

test('WAL records round-trip every field; later records refer to the tables earlier ones carried', () => {
  const encoder = new SpanEncoder();
  const bodies: number[] = [];
  const first = encoder.record(spans, bodies);
  const second = encoder.record([later], bodies);
  assert.equal(bodies.length, 6, 'two numbers per span');
  const decoder = new WalRecordDecoder();
  const decoded = [...decoder.decode(first), ...decoder.decode(second)];
  assert.deepStrictEqual(decoded, [...spans, later]);
  assert.equal(decoded[0]!.resource, decoded[2]!.resource, 'equal resources share one table entry');
  // Without the first record, the second refers to strings nobody defined.
  assert.throws(() => new WalRecordDecoder().decode(second), RangeError);
  assert.throws(() => new WalRecordDecoder().decode(first.subarray(0, 40)), RangeError);
});

test('after restartLog, the next record carries the whole tables (a new segment can replay alone)', () => {
  const encoder = new SpanEncoder();
  encoder.record(spans, []);
  encoder.restartLog();
  const alone = encoder.record([later], []);
  assert.deepStrictEqual(new WalRecordDecoder().decode(alone), [later]);
});

test('block chunks copy the bodies of WAL records and decode with the tables and page times', () => {
  const encoder = new SpanEncoder();
  const positions: number[] = [];
  const record = encoder.record(spans, positions);
  // The second span's body comes from the record, the third is encoded at the cut (another head's span).
  const trace = [spans[0]!, spans[1]!, { ...later, traceId: spans[0]!.traceId }];
  const bodies = [0, positions[0]!, positions[1]!, 0, positions[2]!, positions[3]!, -1, 0, 0];
  const out = new ByteWriter();
  encoder.chunk(out, shared.traceId, trace, bodies, [record]);
  const tables = new ByteWriter();
  encoder.writeTables(tables);
  const decoded = decodeChunk(Buffer.from(out.bytes()), readTables(new ByteReader(tables.bytes())), {
    start: [0n, ...trace.map((span) => span.startTimeUnixNano)],
    end: [0n, ...trace.map((span) => span.endTimeUnixNano)],
    first: 1,
  });
  assert.deepStrictEqual(decoded, trace);
});

test('a WAL record of another format version is refused by name', () => {
  const record = new SpanEncoder().record(spans, []);
  record[0] = 2;
  assert.throws(() => new WalRecordDecoder().decode(record), /WAL record version 2 is not readable/);
});

/** The content hash `recordAdmitted` gives each span, as a text, by encoding it with this encoder. */
function hashesOf(encoder: SpanEncoder, batch: readonly Span[]): string[] {
  const hashes: string[] = [];
  encoder.recordAdmitted(batch, [], (hash0, hash1) => {
    hashes.push(`${hash0}:${hash1}`);
    return true;
  });
  return hashes;
}

test('content hashes name contents, not the head: equal spans hash alike in encoders whose dictionaries differ', () => {
  const fresh = new SpanEncoder();
  const busy = new SpanEncoder();
  // Other strings, resources and scopes first: every index the spans use differs from the fresh encoder's.
  busy.record([{ ...later, name: 'x', resource: testSpan({ service: 'other' }).resource }], []);
  const copies = structuredClone([...spans, later]);
  assert.deepStrictEqual(hashesOf(busy, copies), hashesOf(fresh, [...spans, later]));
  assert.equal(new Set(hashesOf(new SpanEncoder(), [...spans, later])).size, 3, 'different spans, different hashes');
});

test('a change in any field changes the content hash', () => {
  const base = spans[1]!;
  const changes: Partial<Span>[] = [
    { traceId: 'NOT-HEX-EITHER' },
    { spanId: 'fffffffffffffffe' },
    { parentSpanId: '' },
    { traceState: 'a=1' },
    { flags: 0x300 },
    { name: 'other' },
    { kind: SpanKind.Producer },
    { startTimeUnixNano: base.startTimeUnixNano + 1n },
    { endTimeUnixNano: base.endTimeUnixNano + 1n },
    { attributes: base.attributes.slice(1) },
    { attributes: [{ key: 'i', value: { type: 'int', value: 1n } }] },
    { attributes: [{ key: 'i', value: { type: 'string', value: '1' } }] },
    { attributes: [{ key: 'd', value: { type: 'double', value: 0 } }] },
    { attributes: [{ key: 'b', value: { type: 'bytes', value: new Uint8Array([0, 254]) } }] },
    { attributes: [{ key: 'a', value: { type: 'array', value: [{ type: 'bool', value: true }] } }] },
    { droppedAttributesCount: 0 },
    { events: [] },
    { events: [{ timeUnixNano: 2n, name: 'early', attributes: [], droppedAttributesCount: 2 }] },
    { droppedEventsCount: 0 },
    { links: [{ ...base.links[0]!, spanId: 'abd' }] },
    { links: [{ ...base.links[0]!, flags: 0 }] },
    { droppedLinksCount: 0 },
    { status: { code: StatusCode.Ok, message: 'bad' } },
    { status: { code: StatusCode.Error, message: 'worse' } },
    { resource: testSpan({ service: 'api' }).resource },
    { scope: { ...base.scope, version: '2' } },
  ];
  const variants = [base, ...changes.map((change) => ({ ...base, ...change }))];
  const hashes = variants.map((variant) => hashesOf(new SpanEncoder(), [variant])[0]);
  assert.equal(new Set(hashes).size, variants.length);
});

test('recordAdmitted leaves refused spans out as if never sent, and their tables go into the next record', () => {
  const encoder = new SpanEncoder();
  const seen = new Set<string>();
  const admit = (hash0: number, hash1: number) => !seen.has(`${hash0}:${hash1}`) && !!seen.add(`${hash0}:${hash1}`);
  const first = encoder.recordAdmitted(spans, [], admit);
  assert.deepStrictEqual(first.kept, spans);
  // A copy of the first span around a new one, and a batch of copies only.
  const bodies: number[] = [];
  const second = encoder.recordAdmitted([structuredClone(spans[0]!), later, spans[1]!], bodies, admit);
  assert.deepStrictEqual(second.kept, [later]);
  assert.equal(bodies.length, 2, 'positions of the kept span only');
  // New strings and resources seen only in refused spans are logged by the next record that is written.
  const copyWithNewTables = { ...later, name: 'only in a copy', resource: testSpan({ service: 'new' }).resource };
  seen.add(hashesOf(new SpanEncoder(), [copyWithNewTables])[0]!);
  const none = encoder.recordAdmitted([copyWithNewTables, structuredClone(later)], [], admit);
  assert.deepStrictEqual(none, { record: undefined, kept: [] });
  const usesThem = {
    ...later,
    spanId: '0000000000000004',
    name: 'only in a copy',
    resource: copyWithNewTables.resource,
  };
  const third = encoder.recordAdmitted([usesThem], [], admit);
  const decoder = new WalRecordDecoder();
  assert.deepStrictEqual(decoder.decode(first.record!), spans);
  assert.deepStrictEqual(decoder.decode(second.record!), [later]);
  assert.deepStrictEqual(decoder.decode(third.record!), [usesThem]);
});
