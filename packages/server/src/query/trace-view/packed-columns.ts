import { toJaegerTraceId } from '@ariadne/protocol';
import type { TraceRetention } from '../../storage/span-store.js';
import type { PackedTraceOutline } from './packed-outline.js';
import { layOutTraceColumns, type SkeletonColumns, SPAN_ID_WIDTH } from './trace-columns.js';
import { sortedEvents, startsFromEarliest, usedStrings } from './trace-skeleton.js';

/**
 * The columns answer (`encodeTraceColumns`) of a packed outline, byte for
 * byte what the skeleton (`toTraceSkeleton`) of the same trace's outline
 * gives.
 */
export function encodePackedColumns(packed: PackedTraceOutline, retention?: TraceRetention): Uint8Array {
  return layOutTraceColumns(packedSkeleton(packed), retention);
}

/**
 * The skeleton's columns (`toTraceSkeleton`) of a packed outline, made
 * without a string per span: the ids go from words to their characters,
 * parents are already indexes, and every column is a typed array.
 */
export function packedSkeleton(packed: PackedTraceOutline): SkeletonColumns {
  const { spanIds: idWords, parents: parentOf, startMicros, durationMicros } = packed;
  const n = parentOf.length;
  const { strings, intern } = usedStrings(packed.strings);
  const { base, startOf } = startsFromEarliest(startMicros);
  const order = packedOrder(startOf, idWords);
  const positionOf = new Int32Array(n);
  for (let k = 0; k < n; k++) positionOf[order[k] as number] = k;

  // Column by column, each a gather in the columns' order: one array read out of order at a time
  // stays in the processor's caches, where every column at once (a million spans) did not.
  const spanIds = new Uint8Array(n * SPAN_ID_WIDTH);
  // Two characters (one byte of the id) at a time.
  const pairs = new Uint16Array(spanIds.buffer);
  for (let k = 0, at = 0; k < n; k++, at += SPAN_ID_WIDTH / 2) {
    const i = order[k] as number;
    const high = idWords[2 * i] as number;
    const low = idWords[2 * i + 1] as number;
    pairs[at] = HEX_PAIRS[high >>> 24] as number;
    pairs[at + 1] = HEX_PAIRS[(high >>> 16) & 0xff] as number;
    pairs[at + 2] = HEX_PAIRS[(high >>> 8) & 0xff] as number;
    pairs[at + 3] = HEX_PAIRS[high & 0xff] as number;
    pairs[at + 4] = HEX_PAIRS[low >>> 24] as number;
    pairs[at + 5] = HEX_PAIRS[(low >>> 16) & 0xff] as number;
    pairs[at + 6] = HEX_PAIRS[(low >>> 8) & 0xff] as number;
    pairs[at + 7] = HEX_PAIRS[low & 0xff] as number;
  }
  const parents = new Int32Array(n);
  const missingParents: string[] = [];
  let missing = 0;
  for (let k = 0; k < n; k++) {
    const parent = parentOf[order[k] as number] as number;
    parents[k] = parent;
    if (parent === -2) missing++;
  }
  for (let k = 0; k < n; k++) {
    const parent = parents[k] as number;
    if (parent >= 0) parents[k] = positionOf[parent] as number;
  }
  if (missing > 0) {
    // The missing parents' ids are in span order: listed again in the columns' order.
    const missingOf = new Map<number, string>();
    for (let i = 0, m = 0; i < n; i++) if (parentOf[i] === -2) missingOf.set(i, packed.missingParents[m++] ?? '');
    for (let k = 0; k < n; k++) if (parents[k] === -2) missingParents.push(missingOf.get(order[k] as number) ?? '');
  }
  const starts = gather(startOf, order, new Float64Array(n));
  const durations = gather(durationMicros, order, new Float64Array(n));
  const services = gather(packed.services, order, new Int32Array(n));
  const operations = gather(packed.names, order, new Int32Array(n));
  for (let k = 0; k < n; k++) {
    services[k] = intern(services[k] as number);
    operations[k] = intern(operations[k] as number);
  }
  const errors = Int32Array.from(packed.failed, (i) => positionOf[i] as number).sort();
  const events = sortedEvents(packed.events, positionOf, base, intern);
  return {
    traceID: n === 0 ? '' : toJaegerTraceId(packed.traceId),
    startTime: n === 0 ? 0 : base,
    strings,
    spanIds,
    parents,
    missingParents,
    // A packed outline has every id once.
    duplicates: [],
    starts,
    durations,
    services,
    operations,
    errors,
    events,
  };
}

/**
 * Span indexes ordered by start, then id, as `toTraceSkeleton` orders them.
 * Starts are whole microseconds from the earliest: a radix sort of them
 * (11 bits a pass, three passes for a trace of up to 2.4 hours) carries the
 * indexes in a few sequential sweeps, where a comparison sort of a million
 * spans takes a tenth of a second; runs of equal starts are then ordered by id.
 */
function packedOrder(startOf: Float64Array, ids: Uint32Array): Int32Array {
  const n = startOf.length;
  const byId = (a: number, b: number) =>
    (ids[2 * a] as number) - (ids[2 * b] as number) || (ids[2 * a + 1] as number) - (ids[2 * b + 1] as number);
  let max = 0;
  let whole = true;
  for (let i = 0; i < n; i++) {
    const start = startOf[i] as number;
    if (!(start >= 0 && start <= Number.MAX_SAFE_INTEGER && Number.isInteger(start))) whole = false;
    else if (start > max) max = start;
  }
  let order = new Int32Array(n);
  for (let i = 0; i < n; i++) order[i] = i;
  if (!whole) return order.sort((a, b) => (startOf[a] as number) - (startOf[b] as number) || byId(a, b));
  let keys = Float64Array.from(startOf);
  let nextOrder = new Int32Array(n);
  let nextKeys = new Float64Array(n);
  const counts = new Int32Array(RADIX);
  for (let scale = 1; scale <= max; scale *= RADIX) {
    counts.fill(0);
    for (let k = 0; k < n; k++) {
      const digit = Math.floor((keys[k] as number) / scale) % RADIX;
      counts[digit] = (counts[digit] as number) + 1;
    }
    for (let d = 0, sum = 0; d < RADIX; d++) {
      const count = counts[d] as number;
      counts[d] = sum;
      sum += count;
    }
    for (let k = 0; k < n; k++) {
      const key = keys[k] as number;
      const digit = Math.floor(key / scale) % RADIX;
      const to = counts[digit] as number;
      counts[digit] = to + 1;
      nextKeys[to] = key;
      nextOrder[to] = order[k] as number;
    }
    [keys, nextKeys] = [nextKeys, keys];
    [order, nextOrder] = [nextOrder, order];
  }
  for (let k = 0; k < n; ) {
    const start = keys[k];
    let end = k + 1;
    while (end < n && keys[end] === start) end++;
    if (end - k > 1) order.subarray(k, end).sort(byId);
    k = end;
  }
  return order;
}

/** Buckets of a radix sort pass. */
const RADIX = 2048;

/** `out[k] = values[order[k]]`. */
function gather<T extends Float64Array | Int32Array>(values: ArrayLike<number>, order: Int32Array, out: T): T {
  for (let k = 0; k < order.length; k++) out[k] = values[order[k] as number] as number;
  return out;
}

/** By byte, its two lowercase hex digits as they lie in memory as one 16-bit number (either byte order). */
const HEX_PAIRS = (() => {
  const pairs = new Uint16Array(256);
  const bytes = new Uint8Array(pairs.buffer);
  const digits = '0123456789abcdef';
  for (let byte = 0; byte < 256; byte++) {
    bytes[2 * byte] = digits.charCodeAt(byte >>> 4);
    bytes[2 * byte + 1] = digits.charCodeAt(byte & 15);
  }
  return pairs;
})();
