import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { Attributes } from '../model/any-value.js';
import { EMPTY_SCOPE, type Resource, type Span, SpanKind, StatusCode } from '../model/span.js';
import { decodeZipkinV2Json } from '../zipkin/decode-zipkin-v2-json.js';
import { spanKindFromJaeger, spanKindToJaeger } from './jaeger-span-kind.js';
import { stringifyJaegerJson } from './stringify-jaeger-json.js';
import { toJaegerTrace } from './to-jaeger-trace.js';
import type { JaegerKeyValue } from './ui-model.js';

const TRACE_ID = '0af7651916cd43dd8448eb211c80319c';
const SHORT_TRACE_ID = '0000000000000000b7ad6b7169203331';
const T0 = 1_700_000_000_123_456_789n;

const checkout: Resource = {
  attributes: [
    { key: 'service.name', value: { type: 'string', value: 'checkout' } },
    { key: 'host.name', value: { type: 'string', value: 'box-1' } },
  ],
  droppedAttributesCount: 0,
};

function span(overrides: Partial<Span>): Span {
  return {
    traceId: TRACE_ID,
    spanId: '00f067aa0ba902b7',
    parentSpanId: '',
    traceState: '',
    flags: 1,
    name: 'GET /cart',
    kind: SpanKind.Unspecified,
    startTimeUnixNano: T0,
    endTimeUnixNano: T0 + 2_500_999n,
    attributes: [],
    droppedAttributesCount: 0,
    events: [],
    droppedEventsCount: 0,
    links: [],
    droppedLinksCount: 0,
    status: { code: StatusCode.Unset, message: '' },
    resource: checkout,
    scope: EMPTY_SCOPE,
    ...overrides,
  };
}

function tag(tags: readonly JaegerKeyValue[], key: string): JaegerKeyValue | undefined {
  return tags.find((t) => t.key === key);
}

test('times are microseconds, ids are hex, a parent becomes the first CHILD_OF reference', () => {
  const trace = toJaegerTrace([span({ parentSpanId: 'b7ad6b7169203331', flags: 0x0301 })]);
  const [s] = trace.spans;
  assert.ok(s);
  assert.equal(trace.traceID, TRACE_ID);
  assert.equal(s.traceID, TRACE_ID);
  assert.equal(s.startTime, 1_700_000_000_123_456);
  assert.equal(s.duration, 2_500);
  assert.equal(s.operationName, 'GET /cart');
  assert.equal(s.flags, 1);
  assert.equal(s.parentSpanID, 'b7ad6b7169203331');
  assert.deepEqual(s.references, [{ refType: 'CHILD_OF', traceID: TRACE_ID, spanID: 'b7ad6b7169203331' }]);
  assert.deepEqual(s.tags, []);
  assert.equal(s.warnings, null);
  assert.equal(trace.warnings, null);
});

test('a trace id whose high half is zero is printed with 16 characters, in links too', () => {
  const trace = toJaegerTrace([
    span({
      traceId: SHORT_TRACE_ID,
      links: [
        {
          traceId: SHORT_TRACE_ID,
          spanId: '1111111111111111',
          traceState: '',
          attributes: [],
          droppedAttributesCount: 0,
          flags: 0,
        },
      ],
    }),
  ]);
  assert.equal(trace.traceID, 'b7ad6b7169203331');
  assert.equal(trace.spans[0]?.traceID, 'b7ad6b7169203331');
  assert.equal(trace.spans[0]?.references[0]?.traceID, 'b7ad6b7169203331');
  assert.equal(trace.spans[0]?.parentSpanID, undefined);
});

test('links become FOLLOWS_FROM references without their attributes; OpenTracing ref types are kept', () => {
  const linkAttributes: Attributes = [{ key: 'reason', value: { type: 'string', value: 'batch' } }];
  const trace = toJaegerTrace([
    span({
      parentSpanId: 'b7ad6b7169203331',
      links: [
        {
          traceId: 'f'.repeat(32),
          spanId: '2222222222222222',
          traceState: '',
          attributes: linkAttributes,
          droppedAttributesCount: 0,
          flags: 0,
        },
        {
          traceId: TRACE_ID,
          spanId: 'b7ad6b7169203331',
          traceState: '',
          attributes: [{ key: 'opentracing.ref_type', value: { type: 'string', value: 'follows_from' } }],
          droppedAttributesCount: 0,
          flags: 0,
        },
        {
          traceId: TRACE_ID,
          spanId: '3333333333333333',
          traceState: '',
          attributes: [{ key: 'opentracing.ref_type', value: { type: 'string', value: 'child_of' } }],
          droppedAttributesCount: 0,
          flags: 0,
        },
      ],
    }),
  ]);
  assert.deepEqual(trace.spans[0]?.references, [
    // The link to the parent changed the parent reference's type instead of adding one.
    { refType: 'FOLLOWS_FROM', traceID: TRACE_ID, spanID: 'b7ad6b7169203331' },
    { refType: 'FOLLOWS_FROM', traceID: 'f'.repeat(32), spanID: '2222222222222222' },
    { refType: 'CHILD_OF', traceID: TRACE_ID, spanID: '3333333333333333' },
  ]);
  assert.equal(stringifyJaegerJson(trace).includes('batch'), false);
});

test('attributes become typed tags; int64 beyond 2^53 keeps every digit in JSON', () => {
  const trace = toJaegerTrace([
    span({
      attributes: [
        { key: 's', value: { type: 'string', value: 'text' } },
        { key: 'i', value: { type: 'int', value: 9_223_372_036_854_775_807n } },
        { key: 'small', value: { type: 'int', value: 200n } },
        { key: 'd', value: { type: 'double', value: 0.25 } },
        { key: 'nan', value: { type: 'double', value: Number.NaN } },
        { key: 'b', value: { type: 'bool', value: false } },
        { key: 'bytes', value: { type: 'bytes', value: new Uint8Array([0, 1, 2, 255]) } },
        {
          key: 'arr',
          value: {
            type: 'array',
            value: [
              { type: 'string', value: 'a' },
              { type: 'int', value: 9_007_199_254_740_993n },
              { type: 'bool', value: true },
              { type: 'double', value: 1.5 },
              { type: 'empty' },
            ],
          },
        },
        {
          key: 'map',
          value: {
            type: 'kvlist',
            value: [
              { key: 'z', value: { type: 'string', value: 'last' } },
              { key: 'a', value: { type: 'array', value: [{ type: 'bytes', value: new Uint8Array([1]) }] } },
            ],
          },
        },
        { key: 'none', value: { type: 'empty' } },
      ],
    }),
  ]);
  const tags = trace.spans[0]?.tags ?? [];
  assert.deepEqual(tags, [
    { key: 's', type: 'string', value: 'text' },
    { key: 'i', type: 'int64', value: 9_223_372_036_854_775_807n },
    { key: 'small', type: 'int64', value: 200n },
    { key: 'd', type: 'float64', value: 0.25 },
    { key: 'nan', type: 'string', value: 'NaN' },
    { key: 'b', type: 'bool', value: false },
    { key: 'bytes', type: 'binary', value: 'AAEC/w==' },
    { key: 'arr', type: 'string', value: '["a",9007199254740993,true,1.5,null]' },
    { key: 'map', type: 'string', value: '{"z":"last","a":["AQ=="]}' },
    { key: 'none', type: 'string', value: '' },
  ]);
  const json = stringifyJaegerJson(trace);
  assert.ok(json.includes('{"key":"i","type":"int64","value":9223372036854775807}'), json);
  assert.ok(json.includes('{"key":"small","type":"int64","value":200}'), json);
});

test('kind, status, scope, trace state and dropped counts become tags in the collector order', () => {
  const trace = toJaegerTrace([
    span({
      kind: SpanKind.Client,
      status: { code: StatusCode.Error, message: 'connection refused' },
      scope: { name: 'io.opentelemetry.http', version: '1.2.3', attributes: [], droppedAttributesCount: 0 },
      traceState: 'rojo=00f067aa0ba902b7',
      attributes: [{ key: 'http.method', value: { type: 'string', value: 'GET' } }],
      droppedAttributesCount: 3,
      droppedEventsCount: 0,
      droppedLinksCount: 2,
    }),
  ]);
  assert.deepEqual(
    trace.spans[0]?.tags.map((t) => [t.key, t.type, t.value]),
    [
      ['otel.scope.name', 'string', 'io.opentelemetry.http'],
      ['otel.scope.version', 'string', '1.2.3'],
      ['http.method', 'string', 'GET'],
      ['span.kind', 'string', 'client'],
      ['otel.status_code', 'string', 'ERROR'],
      ['error', 'bool', true],
      ['otel.status_description', 'string', 'connection refused'],
      ['w3c.tracestate', 'string', 'rojo=00f067aa0ba902b7'],
      ['otel.dropped_attributes_count', 'int64', 3n],
      ['otel.dropped_links_count', 'int64', 2n],
    ],
  );
});

test('a Zipkin error tag reads back as one error tag, with its description in error.message as Jaeger writes it', () => {
  const tagsOf = (tags: Record<string, string>) =>
    toJaegerTrace(
      decodeZipkinV2Json(JSON.stringify([{ traceId: 'a', id: 'b', timestamp: 1, duration: 1, tags }])),
    ).spans[0]?.tags.map((t) => [t.key, t.type, t.value]);
  // Zipkin's own: the tag's place keeps a bool, Jaeger's collector's rule for a description.
  assert.deepEqual(tagsOf({ 'http.method': 'POST', error: 'card declined', 'http.path': '/pay' }), [
    ['http.method', 'string', 'POST'],
    ['error', 'bool', true],
    ['error.message', 'string', 'card declined'],
    ['http.path', 'string', '/pay'],
  ]);
  assert.deepEqual(tagsOf({ error: 'true' }), [['error', 'bool', true]]);
  assert.deepEqual(tagsOf({ error: '' }), [['error', 'bool', true]]);
  // A span's own error.message is not written twice.
  assert.deepEqual(tagsOf({ error: 'card declined', 'error.message': 'insufficient funds' }), [
    ['error', 'bool', true],
    ['error.message', 'string', 'insufficient funds'],
  ]);
  // Not an error: stays as it came.
  assert.deepEqual(tagsOf({ error: 'false' }), [['error', 'string', 'false']]);
  // OpenTelemetry's Zipkin exporter writes the status and repeats it in `error`: once, as its status.
  assert.deepEqual(tagsOf({ 'otel.status_code': 'ERROR', error: 'card declined' }), [
    ['otel.status_code', 'string', 'ERROR'],
    ['error', 'bool', true],
    ['otel.status_description', 'string', 'card declined'],
  ]);
});

test('an error attribute that is not what failed the span leaves the status tags as they are', () => {
  const tags = (attribute: string, message: string) =>
    toJaegerTrace([
      span({
        attributes: [{ key: 'error', value: { type: 'string', value: attribute } }],
        status: { code: StatusCode.Error, message },
      }),
    ]).spans[0]?.tags.map((t) => [t.key, t.type, t.value]);
  assert.deepEqual(tags('timeout', 'connection refused'), [
    ['error', 'string', 'timeout'],
    ['otel.status_code', 'string', 'ERROR'],
    ['error', 'bool', true],
    ['otel.status_description', 'string', 'connection refused'],
  ]);
});

test('every span kind has its Jaeger name; unspecified has no tag; OK status has no error tag', () => {
  const expected: [SpanKind, string | undefined][] = [
    [SpanKind.Unspecified, undefined],
    [SpanKind.Internal, 'internal'],
    [SpanKind.Server, 'server'],
    [SpanKind.Client, 'client'],
    [SpanKind.Producer, 'producer'],
    [SpanKind.Consumer, 'consumer'],
  ];
  for (const [kind, name] of expected) {
    const tags = toJaegerTrace([span({ kind, status: { code: StatusCode.Ok, message: '' } })]).spans[0]?.tags ?? [];
    assert.equal(tag(tags, 'span.kind')?.value, name);
    assert.equal(tag(tags, 'otel.status_code')?.value, 'OK');
    assert.equal(tag(tags, 'error'), undefined);
    assert.equal(spanKindFromJaeger(spanKindToJaeger(kind) || 'unspecified'), kind);
  }
  assert.equal(spanKindFromJaeger('SERVER'), SpanKind.Server);
  assert.equal(spanKindFromJaeger('sideways'), undefined);
});

test('events become logs with an event field, then their attributes', () => {
  const trace = toJaegerTrace([
    span({
      events: [
        {
          timeUnixNano: T0 + 1_000_500n,
          name: 'exception',
          attributes: [{ key: 'exception.type', value: { type: 'string', value: 'TypeError' } }],
          droppedAttributesCount: 1,
        },
        // An attribute called `event` wins over the name, as in the collector.
        {
          timeUnixNano: T0,
          name: 'ignored',
          attributes: [{ key: 'event', value: { type: 'string', value: 'explicit' } }],
          droppedAttributesCount: 0,
        },
        { timeUnixNano: T0, name: '', attributes: [], droppedAttributesCount: 0 },
      ],
    }),
  ]);
  assert.deepEqual(trace.spans[0]?.logs, [
    {
      timestamp: 1_700_000_000_124_457,
      fields: [
        { key: 'event', type: 'string', value: 'exception' },
        { key: 'exception.type', type: 'string', value: 'TypeError' },
        { key: 'otel.dropped_attributes_count', type: 'int64', value: 1n },
      ],
    },
    { timestamp: 1_700_000_000_123_456, fields: [{ key: 'event', type: 'string', value: 'explicit' }] },
    { timestamp: 1_700_000_000_123_456, fields: [] },
  ]);
});

test('resources become processes deduplicated by content, numbered in order of first use', () => {
  const checkoutCopy: Resource = { attributes: [...checkout.attributes], droppedAttributesCount: 0 };
  const payments: Resource = {
    attributes: [
      { key: 'service.name', value: { type: 'string', value: 'payments' } },
      { key: 'process.pid', value: { type: 'int', value: 42n } },
    ],
    droppedAttributesCount: 2,
  };
  const anonymous: Resource = { attributes: [], droppedAttributesCount: 0 };
  const trace = toJaegerTrace([
    span({ spanId: '0000000000000001', startTimeUnixNano: T0, resource: checkout }),
    span({ spanId: '0000000000000002', startTimeUnixNano: T0 + 1n, resource: payments }),
    span({ spanId: '0000000000000003', startTimeUnixNano: T0 + 2n, resource: checkoutCopy }),
    span({ spanId: '0000000000000004', startTimeUnixNano: T0 + 3n, resource: anonymous }),
  ]);
  assert.deepEqual(
    trace.spans.map((s) => s.processID),
    ['p1', 'p2', 'p1', 'p3'],
  );
  assert.deepEqual(trace.processes, {
    p1: { serviceName: 'checkout', tags: [{ key: 'host.name', type: 'string', value: 'box-1' }] },
    p2: {
      serviceName: 'payments',
      tags: [
        { key: 'process.pid', type: 'int64', value: 42n },
        { key: 'otel.dropped_attributes_count', type: 'int64', value: 2n },
      ],
    },
    p3: { serviceName: 'unknown_service', tags: [] },
  });
});

test('spans are ordered by start time; an end before the start gives duration 0 and a warning', () => {
  const trace = toJaegerTrace([
    span({ spanId: '0000000000000002', startTimeUnixNano: T0 + 5_000n }),
    span({ spanId: '0000000000000001', startTimeUnixNano: T0, endTimeUnixNano: T0 - 3_000n }),
  ]);
  assert.deepEqual(
    trace.spans.map((s) => s.spanID),
    ['0000000000000001', '0000000000000002'],
  );
  assert.equal(trace.spans[0]?.duration, 0);
  assert.equal(trace.spans[0]?.warnings?.length, 1);
  assert.match(trace.spans[0]?.warnings?.[0] ?? '', /end time is before start time/);
  assert.equal(trace.spans[1]?.warnings, null);
});

test('an empty span list gives an empty trace', () => {
  assert.deepEqual(toJaegerTrace([]), { traceID: '', spans: [], processes: {}, warnings: null });
});
