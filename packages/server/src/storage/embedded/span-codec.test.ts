import assert from 'node:assert/strict';
import { test } from 'node:test';
import { type Span, SpanKind, StatusCode } from '@ariadne/protocol';
import { testSpan } from '../query/test-spans.js';
import { decodeSpans, encodeSpans } from './span-codec.js';

test('span rows round-trip every field, sharing resources and scopes', () => {
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
      links: [
        { traceId: 'NOT-HEX', spanId: 'abc', traceState: '', attributes: [], droppedAttributesCount: 0, flags: 1 },
      ],
      droppedAttributesCount: 1,
      droppedEventsCount: 2,
      droppedLinksCount: 3,
      status: { code: StatusCode.Error, message: 'bad' },
    },
  ];
  const decoded = decodeSpans(encodeSpans(spans));
  assert.deepStrictEqual(decoded, spans);
  assert.equal(decoded[0]!.resource, decoded[1]!.resource, 'one resource object per chunk');
  assert.throws(() => decodeSpans(encodeSpans(spans).subarray(0, 40)), RangeError);
});
