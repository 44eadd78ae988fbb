import type { Attributes } from './any-value.js';

/** OTLP's span kinds, with OTLP's numbers. */
export enum SpanKind {
  Unspecified = 0,
  Internal = 1,
  Server = 2,
  Client = 3,
  Producer = 4,
  Consumer = 5,
}

/** OTLP's status codes, with OTLP's numbers. */
export enum StatusCode {
  Unset = 0,
  Ok = 1,
  Error = 2,
}

export interface Resource {
  readonly attributes: Attributes;
  readonly droppedAttributesCount: number;
}

export interface InstrumentationScope {
  readonly name: string;
  readonly version: string;
  readonly attributes: Attributes;
  readonly droppedAttributesCount: number;
}

export interface SpanEvent {
  readonly timeUnixNano: bigint;
  readonly name: string;
  readonly attributes: Attributes;
  readonly droppedAttributesCount: number;
}

export interface SpanLink {
  /** 32 lowercase hex characters. */
  readonly traceId: string;
  /** 16 lowercase hex characters. */
  readonly spanId: string;
  readonly traceState: string;
  readonly attributes: Attributes;
  readonly droppedAttributesCount: number;
  readonly flags: number;
}

export interface SpanStatus {
  readonly code: StatusCode;
  readonly message: string;
}

/**
 * Ariadne's one span type: every receiver decodes into it, every store keeps it,
 * every query API encodes from it. It carries everything OTLP can carry.
 *
 * Ids are lowercase hex strings (trace: 32 characters, span: 16), which makes
 * them cheap to compare, hash and print. Times are nanoseconds since the Unix
 * epoch as `bigint`: no precision is lost. `resource` and `scope` are usually
 * shared between the spans of one batch; treat them as immutable.
 */
export interface Span {
  readonly traceId: string;
  readonly spanId: string;
  /** Empty string for a root span. */
  readonly parentSpanId: string;
  /** W3C tracestate header value; empty when absent. */
  readonly traceState: string;
  /** W3C trace flags in the low 8 bits, OTLP's extra flag bits above. */
  readonly flags: number;
  readonly name: string;
  readonly kind: SpanKind;
  readonly startTimeUnixNano: bigint;
  readonly endTimeUnixNano: bigint;
  readonly attributes: Attributes;
  readonly droppedAttributesCount: number;
  readonly events: readonly SpanEvent[];
  readonly droppedEventsCount: number;
  readonly links: readonly SpanLink[];
  readonly droppedLinksCount: number;
  readonly status: SpanStatus;
  readonly resource: Resource;
  readonly scope: InstrumentationScope;
}

export const EMPTY_RESOURCE: Resource = Object.freeze({ attributes: [], droppedAttributesCount: 0 });
export const EMPTY_SCOPE: InstrumentationScope = Object.freeze({
  name: '',
  version: '',
  attributes: [],
  droppedAttributesCount: 0,
});

/** The `service.name` of a span's resource, or OpenTelemetry's fallback when it has none. */
export function serviceNameOf(resource: Resource): string {
  for (const attribute of resource.attributes) {
    if (attribute.key === 'service.name' && attribute.value.type === 'string') return attribute.value.value;
  }
  return 'unknown_service';
}

export function durationNanosOf(span: Span): bigint {
  const duration = span.endTimeUnixNano - span.startTimeUnixNano;
  return duration > 0n ? duration : 0n;
}
