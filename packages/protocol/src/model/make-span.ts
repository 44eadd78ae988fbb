import { EMPTY_SCOPE, type Resource, type Span, SpanKind, StatusCode } from './span.js';

/** What `makeSpan` takes: any span field, plus shorthands for the resource. */
export type MakeSpanOptions = Partial<Span> & {
  /** Sets the resource's `service.name` (ignored when `resource` is given). */
  readonly service?: string;
};

/**
 * A complete span from the fields a caller cares about, with neutral defaults
 * for the rest (a 100 ms server span of trace 0af76519…, no attributes, unset
 * status). Tests, examples and generators build spans with it, so that a new
 * field in the model is added in one place rather than in every fixture.
 */
export function makeSpan(options: MakeSpanOptions = {}): Span {
  const { service, ...fields } = options;
  const start = fields.startTimeUnixNano ?? 1_700_000_000_000_000_000n;
  return {
    traceId: '0af7651916cd43dd8448eb211c80319c',
    spanId: 'b7ad6b7169203331',
    parentSpanId: '',
    traceState: '',
    flags: 1,
    name: 'op',
    kind: SpanKind.Server,
    startTimeUnixNano: start,
    endTimeUnixNano: start + 100_000_000n,
    attributes: [],
    droppedAttributesCount: 0,
    events: [],
    droppedEventsCount: 0,
    links: [],
    droppedLinksCount: 0,
    status: { code: StatusCode.Unset, message: '' },
    resource: service === undefined ? { attributes: [], droppedAttributesCount: 0 } : serviceResource(service),
    scope: EMPTY_SCOPE,
    ...fields,
  };
}

/** A resource that names only its service. */
export function serviceResource(service: string): Resource {
  return {
    attributes: [{ key: 'service.name', value: { type: 'string', value: service } }],
    droppedAttributesCount: 0,
  };
}
