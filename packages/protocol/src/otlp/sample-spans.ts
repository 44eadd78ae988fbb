import type { Attributes } from '../model/any-value.js';
import { type InstrumentationScope, type Resource, type Span, SpanKind, StatusCode } from '../model/span.js';

/**
 * Spans that exercise every field and every attribute value type the OTLP
 * trace proto carries, for codec tests: int64 extremes, negative numbers,
 * doubles that JSON cannot spell, unicode, empty strings, nested arrays and
 * key-value lists, empty values, events, links and all the dropped counts.
 */
export function sampleSpans(): Span[] {
  const everyValue: Attributes = [
    { key: 'string', value: { type: 'string', value: 'héllo wörld ✓ 𝄞 日本' } },
    { key: 'empty string', value: { type: 'string', value: '' } },
    { key: 'long string', value: { type: 'string', value: 'x'.repeat(300) + 'ü'.repeat(50) } },
    { key: 'bool true', value: { type: 'bool', value: true } },
    { key: 'bool false', value: { type: 'bool', value: false } },
    { key: 'int zero', value: { type: 'int', value: 0n } },
    { key: 'int max', value: { type: 'int', value: 9223372036854775807n } },
    { key: 'int min', value: { type: 'int', value: -9223372036854775808n } },
    { key: 'int negative', value: { type: 'int', value: -42n } },
    { key: 'double', value: { type: 'double', value: Math.PI } },
    { key: 'double negative zero', value: { type: 'double', value: -0 } },
    { key: 'double nan', value: { type: 'double', value: Number.NaN } },
    { key: 'double infinity', value: { type: 'double', value: Number.POSITIVE_INFINITY } },
    { key: 'double -infinity', value: { type: 'double', value: Number.NEGATIVE_INFINITY } },
    { key: 'bytes', value: { type: 'bytes', value: new Uint8Array([0, 1, 2, 250, 255]) } },
    { key: 'empty bytes', value: { type: 'bytes', value: new Uint8Array(0) } },
    { key: 'empty', value: { type: 'empty' } },
    { key: '', value: { type: 'string', value: 'empty key' } },
    {
      key: 'array',
      value: {
        type: 'array',
        value: [
          { type: 'string', value: 'a' },
          { type: 'int', value: -1n },
          { type: 'array', value: [{ type: 'bool', value: true }, { type: 'empty' }] },
          { type: 'array', value: [] },
        ],
      },
    },
    {
      key: 'kvlist',
      value: {
        type: 'kvlist',
        value: [
          { key: 'inner', value: { type: 'double', value: 1.5 } },
          {
            key: 'nested',
            value: { type: 'kvlist', value: [{ key: 'deep', value: { type: 'string', value: 'yes' } }] },
          },
          { key: 'empty list', value: { type: 'kvlist', value: [] } },
        ],
      },
    },
  ];
  const resource: Resource = {
    attributes: [
      { key: 'service.name', value: { type: 'string', value: 'checkout' } },
      { key: 'service.instance.id', value: { type: 'int', value: 7n } },
    ],
    droppedAttributesCount: 3,
  };
  const otherResource: Resource = {
    attributes: [{ key: 'service.name', value: { type: 'string', value: 'payments' } }],
    droppedAttributesCount: 0,
  };
  const scope: InstrumentationScope = {
    name: '@ariadne/test',
    version: '1.2.3',
    attributes: [{ key: 'scope.attr', value: { type: 'bool', value: true } }],
    droppedAttributesCount: 1,
  };
  const bareScope: InstrumentationScope = { name: '', version: '', attributes: [], droppedAttributesCount: 0 };
  const full: Span = {
    traceId: '0af7651916cd43dd8448eb211c80319c',
    spanId: 'b7ad6b7169203331',
    parentSpanId: '00f067aa0ba902b7',
    traceState: 'rojo=00f067aa0ba902b7,congo=t61rcWkgMzE',
    flags: 0x301,
    name: 'GET /api/ünïcode',
    kind: SpanKind.Server,
    startTimeUnixNano: 1_732_000_000_123_456_789n,
    endTimeUnixNano: 18_446_744_073_709_551_615n,
    attributes: everyValue,
    droppedAttributesCount: 2,
    events: [
      {
        timeUnixNano: 1_732_000_000_200_000_000n,
        name: 'exception',
        attributes: [{ key: 'exception.message', value: { type: 'string', value: 'boom\n"quoted"\\' } }],
        droppedAttributesCount: 1,
      },
      { timeUnixNano: 0n, name: '', attributes: [], droppedAttributesCount: 0 },
    ],
    droppedEventsCount: 4,
    links: [
      {
        traceId: 'ffffffffffffffffffffffffffffffff',
        spanId: '0000000000000001',
        traceState: 'k=v',
        attributes: [{ key: 'link.kind', value: { type: 'string', value: 'follows' } }],
        droppedAttributesCount: 5,
        flags: 0x101,
      },
    ],
    droppedLinksCount: 6,
    status: { code: StatusCode.Error, message: 'it broke' },
    resource,
    scope,
  };
  const minimal: Span = {
    traceId: '00000000000000000000000000000001',
    spanId: '0000000000000002',
    parentSpanId: '',
    traceState: '',
    flags: 0,
    name: '',
    kind: SpanKind.Unspecified,
    startTimeUnixNano: 0n,
    endTimeUnixNano: 0n,
    attributes: [],
    droppedAttributesCount: 0,
    events: [],
    droppedEventsCount: 0,
    links: [],
    droppedLinksCount: 0,
    status: { code: StatusCode.Unset, message: '' },
    resource,
    scope: bareScope,
  };
  const okSpan: Span = {
    ...minimal,
    spanId: '0000000000000003',
    parentSpanId: '0000000000000002',
    kind: SpanKind.Consumer,
    status: { code: StatusCode.Ok, message: '' },
    resource: otherResource,
    scope,
  };
  const sibling: Span = { ...full, spanId: '0000000000000004', kind: SpanKind.Client, events: [], links: [] };
  return [full, minimal, okSpan, sibling];
}
