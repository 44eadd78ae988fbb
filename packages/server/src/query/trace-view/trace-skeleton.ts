import { toJaegerTraceId } from '@ariadne/protocol';
import { SpanIds } from './span-ids.js';
import type { TraceOutline } from './trace-outline.js';

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
  /**
   * Indexes of the spans whose id an earlier span of these columns already
   * has (a store may keep a span twice), ascending: parents name the first.
   */
  readonly duplicates: readonly number[];
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
   * `startTime`, and the index of its name in `strings` (-1: unnamed), in
   * span order. At most `MAX_EVENT_MARKS` per span: the timeline draws no more.
   */
  readonly events: readonly number[];
}

/**
 * The skeleton of a trace's outline (`traceOutlineOf`, or a store's own
 * `getTraceOutline`): sorted, with parents as indexes and times from the
 * earliest start.
 */
export function toTraceSkeleton(outline: TraceOutline): TraceSkeleton {
  const { spanIds: ids, parentIds, startMicros, durationMicros } = outline;
  const n = ids.length;
  const { strings, intern } = usedStrings(outline.strings);
  const { base, startOf } = startsFromEarliest(startMicros);
  // Sorted as the UI sorts (start microsecond, then id), so its tree builder finds nothing to sort.
  const byId = new SpanIds(ids);
  const order = sortedOrder(startOf, byId);
  const positionOf = new Int32Array(n);
  for (let k = 0; k < n; k++) positionOf[order[k] as number] = k;

  // The first span with an id is the one a parent id names (the UI keeps the first of duplicates too).
  const duplicates: number[] = [];
  for (let k = 0; k < n; k++) {
    const i = order[k] as number;
    if (byId.keep(i) !== i) duplicates.push(k);
  }

  // Filled in order from empty: \`new Array(n)\` past 100,000 entries is a slow dictionary in V8
  // (seconds for 1,000,000 spans).
  const spanIds: string[] = [];
  const parents: number[] = [];
  const missingParents: string[] = [];
  const starts: number[] = [];
  const durations: number[] = [];
  const services: number[] = [];
  const operations: number[] = [];
  // With every id once, a reader's hint names the one span with the parent's id.
  const hints = duplicates.length === 0 ? outline.parentHints : undefined;
  for (let k = 0; k < n; k++) {
    const i = order[k] as number;
    spanIds[k] = ids[i] as string;
    const parentId = parentIds[i] as string;
    if (parentId === '') parents[k] = -1;
    else {
      const hint = hints === undefined ? -1 : (hints[i] as number);
      const parent = hint >= 0 ? hint : byId.find(parentId);
      if (parent === -1) {
        parents[k] = -2;
        missingParents.push(parentId);
      } else parents[k] = positionOf[parent] as number;
    }
    starts[k] = startOf[i] as number;
    durations[k] = durationMicros[i] as number;
    services[k] = intern(outline.services[i] as number);
    operations[k] = intern(outline.names[i] as number);
  }
  const errors = outline.failed.map((i) => positionOf[i] as number).sort((a, b) => a - b);
  return {
    traceID: n === 0 ? '' : toJaegerTraceId(outline.traceId),
    startTime: n === 0 ? 0 : base,
    strings,
    spanIds,
    parents,
    missingParents,
    duplicates,
    starts,
    durations,
    services,
    operations,
    errors,
    events: sortedEvents(outline.events, positionOf, base, intern),
  };
}

/**
 * Only the names spans use, in the order the skeleton first uses them:
 * `intern` numbers an index of `all` on first use; `remap` holds the numbers
 * given so far (-1: none yet).
 */
export function usedStrings(all: readonly string[]): {
  strings: string[];
  remap: Int32Array;
  intern: (index: number) => number;
} {
  const strings: string[] = [];
  const remap = new Int32Array(all.length).fill(-1);
  const intern = (index: number): number => {
    let mapped = remap[index] as number;
    if (mapped === -1) {
      mapped = strings.length;
      strings.push(all[index] as string);
      remap[index] = mapped;
    }
    return mapped;
  };
  return { strings, remap, intern };
}

/** The earliest start (0 without spans) and each start after it. */
export function startsFromEarliest(startMicros: ArrayLike<number>): { base: number; startOf: Float64Array } {
  const n = startMicros.length;
  let base = 0;
  for (let i = 0; i < n; i++) {
    const start = startMicros[i] as number;
    if (i === 0 || start < base) base = start;
  }
  const startOf = new Float64Array(n);
  for (let i = 0; i < n; i++) startOf[i] = (startMicros[i] as number) - base;
  return { base, startOf };
}

/** Event marks in span order (stable within a span), with span positions, offsets and names remapped. */
export function sortedEvents(
  events: ArrayLike<number>,
  positionOf: Int32Array,
  base: number,
  intern: (index: number) => number,
): number[] {
  const marks = events.length / 3;
  const n = positionOf.length;
  // A counting sort by span position: marks of one span keep their order.
  const firstOf = new Int32Array(n + 1);
  for (let m = 0; m < marks; m++) {
    const next = (positionOf[events[m * 3] as number] as number) + 1;
    firstOf[next] = (firstOf[next] as number) + 1;
  }
  for (let k = 0; k < n; k++) firstOf[k + 1] = (firstOf[k + 1] as number) + (firstOf[k] as number);
  const out: number[] = [];
  for (let k = 0; k < events.length; k++) out.push(0);
  for (let m = 0; m < marks; m++) {
    const k = positionOf[events[m * 3] as number] as number;
    const at = (firstOf[k] as number) * 3;
    firstOf[k] = (firstOf[k] as number) + 1;
    out[at] = k;
    out[at + 1] = (events[m * 3 + 1] as number) - base;
    out[at + 2] = events[m * 3 + 2] as number;
  }
  // Names numbered in the columns' order: the strings do not depend on the order the spans were read in.
  for (let at = 2; at < out.length; at += 3) {
    const name = out[at] as number;
    out[at] = name === -1 ? -1 : intern(name);
  }
  return out;
}

/**
 * Span indexes ordered by start, then id (then index, for a span kept
 * twice). A comparator sort of 100,000 spans is a large share of the
 * skeleton's time; packed into doubles (start and the span's rank in id
 * order, in as many low bits as the span count needs) they sort natively.
 * Without ranks (ids that are not all 16 hex digits) only runs of equal
 * starts are ordered by a comparator; when the numbers do not fit (a trace
 * whose starts span more than 2^53 / 2^bits microseconds: about 2.4 hours
 * for 1,000,000 spans, 19 hours for 100,000), everything is.
 */
function sortedOrder(startOf: Float64Array, ids: SpanIds): number[] {
  const n = startOf.length;
  const byId = (a: number, b: number) => ids.compare(a, b) || a - b;
  // The smallest power of two above every index: 2^17 for 100,000 spans, 2^20 for 1,000,000.
  const indexSlots = 2 ** Math.max(1, Math.ceil(Math.log2(n + 1)));
  let fits = true;
  for (let i = 0; fits && i < n; i++) {
    const start = startOf[i] as number;
    if (start < 0 || start * indexSlots + indexSlots > Number.MAX_SAFE_INTEGER) fits = false;
  }
  if (!fits) {
    return Array.from({ length: n }, (_, i) => i).sort(
      (a, b) => (startOf[a] as number) - (startOf[b] as number) || byId(a, b),
    );
  }
  const ranks = ids.ranks();
  const keys = new Float64Array(n);
  const order: number[] = [];
  if (ranks !== undefined) {
    const atRank = new Int32Array(n);
    for (let i = 0; i < n; i++) {
      const rank = ranks[i] as number;
      atRank[rank] = i;
      keys[i] = (startOf[i] as number) * indexSlots + rank;
    }
    keys.sort();
    for (let k = 0; k < n; k++) order[k] = atRank[(keys[k] as number) % indexSlots] as number;
    return order;
  }
  for (let i = 0; i < n; i++) keys[i] = (startOf[i] as number) * indexSlots + i;
  keys.sort();
  for (let k = 0; k < n; k++) order[k] = (keys[k] as number) % indexSlots;
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
