import {
  type AnyValue,
  anyValueToJaegerTag,
  type Span,
  StatusCode,
  serviceNameOf,
  toJaegerTraceId,
} from '@ariadne/protocol';

/**
 * What the UI's timeline needs of a trace and nothing more: per span its id,
 * parent, service, operation, times, error flag and event marks, as columns
 * with strings in one table. For 100,000 spans this is about 6 MB of JSON
 * where the Jaeger trace is about 140 MB, so it can be written, sent and
 * parsed in a fraction of the time; attributes, events and links of one span
 * are fetched when it is opened.
 *
 * Every value means what the Jaeger API's trace means (`/api/traces/{id}`):
 * microsecond times truncated the same way, the same service names, the
 * error rule the UI applies to Jaeger tags, event marks named as Jaeger's
 * `event` log field. Spans are sorted by start (microsecond), then id, as
 * the Jaeger API sorts them.
 */
export interface TraceSkeleton {
  /** The trace id as the Jaeger API prints it. */
  readonly traceID: string;
  /** Microseconds since the epoch; `starts` and event times count from it. */
  readonly startTime: number;
  /** Service names, operation names and event names. */
  readonly strings: readonly string[];
  readonly spanIds: readonly string[];
  /** Index of the parent span in these columns; -1 for a root, -2 when the parent is not in the trace. */
  readonly parents: readonly number[];
  /** The parent ids of the spans whose `parents` entry is -2, in span order. */
  readonly missingParents: readonly string[];
  /** Microseconds after `startTime`. */
  readonly starts: readonly number[];
  /** Microseconds; 0 when a span ends before it starts. */
  readonly durations: readonly number[];
  /** Indexes into `strings`. */
  readonly services: readonly number[];
  readonly operations: readonly number[];
  /** Indexes of the spans that failed. */
  readonly errors: readonly number[];
  /**
   * Event marks, three numbers each: span index, microseconds after
   * `startTime`, and the index of its name in `strings` (-1: unnamed). At most
   * `MAX_EVENT_MARKS` per span: the timeline draws no more.
   */
  readonly events: readonly number[];
}

/** The timeline draws at most this many event ticks on one bar. */
export const MAX_EVENT_MARKS = 20;

export function toTraceSkeleton(spans: readonly Span[]): TraceSkeleton {
  const n = spans.length;
  const strings: string[] = [];
  const stringIndex = new Map<string, number>();
  const intern = (text: string): number => {
    let index = stringIndex.get(text);
    if (index === undefined) {
      index = strings.length;
      strings.push(text);
      stringIndex.set(text, index);
    }
    return index;
  };
  // Resources are shared between the spans of a batch: name each once.
  const serviceOf = new Map<Span['resource'], number>();

  let minStart = 0n;
  for (let i = 0; i < n; i++) {
    const start = (spans[i] as Span).startTimeUnixNano;
    if (i === 0 || start < minStart) minStart = start;
  }
  const base = micros(minStart);
  // Offsets in nanoseconds from the base's whole microsecond fit a double exactly (for 104 days), so
  // flooring them gives the same microseconds as the Jaeger translation without a bigint division each.
  const baseNanos = BigInt(base) * 1000n;
  const offsetMicros = (nanos: bigint) => {
    const offset = nanos - baseNanos;
    return offset <= MAX_EXACT && offset >= -MAX_EXACT ? Math.floor(Number(offset) / 1000) : micros(nanos) - base;
  };

  // Sorted as the UI sorts (start microsecond, then id), so its tree builder finds nothing to sort.
  const startOf: number[] = new Array(n);
  for (let i = 0; i < n; i++) startOf[i] = offsetMicros((spans[i] as Span).startTimeUnixNano);
  const order = sortedOrder(startOf, (i) => (spans[i] as Span).spanId);

  // The first span with an id is the one a parent id names (the UI keeps the first of duplicates too).
  const firstIndex = new Map<string, number>();
  for (let k = 0; k < n; k++) {
    const id = (spans[order[k] as number] as Span).spanId;
    if (!firstIndex.has(id)) firstIndex.set(id, k);
  }

  const spanIds: string[] = new Array(n);
  const parents: number[] = new Array(n);
  const missingParents: string[] = [];
  const starts: number[] = new Array(n);
  const durations: number[] = new Array(n);
  const services: number[] = new Array(n);
  const operations: number[] = new Array(n);
  const errors: number[] = [];
  const events: number[] = [];
  for (let k = 0; k < n; k++) {
    const i = order[k] as number;
    const span = spans[i] as Span;
    spanIds[k] = span.spanId;
    if (span.parentSpanId === '') parents[k] = -1;
    else {
      const parent = firstIndex.get(span.parentSpanId);
      if (parent === undefined) {
        parents[k] = -2;
        missingParents.push(span.parentSpanId);
      } else parents[k] = parent;
    }
    starts[k] = startOf[i] as number;
    const duration = span.endTimeUnixNano - span.startTimeUnixNano;
    durations[k] = duration <= 0n ? 0 : duration <= MAX_EXACT ? Math.floor(Number(duration) / 1000) : micros(duration);
    let service = serviceOf.get(span.resource);
    if (service === undefined) {
      service = intern(serviceNameOf(span.resource));
      serviceOf.set(span.resource, service);
    }
    services[k] = service;
    operations[k] = intern(span.name);
    if (isErrorSpan(span)) errors.push(k);
    const eventCount = Math.min(span.events.length, MAX_EVENT_MARKS);
    for (let e = 0; e < eventCount; e++) {
      const event = span.events[e] as Span['events'][number];
      const name = eventName(event);
      events.push(k, offsetMicros(event.timeUnixNano), name === undefined ? -1 : intern(name));
    }
  }
  return {
    traceID: n === 0 ? '' : toJaegerTraceId((spans[0] as Span).traceId),
    startTime: n === 0 ? 0 : base,
    strings,
    spanIds,
    parents,
    missingParents,
    starts,
    durations,
    services,
    operations,
    errors,
    events,
  };
}

const MAX_EXACT = BigInt(Number.MAX_SAFE_INTEGER);

/** Indexes packed under a start offset in one double: start * 2^17 + index stays exact below 2^53. */
const INDEX_BITS = 2 ** 17;

/**
 * Span indexes ordered by start, then id. A comparator sort of 100,000
 * indexes is a large share of the skeleton's time; packed into doubles they
 * sort natively, and only runs of equal starts are then ordered by id. Falls
 * back to the comparator when the numbers do not fit (a trace of more than
 * 131,072 spans, or one over about 19 hours long).
 */
function sortedOrder(startOf: readonly number[], idOf: (index: number) => string): number[] {
  const n = startOf.length;
  const byId = (a: number, b: number) => {
    const x = idOf(a);
    const y = idOf(b);
    return x < y ? -1 : x > y ? 1 : 0;
  };
  let fits = n <= INDEX_BITS;
  for (let i = 0; fits && i < n; i++) {
    const start = startOf[i] as number;
    if (start < 0 || start * INDEX_BITS + INDEX_BITS > Number.MAX_SAFE_INTEGER) fits = false;
  }
  if (!fits) {
    return Array.from({ length: n }, (_, i) => i).sort(
      (a, b) => (startOf[a] as number) - (startOf[b] as number) || byId(a, b),
    );
  }
  const keys = new Float64Array(n);
  for (let i = 0; i < n; i++) keys[i] = (startOf[i] as number) * INDEX_BITS + i;
  keys.sort();
  const order: number[] = new Array(n);
  for (let k = 0; k < n; k++) order[k] = (keys[k] as number) % INDEX_BITS;
  // Equal starts: by id.
  for (let k = 0; k < n; ) {
    let end = k + 1;
    while (end < n && startOf[order[end] as number] === startOf[order[k] as number]) end++;
    if (end - k > 1) {
      const run = order.slice(k, end).sort(byId);
      for (let j = 0; j < run.length; j++) order[k + j] = run[j] as number;
    }
    k = end;
  }
  return order;
}

/** Truncates toward zero, as the Jaeger translation does. */
function micros(nanos: bigint): number {
  return Number(nanos / 1000n);
}

/**
 * The UI's rule on Jaeger tags (the first `error` tag is true or "true", or
 * the first `otel.status_code` tag is "ERROR"), applied to the tags the Jaeger
 * translation would write: attributes come before the tags it derives from
 * the status, so an attribute of the same key is the one found first.
 */
function isErrorSpan(span: Span): boolean {
  let error: AnyValue | undefined;
  let status: AnyValue | undefined;
  for (const attribute of span.attributes) {
    if (error === undefined && attribute.key === 'error') error = attribute.value;
    else if (status === undefined && attribute.key === 'otel.status_code') status = attribute.value;
  }
  const failed = span.status.code === StatusCode.Error;
  if (error !== undefined) {
    const value = anyValueToJaegerTag('error', error).value;
    if (value === true || value === 'true') return true;
  } else if (failed) return true;
  if (status !== undefined) return anyValueToJaegerTag('otel.status_code', status).value === 'ERROR';
  return failed;
}

/** The text of Jaeger's `event` log field: an attribute that claims the key, else the event's name. */
function eventName(event: Span['events'][number]): string | undefined {
  for (const attribute of event.attributes) {
    if (attribute.key === 'event') return String(anyValueToJaegerTag('event', attribute.value).value);
  }
  return event.name === '' ? undefined : event.name;
}
