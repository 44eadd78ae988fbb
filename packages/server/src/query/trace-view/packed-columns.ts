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
  const { strings, remap, intern } = usedStrings(packed.strings);
  const { base, startOf } = startsFromEarliest(startMicros);
  const order = packedOrder(startOf, idWords);
  const positionOf = new Int32Array(n);
  for (let k = 0; k < n; k++) positionOf[order[k] as number] = k;

  // Column by column, each a gather in the columns' order: one array read out of order at a time
  // stays in the processor's caches, where every column at once (a million spans) did not.
  const spanIds = idsAsText(idWords, order);
  const { parents, missingParents } = parentsInOrder(packed, order, positionOf);
  const starts = gather(startOf, order, new Float64Array(n));
  const durations = gather(durationMicros, order, new Float64Array(n));
  const services = gather(packed.services, order, new Int32Array(n));
  const operations = gather(packed.names, order, new Int32Array(n));
  // Interned in the skeleton's order, service then operation per span (`toTraceSkeleton`).
  for (let k = 0; k < n; k++) {
    const service = remap[services[k] as number] as number;
    services[k] = service >= 0 ? service : intern(services[k] as number);
    const operation = remap[operations[k] as number] as number;
    operations[k] = operation >= 0 ? operation : intern(operations[k] as number);
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
 * Starts are whole microseconds from the earliest: while they fit 32 bits
 * (a trace of up to 71 minutes), a radix sort carries the indexes in a few
 * sequential sweeps, several times faster than a native sort of packed
 * doubles, which sorts longer traces (and a comparator what even those cannot
 * hold). Runs of equal starts are then ordered by id.
 */
function packedOrder(startOf: Float64Array, ids: Uint32Array): Int32Array {
  const n = startOf.length;
  const byId = (a: number, b: number) =>
    (ids[2 * a] as number) - (ids[2 * b] as number) || (ids[2 * a + 1] as number) - (ids[2 * b + 1] as number);
  const byStart = (a: number, b: number) => (startOf[a] as number) - (startOf[b] as number) || byId(a, b);
  // The smallest power of two above every index: 2^18 for 200,000 spans, 2^20 for 1,000,000.
  const indexSlots = 2 ** Math.max(1, Math.ceil(Math.log2(n + 1)));
  let max = 0;
  let whole = true;
  for (let i = 0; i < n; i++) {
    const start = startOf[i] as number;
    if (!(start >= 0 && Number.isInteger(start))) whole = false;
    else if (start > max) max = start;
  }
  let order: Int32Array;
  /** The starts in `order`: runs of equal starts are found reading in order. */
  let sortedStarts: ArrayLike<number>;
  if (whole && max < 2 ** 32) {
    const keys = Uint32Array.from(startOf);
    order = radixOrder(keys);
    sortedStarts = keys;
  } else if (whole && max * indexSlots + indexSlots <= Number.MAX_SAFE_INTEGER) {
    const keys = new Float64Array(n);
    for (let i = 0; i < n; i++) keys[i] = (startOf[i] as number) * indexSlots + i;
    keys.sort();
    order = new Int32Array(n);
    for (let k = 0; k < n; k++) order[k] = (keys[k] as number) % indexSlots;
    sortedStarts = gather(startOf, order, new Float64Array(n));
  } else return Int32Array.from({ length: n }, (_, i) => i).sort(byStart);
  for (let k = 0; k < n; ) {
    const start = sortedStarts[k];
    let end = k + 1;
    while (end < n && sortedStarts[end] === start) end++;
    if (end - k > 1) order.subarray(k, end).sort(byId);
    k = end;
  }
  return order;
}

/**
 * Indexes ordered by their keys (stable): a least-significant-digit radix
 * sort, `RADIX_BITS` a pass. Leaves `sortKeys` sorted.
 */
function radixOrder(sortKeys: Uint32Array): Int32Array {
  let keys: Uint32Array = sortKeys;
  const n = keys.length;
  let order = new Int32Array(n);
  for (let i = 0; i < n; i++) order[i] = i;
  let nextOrder = new Int32Array(n);
  let nextKeys: Uint32Array = new Uint32Array(n);
  const counts = new Int32Array(RADIX);
  for (let shift = 0; shift < 32; shift += RADIX_BITS) {
    counts.fill(0);
    for (let k = 0; k < n; k++) {
      const digit = ((keys[k] as number) >>> shift) & (RADIX - 1);
      counts[digit] = (counts[digit] as number) + 1;
    }
    for (let digit = 0, sum = 0; digit < RADIX; digit++) {
      const count = counts[digit] as number;
      counts[digit] = sum;
      sum += count;
    }
    for (let k = 0; k < n; k++) {
      const key = keys[k] as number;
      const digit = (key >>> shift) & (RADIX - 1);
      const to = counts[digit] as number;
      counts[digit] = to + 1;
      nextKeys[to] = key;
      nextOrder[to] = order[k] as number;
    }
    [keys, nextKeys] = [nextKeys, keys];
    [order, nextOrder] = [nextOrder, order];
  }
  // An odd number of passes leaves them in the other buffer.
  if (keys !== sortKeys) sortKeys.set(keys);
  return order;
}

/** Bits of a radix sort pass: three passes for 32 bits. */
const RADIX_BITS = 11;
const RADIX = 2 ** RADIX_BITS;

/** The ids' characters in the columns' order, two (one byte of the id) at a time. */
function idsAsText(idWords: Uint32Array, order: Int32Array): Uint8Array {
  const spanIds = new Uint8Array(order.length * SPAN_ID_WIDTH);
  const pairs = new Uint16Array(spanIds.buffer);
  for (let k = 0, at = 0; k < order.length; k++, at += 8) {
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
  return spanIds;
}

/** Parents as positions in the columns' order, and the ids of the missing ones in that order. */
function parentsInOrder(
  packed: PackedTraceOutline,
  order: Int32Array,
  positionOf: Int32Array,
): { parents: Int32Array; missingParents: string[] } {
  const n = order.length;
  const parentOf = packed.parents;
  const parents = gather(parentOf, order, new Int32Array(n));
  let missing = 0;
  for (let k = 0; k < n; k++) {
    const parent = parents[k] as number;
    if (parent >= 0) parents[k] = positionOf[parent] as number;
    else if (parent === -2) missing++;
  }
  const missingParents: string[] = [];
  if (missing > 0) {
    // Listed in span order: listed again in the columns' order.
    const missingOf = new Map<number, string>();
    for (let i = 0, m = 0; i < n; i++) if (parentOf[i] === -2) missingOf.set(i, packed.missingParents[m++] ?? '');
    for (let k = 0; k < n; k++) if (parents[k] === -2) missingParents.push(missingOf.get(order[k] as number) ?? '');
  }
  return { parents, missingParents };
}

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
