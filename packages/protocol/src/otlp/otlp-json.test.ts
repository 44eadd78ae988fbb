import assert from 'node:assert/strict';
import { test } from 'node:test';
import { isAriadneError } from '../errors.js';
import type { Span } from '../model/span.js';
import { decodeOtlpTraceRequestJson } from './decode-otlp-json.js';
import { encodeOtlpTraceRequestJson } from './encode-otlp-json.js';
import { sampleSpans } from './sample-spans.js';

const TRACE_ID = '0af7651916cd43dd8448eb211c80319c';
const SPAN_ID = 'b7ad6b7169203331';

function requestWithSpan(span: Record<string, unknown>, extra: Record<string, unknown> = {}): string {
  return JSON.stringify({
    resourceSpans: [{ scopeSpans: [{ spans: [{ traceId: TRACE_ID, spanId: SPAN_ID, ...span }] }], ...extra }],
  });
}

function assertInvalidPayload(run: () => unknown, pattern: RegExp): void {
  assert.throws(run, (error: unknown) => {
    assert.ok(isAriadneError(error, 'InvalidPayload'), `expected InvalidPayload, got ${String(error)}`);
    assert.match((error as Error).message, pattern);
    return true;
  });
}

test('every field and value type survives a JSON round trip', () => {
  const spans = sampleSpans();
  const json = encodeOtlpTraceRequestJson(spans);
  for (const body of [json, new TextEncoder().encode(json)]) {
    const decoded = decodeOtlpTraceRequestJson(body);
    assert.equal(decoded.rejectedSpans, 0);
    const got = new Map(decoded.spans.map((span) => [span.spanId, span]));
    for (const span of spans) assert.deepStrictEqual(got.get(span.spanId), span);
    const [full, , , sibling] = spans.map((span) => got.get(span.spanId)) as Span[];
    assert.equal(full?.resource, sibling?.resource);
    assert.equal(full?.scope, sibling?.scope);
  }
});

test('the encoder writes the canonical form', () => {
  const [full] = sampleSpans();
  const request = JSON.parse(encodeOtlpTraceRequestJson([full!]));
  const span = request.resourceSpans[0].scopeSpans[0].spans[0];
  assert.equal(span.traceId, TRACE_ID);
  assert.equal(span.parentSpanId, '00f067aa0ba902b7');
  assert.equal(span.kind, 2);
  assert.equal(span.startTimeUnixNano, '1732000000123456789');
  assert.equal(span.endTimeUnixNano, '18446744073709551615');
  assert.deepStrictEqual(span.status, { message: 'it broke', code: 2 });
  const value = (key: string) => span.attributes.find((kv: { key: string }) => kv.key === key).value;
  assert.deepStrictEqual(value('int min'), { intValue: '-9223372036854775808' });
  assert.deepStrictEqual(value('double nan'), { doubleValue: 'NaN' });
  assert.deepStrictEqual(value('bytes'), { bytesValue: 'AAEC+v8=' });
  assert.deepStrictEqual(value('empty'), {});
  assert.equal(request.resourceSpans[0].resource.droppedAttributesCount, 3);
});

test('snake_case keys, upper-case hex, enum names and numbers for 64-bit fields are accepted', () => {
  const body = JSON.stringify({
    resource_spans: [
      {
        resource: {
          attributes: [{ key: 'service.name', value: { string_value: 'svc' } }],
          dropped_attributes_count: 1,
        },
        scope_spans: [
          {
            scope: { name: 'lib', version: '2' },
            spans: [
              {
                trace_id: TRACE_ID.toUpperCase(),
                span_id: SPAN_ID.toUpperCase(),
                parent_span_id: '00F067AA0BA902B7',
                trace_state: 'a=b',
                name: 'op',
                kind: 'SPAN_KIND_PRODUCER',
                start_time_unix_nano: 1732000000123456,
                end_time_unix_nano: '1732000000123457000',
                attributes: [
                  { key: 'i', value: { int_value: -5 } },
                  { key: 'd', value: { double_value: '2.5' } },
                  { key: 'b', value: { bool_value: true } },
                  { key: 'y', value: { bytes_value: 'AAE' } },
                  { key: 'a', value: { array_value: { values: [{ string_value: 'x' }] } } },
                  { key: 'k', value: { kvlist_value: { values: [{ key: 'n', value: null }] } } },
                ],
                dropped_attributes_count: '4',
                events: [{ time_unix_nano: '5', name: 'e', dropped_attributes_count: 1 }],
                dropped_events_count: 2,
                links: [{ trace_id: TRACE_ID, span_id: SPAN_ID, trace_state: 't', flags: 257 }],
                dropped_links_count: 3,
                status: { code: 'STATUS_CODE_ERROR', message: 'bad' },
                flags: 1,
                unknownField: { anything: [1, 2] },
              },
            ],
          },
        ],
      },
    ],
  });
  const [span] = decodeOtlpTraceRequestJson(body).spans;
  assert.ok(span);
  assert.equal(span.traceId, TRACE_ID);
  assert.equal(span.spanId, SPAN_ID);
  assert.equal(span.parentSpanId, '00f067aa0ba902b7');
  assert.equal(span.traceState, 'a=b');
  assert.equal(span.kind, 4);
  assert.equal(span.startTimeUnixNano, 1732000000123456n);
  assert.equal(span.endTimeUnixNano, 1732000000123457000n);
  assert.deepStrictEqual(span.attributes, [
    { key: 'i', value: { type: 'int', value: -5n } },
    { key: 'd', value: { type: 'double', value: 2.5 } },
    { key: 'b', value: { type: 'bool', value: true } },
    { key: 'y', value: { type: 'bytes', value: new Uint8Array([0, 1]) } },
    { key: 'a', value: { type: 'array', value: [{ type: 'string', value: 'x' }] } },
    { key: 'k', value: { type: 'kvlist', value: [{ key: 'n', value: { type: 'empty' } }] } },
  ]);
  assert.equal(span.droppedAttributesCount, 4);
  assert.deepStrictEqual(span.events, [{ timeUnixNano: 5n, name: 'e', attributes: [], droppedAttributesCount: 1 }]);
  assert.equal(span.droppedEventsCount, 2);
  assert.deepStrictEqual(span.links, [
    { traceId: TRACE_ID, spanId: SPAN_ID, traceState: 't', attributes: [], droppedAttributesCount: 0, flags: 257 },
  ]);
  assert.equal(span.droppedLinksCount, 3);
  assert.deepStrictEqual(span.status, { code: 2, message: 'bad' });
  assert.equal(span.flags, 1);
  assert.deepStrictEqual(span.resource, {
    attributes: [{ key: 'service.name', value: { type: 'string', value: 'svc' } }],
    droppedAttributesCount: 1,
  });
  assert.deepStrictEqual(span.scope, { name: 'lib', version: '2', attributes: [], droppedAttributesCount: 0 });
});

test('wrong types for known fields throw, naming the field', () => {
  const cases: [string, RegExp][] = [
    [requestWithSpan({ name: 5 }), /resourceSpans\[0\]\.scopeSpans\[0\]\.spans\[0\]\.name: expected a string/],
    [requestWithSpan({ kind: 'SERVER' }), /spans\[0\]\.kind: expected one of SPAN_KIND_UNSPECIFIED/],
    [requestWithSpan({ startTimeUnixNano: '12.5' }), /spans\[0\]\.startTimeUnixNano: expected a non-negative 64-bit/],
    [requestWithSpan({ endTimeUnixNano: '-1' }), /endTimeUnixNano/],
    [requestWithSpan({ droppedAttributesCount: -1 }), /spans\[0\]\.droppedAttributesCount: expected an unsigned/],
    [requestWithSpan({ attributes: {} }), /spans\[0\]\.attributes: expected an array, got an object/],
    [
      requestWithSpan({ attributes: [{ key: 'x', value: { intValue: '9223372036854775808' } }] }),
      /spans\[0\]\.attributes\[0\]\.value\.intValue: expected a 64-bit integer/,
    ],
    [
      requestWithSpan({ attributes: [{ key: 'x', value: { boolValue: 'true' } }] }),
      /value\.boolValue: expected a boolean/,
    ],
    [
      requestWithSpan({ attributes: [{ key: 'x', value: { bytesValue: 'no spaces!' } }] }),
      /bytesValue: expected base64/,
    ],
    [requestWithSpan({ attributes: [{ key: 'x', value: { doubleValue: 'pi' } }] }), /doubleValue: expected a number/],
    [requestWithSpan({ attributes: [{ key: 7 }] }), /attributes\[0\]\.key: expected a string/],
    [requestWithSpan({ events: [{ name: [] }] }), /spans\[0\]\.events\[0\]\.name: expected a string, got an array/],
    [requestWithSpan({ links: [{ traceId: 1 }] }), /spans\[0\]\.links\[0\]\.traceId: expected a string/],
    [requestWithSpan({ status: { code: true } }), /spans\[0\]\.status\.code/],
    [requestWithSpan({ traceId: 12 }), /spans\[0\]\.traceId: expected a string/],
    [
      requestWithSpan({}, { resource: { attributes: 'x' } }),
      /resourceSpans\[0\]\.resource\.attributes: expected an array/,
    ],
    [JSON.stringify({ resourceSpans: {} }), /json: resourceSpans: expected an array/],
    [JSON.stringify([1]), /json: request: expected an object/],
    ['{"resourceSpans": [', /json: .*JSON/],
  ];
  for (const [body, pattern] of cases) assertInvalidPayload(() => decodeOtlpTraceRequestJson(body), pattern);
});

test('spans with invalid ids are rejected one by one; bad links are dropped and counted', () => {
  const body = JSON.stringify({
    resourceSpans: [
      {
        scopeSpans: [
          {
            spans: [
              { traceId: TRACE_ID, spanId: 'b7ad6b71692033' },
              { traceId: '0'.repeat(32), spanId: SPAN_ID },
              { traceId: `${TRACE_ID.slice(0, 31)}g`, spanId: SPAN_ID },
              { traceId: TRACE_ID, spanId: SPAN_ID, parentSpanId: 'abc' },
              { spanId: SPAN_ID },
              { traceId: TRACE_ID, spanId: SPAN_ID, parentSpanId: '0000000000000000', links: [{ traceId: 'x' }] },
            ],
          },
        ],
      },
    ],
  });
  const decoded = decodeOtlpTraceRequestJson(body);
  assert.equal(decoded.rejectedSpans, 5);
  assert.equal(decoded.errorMessage, 'span rejected: span id is 14 hex characters, not 16');
  assert.equal(decoded.spans.length, 1);
  assert.equal(decoded.spans[0]?.parentSpanId, '');
  assert.equal(decoded.spans[0]?.links.length, 0);
  assert.equal(decoded.spans[0]?.droppedLinksCount, 1);
});

test('nulls read as absent values; empty requests decode to no spans', () => {
  const body = requestWithSpan({ name: null, attributes: null, status: null, kind: null }, { resource: null });
  const [span] = decodeOtlpTraceRequestJson(body).spans;
  assert.equal(span?.name, '');
  assert.deepStrictEqual(span?.status, { code: 0, message: '' });
  assert.deepStrictEqual(decodeOtlpTraceRequestJson('{}'), { spans: [], rejectedSpans: 0, errorMessage: '' });
});

test('attribute values nested deeper than 32 levels throw', () => {
  const nest = (levels: number): unknown => {
    let value: unknown = { intValue: '1' };
    for (let i = 1; i < levels; i++) value = { arrayValue: { values: [value] } };
    return value;
  };
  const ok = decodeOtlpTraceRequestJson(requestWithSpan({ attributes: [{ key: 'deep', value: nest(32) }] }));
  assert.equal(ok.spans.length, 1);
  assertInvalidPayload(
    () => decodeOtlpTraceRequestJson(requestWithSpan({ attributes: [{ key: 'deep', value: nest(33) }] })),
    /nested deeper than 32 levels/,
  );
});

test('a JSON body truncated at any character throws InvalidPayload', () => {
  const json = encodeOtlpTraceRequestJson(sampleSpans());
  for (let length = 0; length < json.length; length++) {
    assert.throws(
      () => decodeOtlpTraceRequestJson(json.slice(0, length)),
      (error: unknown) => isAriadneError(error, 'InvalidPayload'),
      `at ${length}`,
    );
  }
});
