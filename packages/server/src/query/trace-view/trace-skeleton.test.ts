import assert from 'node:assert/strict';
import { test } from 'node:test';
import { makeSpan, type Span, StatusCode, toJaegerTrace } from '@ariadne/protocol';
import { MAX_EVENT_MARKS, traceOutlineOf } from './trace-outline.js';
import { toTraceSkeleton as skeletonOfOutline } from './trace-skeleton.js';

const toTraceSkeleton = (spans: readonly Span[]) => skeletonOfOutline(traceOutlineOf(spans));

const T0 = 1_700_000_000_000_000_000n;
const ms = (n: number) => T0 + BigInt(n) * 1_000_000n;

test('columns hold ids sorted by start, parents (by index, or missing), times from the earliest start, interned names', () => {
  const spans = [
    makeSpan({
      spanId: '000000000000000b',
      parentSpanId: '000000000000000a',
      service: 'db',
      name: 'query',
      startTimeUnixNano: ms(5),
      endTimeUnixNano: ms(7),
    }),
    makeSpan({
      spanId: '000000000000000a',
      service: 'api',
      name: 'GET /',
      startTimeUnixNano: ms(1) + 1_999n,
      endTimeUnixNano: ms(10),
    }),
    makeSpan({
      spanId: '000000000000000c',
      parentSpanId: 'ffffffffffffffff',
      service: 'api',
      name: 'query',
      startTimeUnixNano: ms(2),
      endTimeUnixNano: ms(1),
    }),
  ];
  const skeleton = toTraceSkeleton(spans);
  const jaeger = toJaegerTrace(spans);
  assert.equal(skeleton.traceID, jaeger.traceID);
  assert.deepEqual(skeleton.spanIds, ['000000000000000a', '000000000000000c', '000000000000000b']);
  assert.deepEqual(skeleton.parents, [-1, -2, 0]);
  assert.deepEqual(skeleton.missingParents, ['ffffffffffffffff']);
  // Same microseconds as the Jaeger API (truncated), offsets from the earliest start.
  const jaegerStart = (id: string) => jaeger.spans.find((s) => s.spanID === id)?.startTime as number;
  assert.equal(skeleton.startTime, jaegerStart('000000000000000a'));
  assert.deepEqual(
    skeleton.starts.map((s) => s + skeleton.startTime),
    skeleton.spanIds.map(jaegerStart),
  );
  assert.deepEqual(skeleton.durations, [8998, 0, 2000]);
  // The Jaeger API's order: start, then id.
  assert.deepEqual(
    skeleton.spanIds,
    jaeger.spans.map((s) => s.spanID),
  );
  const name = (i: number | undefined) => skeleton.strings[i as number];
  assert.deepEqual(skeleton.services.map(name), ['api', 'api', 'db']);
  assert.deepEqual(skeleton.operations.map(name), ['GET /', 'query', 'query']);
  assert.equal(new Set(skeleton.strings).size, skeleton.strings.length);
});

test('the error flag follows the first error and otel.status_code tags, as the UI reads Jaeger tags', () => {
  const cases = [
    { status: StatusCode.Error, attributes: [], error: true },
    { status: StatusCode.Ok, attributes: [], error: false },
    { status: StatusCode.Unset, attributes: [{ key: 'error', value: { type: 'bool', value: true } }], error: true },
    { status: StatusCode.Unset, attributes: [{ key: 'error', value: { type: 'string', value: 'true' } }], error: true },
    // A failed status also writes `error=true`, so an attribute cannot hide it.
    {
      status: StatusCode.Error,
      attributes: [{ key: 'otel.status_code', value: { type: 'string', value: 'OK' } }],
      error: true,
    },
    { status: StatusCode.Error, attributes: [{ key: 'error', value: { type: 'bool', value: false } }], error: true },
    {
      status: StatusCode.Unset,
      attributes: [{ key: 'otel.status_code', value: { type: 'string', value: 'ERROR' } }],
      error: true,
    },
  ] as const;
  const spans = cases.map((c, i) =>
    makeSpan({
      spanId: i.toString(16).padStart(16, '0'),
      status: { code: c.status, message: '' },
      attributes: c.attributes.map((a) => ({ ...a, value: { ...a.value } })) as never,
    }),
  );
  const skeleton = toTraceSkeleton(spans);
  assert.deepEqual(
    skeleton.errors,
    cases.flatMap((c, i) => (c.error ? [i] : [])),
  );
});

test('event marks: time, the name Jaeger puts in the event field, at most MAX_EVENT_MARKS per span', () => {
  const events = Array.from({ length: MAX_EVENT_MARKS + 5 }, (_, i) => ({
    timeUnixNano: ms(i),
    name: i === 0 ? '' : i === 1 ? 'named' : 'retry',
    attributes: i === 2 ? [{ key: 'event', value: { type: 'string' as const, value: 'claimed' } }] : [],
    droppedAttributesCount: 0,
  }));
  const skeleton = toTraceSkeleton([makeSpan({ startTimeUnixNano: T0, events })]);
  assert.equal(skeleton.events.length, MAX_EVENT_MARKS * 3);
  const marks = [];
  for (let i = 0; i < 9; i += 3) marks.push(skeleton.events.slice(i, i + 3));
  assert.deepEqual(marks, [
    [0, 0, -1],
    [0, 1000, skeleton.strings.indexOf('named')],
    [0, 2000, skeleton.strings.indexOf('claimed')],
  ]);
});

test('an empty trace has empty columns', () => {
  const skeleton = toTraceSkeleton([]);
  assert.equal(skeleton.traceID, '');
  assert.deepEqual(skeleton.spanIds, []);
});

test('order: start, then id as text, then store order, for random, sequential, repeated and non-hex ids', () => {
  let seed = 7;
  const random = (below: number) => {
    seed = (seed * 1_103_515_245 + 12_345) % 2 ** 31;
    return seed % below;
  };
  const hex = (n: number) => n.toString(16).padStart(8, '0');
  for (const kind of ['random', 'sequential', 'with a text id'] as const) {
    const spans = Array.from({ length: 3_000 }, (_, i) =>
      makeSpan({
        spanId:
          kind === 'random'
            ? hex(random(2 ** 31)) + hex(random(2 ** 31))
            : kind === 'sequential'
              ? `0000abcd${hex(random(600))}`
              : i === 100
                ? 'text-id'
                : hex(random(50)) + hex(random(50)),
        // Few distinct starts: long runs of equal microseconds.
        startTimeUnixNano: T0 + BigInt(random(40)) * 1_000n + BigInt(random(999)),
      }),
    );
    const expected = spans
      .map((span, index) => ({ id: span.spanId, start: span.startTimeUnixNano / 1000n, index }))
      .sort((a, b) =>
        a.start < b.start ? -1 : a.start > b.start ? 1 : a.id < b.id ? -1 : a.id > b.id ? 1 : a.index - b.index,
      )
      .map((s) => s.id);
    const skeleton = toTraceSkeleton(spans);
    assert.deepEqual(skeleton.spanIds, expected, kind);
    // Of equal ids, all but the first are duplicates.
    const firstAt = new Map<string, number>();
    for (const [k, id] of skeleton.spanIds.entries()) if (!firstAt.has(id)) firstAt.set(id, k);
    const duplicates = skeleton.spanIds.flatMap((id, k) => (firstAt.get(id) === k ? [] : [k]));
    assert.deepEqual(skeleton.duplicates, duplicates, kind);
  }
});

test('order past 131,072 spans (a million-span trace sorts natively too): start, then id', () => {
  let seed = 11;
  const random = (below: number) => {
    seed = (seed * 1_103_515_245 + 12_345) % 2 ** 31;
    return seed % below;
  };
  const hex = (n: number) => n.toString(16).padStart(8, '0');
  const spans = Array.from({ length: 140_000 }, () =>
    makeSpan({
      spanId: hex(random(2 ** 31)) + hex(random(2 ** 31)),
      // An hour of starts: 2^18 index slots still fit under 2^53.
      startTimeUnixNano: T0 + BigInt(random(3_600_000_000)) * 1_000n,
    }),
  );
  const expected = spans
    .map((span) => ({ id: span.spanId, start: span.startTimeUnixNano / 1000n }))
    .sort((a, b) => (a.start < b.start ? -1 : a.start > b.start ? 1 : a.id < b.id ? -1 : a.id > b.id ? 1 : 0))
    .map((s) => s.id);
  assert.deepEqual(toTraceSkeleton(spans).spanIds, expected);
});
