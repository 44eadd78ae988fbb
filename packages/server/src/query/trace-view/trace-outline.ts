import {
  type AnyValue,
  anyValueToJaegerTag,
  type Resource,
  type Span,
  StatusCode,
  serviceNameOf,
} from '@ariadne/protocol';

/**
 * What a trace's skeleton (`trace-skeleton.ts`) is made from: per span its
 * ids, times in the Jaeger API's microseconds, service, name, error flag and
 * event marks, as columns, in the order the store read them. A store that can
 * read this without decoding whole spans offers it (`TraceOutlineReader`):
 * decoding every attribute of 100,000 spans only to drop them is most of the
 * time of opening a large trace. Any other store's spans are outlined by
 * `traceOutlineOf`, with the same rules.
 */
export interface TraceOutline {
  /** As stored (lowercase hex); '' when there are no spans. */
  readonly traceId: string;
  readonly spanIds: readonly string[];
  /** '' for a span without a parent. */
  readonly parentIds: readonly string[];
  /**
   * Index in these columns of the span `parentIds[i]` names, when the reader
   * knows it without looking the id up (a block refers to a parent by
   * position); -1 otherwise. Only to be trusted when no two spans share an id.
   */
  readonly parentHints: ArrayLike<number>;
  /**
   * Microseconds since the epoch, truncated as the Jaeger translation
   * truncates (exact as doubles until the year 2255).
   */
  readonly startMicros: ArrayLike<number>;
  /** Microseconds, truncated; 0 when a span ends before it starts. */
  readonly durationMicros: ArrayLike<number>;
  /** Service names, span names and event names. */
  readonly strings: readonly string[];
  /** Indexes into `strings`. */
  readonly services: ArrayLike<number>;
  readonly names: ArrayLike<number>;
  /** Indexes of the spans that failed (`failsAsJaegerTags`), ascending. */
  readonly failed: readonly number[];
  /**
   * Event marks, three numbers each: span index, microseconds since the
   * epoch, index of the name in `strings` (-1: unnamed). At most
   * `MAX_EVENT_MARKS` per span, in the span's event order.
   */
  readonly events: readonly number[];
}

/** A store that reads a trace's outline itself, faster than `getTrace` and `traceOutlineOf`. */
export interface TraceOutlineReader {
  /**
   * The outline of every stored span of the trace, as `traceOutlineOf` would
   * give for the spans `getTrace` returns (in any order). Rejects with
   * `TraceNotFound` like `getTrace`.
   */
  getTraceOutline(traceId: string): Promise<TraceOutline>;
}

export function hasTraceOutline(reader: object): reader is TraceOutlineReader {
  return typeof (reader as Partial<TraceOutlineReader>).getTraceOutline === 'function';
}

/** The timeline draws at most this many event ticks on one bar. */
export const MAX_EVENT_MARKS = 20;

/** The span attribute keys the error rule reads (`failsAsJaegerTags`), in its argument order. */
export const ERROR_KEYS = ['error', 'otel.status_code'] as const;
/** The event attribute key Jaeger's event name comes from (`jaegerEventName`). */
export const EVENT_KEY = 'event';

/**
 * The UI's rule on Jaeger tags (the first `error` tag is true or "true", or
 * the first `otel.status_code` tag is "ERROR"), applied to the tags the Jaeger
 * translation would write: attributes come before the tags it derives from
 * the status, so an attribute of the same key is the one found first.
 * `error` and `otelStatus` are the first attributes of those keys.
 */
export function failsAsJaegerTags(
  status: StatusCode,
  error: AnyValue | undefined,
  otelStatus: AnyValue | undefined,
): boolean {
  const failed = status === StatusCode.Error;
  if (error !== undefined) {
    const value = anyValueToJaegerTag('error', error).value;
    if (value === true || value === 'true') return true;
  } else if (failed) return true;
  if (otelStatus !== undefined) return anyValueToJaegerTag('otel.status_code', otelStatus).value === 'ERROR';
  return failed;
}

/** The text of Jaeger's `event` log field: an attribute that claims the key, else the event's name. */
export function jaegerEventName(name: string, eventAttribute: AnyValue | undefined): string | undefined {
  if (eventAttribute !== undefined) return String(anyValueToJaegerTag('event', eventAttribute).value);
  return name === '' ? undefined : name;
}

/** Collects an outline span by span; parts of a trace read from several places go into one builder. */
export class TraceOutlineBuilder {
  traceId = '';
  readonly #spanIds: string[] = [];
  readonly #parentIds: string[] = [];
  // Numbers in typed columns, grown by doubling: 100,000 spans are several pushes each.
  #startMicros = new Float64Array(1024);
  #durationMicros = new Float64Array(1024);
  #services = new Int32Array(1024);
  #names = new Int32Array(1024);
  #parentHints = new Int32Array(1024);
  readonly #failed: number[] = [];
  readonly #events: number[] = [];
  readonly #strings: string[] = [];
  readonly #stringIndex = new Map<string, number>();
  /** Resources are shared between the spans of a batch (and of a block): name each once. */
  readonly #serviceOf = new Map<Resource, number>();
  #marks = 0;

  get spanCount(): number {
    return this.#spanIds.length;
  }

  intern(text: string): number {
    let index = this.#stringIndex.get(text);
    if (index === undefined) {
      index = this.#strings.length;
      this.#strings.push(text);
      this.#stringIndex.set(text, index);
    }
    return index;
  }

  /** The index of the resource's service name (`serviceNameOf`). */
  serviceOf(resource: Resource): number {
    let index = this.#serviceOf.get(resource);
    if (index === undefined) {
      index = this.intern(serviceNameOf(resource));
      this.#serviceOf.set(resource, index);
    }
    return index;
  }

  /**
   * Adds a span; its events follow (`addEvent`) before the next span. Returns
   * its index. `parentHint`: see `TraceOutline.parentHints`.
   */
  addSpan(
    spanId: string,
    parentId: string,
    startMicros: number,
    durationMicros: number,
    service: number,
    name: number,
    failed: boolean,
    parentHint = -1,
  ): number {
    const index = this.#spanIds.length;
    if (index === this.#names.length) this.#grow();
    this.#spanIds.push(spanId);
    this.#parentIds.push(parentId);
    this.#startMicros[index] = startMicros;
    this.#durationMicros[index] = durationMicros;
    this.#services[index] = service;
    this.#names[index] = name;
    this.#parentHints[index] = parentHint;
    if (failed) this.#failed.push(index);
    this.#marks = 0;
    return index;
  }

  #grow(): void {
    const size = this.#names.length * 2;
    const grown = <T extends Float64Array | Int32Array>(column: T, make: (size: number) => T): T => {
      const bigger = make(size);
      bigger.set(column);
      return bigger;
    };
    this.#startMicros = grown(this.#startMicros, (n) => new Float64Array(n));
    this.#durationMicros = grown(this.#durationMicros, (n) => new Float64Array(n));
    this.#services = grown(this.#services, (n) => new Int32Array(n));
    this.#names = grown(this.#names, (n) => new Int32Array(n));
    this.#parentHints = grown(this.#parentHints, (n) => new Int32Array(n));
  }

  /** An event of the span added last; false once it has its `MAX_EVENT_MARKS` (the rest are not drawn). */
  addEvent(micros: number, name: string | undefined): boolean {
    if (this.#marks >= MAX_EVENT_MARKS) return false;
    this.#marks++;
    this.#events.push(this.#spanIds.length - 1, micros, name === undefined ? -1 : this.intern(name));
    return this.#marks < MAX_EVENT_MARKS;
  }

  /** Domain spans, by the rules a store's own outline follows. */
  addSpans(spans: readonly Span[]): void {
    const n = spans.length;
    if (n === 0) return;
    if (this.traceId === '') this.traceId = (spans[0] as Span).traceId;
    // Microseconds from offsets to one whole microsecond: one BigInt subtraction per time, not a division.
    const baseMicros = (spans[0] as Span).startTimeUnixNano / 1000n;
    const baseNanos = baseMicros * 1000n;
    const base = Number(baseMicros);
    const microsOf = (nanos: bigint): number => {
      const offset = nanos - baseNanos;
      return offset <= MAX_EXACT && offset >= -MAX_EXACT ? base + Math.floor(Number(offset) / 1000) : micros(nanos);
    };
    for (let i = 0; i < n; i++) {
      const span = spans[i] as Span;
      let error: AnyValue | undefined;
      let otelStatus: AnyValue | undefined;
      for (const attribute of span.attributes) {
        if (error === undefined && attribute.key === 'error') error = attribute.value;
        else if (otelStatus === undefined && attribute.key === 'otel.status_code') otelStatus = attribute.value;
      }
      const duration = span.endTimeUnixNano - span.startTimeUnixNano;
      this.addSpan(
        span.spanId,
        span.parentSpanId,
        microsOf(span.startTimeUnixNano),
        duration <= 0n ? 0 : duration <= MAX_EXACT ? Math.floor(Number(duration) / 1000) : micros(duration),
        this.serviceOf(span.resource),
        this.intern(span.name),
        failsAsJaegerTags(span.status.code, error, otelStatus),
      );
      for (const event of span.events) {
        let claimed: AnyValue | undefined;
        for (const attribute of event.attributes) {
          if (attribute.key === EVENT_KEY) {
            claimed = attribute.value;
            break;
          }
        }
        if (!this.addEvent(microsOf(event.timeUnixNano), jaegerEventName(event.name, claimed))) break;
      }
    }
  }

  build(): TraceOutline {
    const n = this.#spanIds.length;
    return {
      traceId: this.traceId,
      spanIds: this.#spanIds,
      parentIds: this.#parentIds,
      parentHints: this.#parentHints.subarray(0, n),
      startMicros: this.#startMicros.subarray(0, n),
      durationMicros: this.#durationMicros.subarray(0, n),
      strings: this.#strings,
      services: this.#services.subarray(0, n),
      names: this.#names.subarray(0, n),
      failed: this.#failed,
      events: this.#events,
    };
  }
}

/** The outline of domain spans (any store's `getTrace`). */
export function traceOutlineOf(spans: readonly Span[]): TraceOutline {
  const builder = new TraceOutlineBuilder();
  builder.addSpans(spans);
  return builder.build();
}

const MAX_EXACT = BigInt(Number.MAX_SAFE_INTEGER);

/** Truncates toward zero, as the Jaeger translation does. */
function micros(nanos: bigint): number {
  return Number(nanos / 1000n);
}
