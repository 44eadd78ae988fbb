import { type AnyValue, makeSpan, type Span, StatusCode } from '@ariadne/protocol';
import { MAX_EVENT_MARKS } from './trace-outline.js';

const T0 = 1_700_000_000_000_000_123n;

/**
 * Spans that take every path of a store's outline reader: odd ids, times,
 * values, events and links. `storedTwice`: one id twice (other content);
 * `textIds`: a span id that is not hex (without it, only a parent's is).
 */
export function awkwardSpans(traceId: string, storedTwice: boolean, textIds = true): Span[] {
  const values: AnyValue[] = [
    { type: 'bool', value: true },
    { type: 'string', value: 'true' },
    { type: 'int', value: 1n },
    { type: 'double', value: Number.NaN },
    { type: 'bytes', value: new Uint8Array([1, 2, 3]) },
    {
      type: 'array',
      value: [
        { type: 'string', value: 'x' },
        { type: 'int', value: -(2n ** 63n) },
      ],
    },
    { type: 'kvlist', value: [{ key: 'error', value: { type: 'bool', value: true } }] },
    { type: 'empty' },
  ];
  const spans: Span[] = [];
  for (let i = 0; i < 60; i++) {
    const id = i === 7 && textIds ? 'not-hex-id' : i.toString(16).padStart(16, '0');
    const start = T0 + BigInt(i) * 1_234_567n;
    spans.push(
      makeSpan({
        traceId,
        spanId: id,
        // Earlier spans (back references in a block), a missing parent, a text id, none.
        parentSpanId:
          i === 0
            ? ''
            : i === 5
              ? 'ffffffffffffffff'
              : i === 9
                ? 'not-hex-id'
                : (i >> 1).toString(16).padStart(16, '0'),
        service: `service-${i % 3}`,
        name: `op-${i % 4}`,
        startTimeUnixNano: start,
        // Ends before it starts; lasts longer than 2^53 ns; the usual.
        endTimeUnixNano: i === 3 ? start - 5n : i === 4 ? start + 2n ** 60n : start + BigInt(i) * 999_999n,
        attributes: [
          { key: 'http.route', value: { type: 'string', value: `/r/${i}` } },
          { key: i % 2 === 0 ? 'error' : 'otel.status_code', value: values[i % values.length] as AnyValue },
          { key: 'error', value: { type: 'bool', value: i % 5 === 0 } },
          { key: 'nested', value: values[(i + 3) % values.length] as AnyValue },
        ],
        status: { code: i % 7 === 0 ? StatusCode.Error : StatusCode.Unset, message: i % 7 === 0 ? 'failed' : '' },
        events: Array.from({ length: i === 11 ? MAX_EVENT_MARKS + 4 : i % 3 }, (_, e) => ({
          // Before the span too.
          timeUnixNano: start + BigInt(e) * 7_654_321n - 500n,
          name: e === 0 ? '' : `event-${e}`,
          attributes: e === 1 ? [{ key: 'event', value: values[i % values.length] as AnyValue }] : [],
          droppedAttributesCount: 0,
        })),
        links:
          i % 4 === 0
            ? [
                {
                  traceId,
                  spanId: '00000000000000aa',
                  traceState: 'k=v',
                  attributes: [{ key: 'error', value: { type: 'bool', value: true } }],
                  droppedAttributesCount: 0,
                  flags: 1,
                },
              ]
            : [],
      }),
    );
  }
  // A second span with the same id but other content (an exact copy is stored once: re-sent spans show once).
  if (storedTwice) spans.push({ ...(spans[20] as Span), name: 'the other half' });
  return spans;
}
