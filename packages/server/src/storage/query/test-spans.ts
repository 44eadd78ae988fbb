import { type Attributes, EMPTY_SCOPE, type Span, SpanKind, StatusCode } from '@ariadne/protocol';

/** A span for unit tests of the query functions; override what the test is about. */
export function testSpan(overrides: Partial<Span> & { service?: string; resourceAttributes?: Attributes } = {}): Span {
  const { service = 'checkout', resourceAttributes = [], ...rest } = overrides;
  return {
    traceId: '0af7651916cd43dd8448eb211c80319c',
    spanId: 'b7ad6b7169203331',
    parentSpanId: '',
    traceState: '',
    flags: 1,
    name: 'GET /cart',
    kind: SpanKind.Server,
    startTimeUnixNano: 1_700_000_000_000_000_000n,
    endTimeUnixNano: 1_700_000_000_100_000_000n,
    attributes: [],
    droppedAttributesCount: 0,
    events: [],
    droppedEventsCount: 0,
    links: [],
    droppedLinksCount: 0,
    status: { code: StatusCode.Unset, message: '' },
    resource: {
      attributes: [{ key: 'service.name', value: { type: 'string', value: service } }, ...resourceAttributes],
      droppedAttributesCount: 0,
    },
    scope: EMPTY_SCOPE,
    ...rest,
  };
}
