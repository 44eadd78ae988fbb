import type {
  Attributes,
  InstrumentationScope,
  Resource,
  Span,
  SpanEvent,
  SpanKind,
  SpanLink,
  SpanStatus,
} from '@ariadne/protocol';
import { decodeBodyAt, type SpanTables } from './span-codec.js';

/** Where the spans of one head record find their bodies, set once the record is made. */
export interface HeadRecordRef {
  record: Buffer;
  /** Added to a body's position in the record's span section (the record's header comes first). */
  offset: number;
}

/**
 * A span of the head that keeps only what writes, cuts and most reads use
 * (ids, times, name, kind, status, resource, scope) and reads its
 * attributes, events and links from its WAL record when asked, each time:
 * a head of 100,000 spans of the workload took about 200 MB of
 * objects with them, and its bytes are about 30 MB. Cuts copy the bodies
 * byte for byte and never ask. Not a plain object: what leaves the store
 * (a structured clone to another thread, `JSON.stringify`) takes `toSpan()`.
 */
export class HeadSpan implements Span {
  readonly #ref: HeadRecordRef;
  readonly #at: number;
  readonly #tables: SpanTables;

  constructor(
    readonly traceId: string,
    readonly spanId: string,
    readonly parentSpanId: string,
    readonly startTimeUnixNano: bigint,
    readonly endTimeUnixNano: bigint,
    readonly traceState: string,
    readonly flags: number,
    readonly name: string,
    readonly kind: SpanKind,
    readonly droppedAttributesCount: number,
    readonly droppedEventsCount: number,
    readonly droppedLinksCount: number,
    readonly status: SpanStatus,
    readonly resource: Resource,
    readonly scope: InstrumentationScope,
    ref: HeadRecordRef,
    bodyAt: number,
    tables: SpanTables,
  ) {
    this.#ref = ref;
    this.#at = bodyAt;
    this.#tables = tables;
  }

  get attributes(): Attributes {
    return this.toSpan().attributes;
  }

  get events(): readonly SpanEvent[] {
    return this.toSpan().events;
  }

  get links(): readonly SpanLink[] {
    return this.toSpan().links;
  }

  /** The whole span as a plain object, decoded from the record. */
  toSpan(): Span {
    const ref = this.#ref;
    return decodeBodyAt(
      ref.record,
      ref.offset + this.#at,
      this.#tables,
      this.traceId,
      this.spanId,
      this.parentSpanId,
      this.startTimeUnixNano,
      this.endTimeUnixNano,
    );
  }
}

/** Plain spans, whatever the head kept: what a read hands out. */
export function plainSpans(spans: readonly Span[]): Span[] {
  return spans.map((span) => (span instanceof HeadSpan ? span.toSpan() : span));
}
