import { PARENT_BY_ID, PARENT_MISSING, type PackedOutlinePart } from '../../query/trace-view/packed-outline.js';

/**
 * The part with its spans in the order the web UI's columns list them: by
 * start (whole microseconds), then id. A large trace's parts, each in that
 * order, are runs that the columns' gathers then read front to back: in
 * arrival order every read of a million-span trace's columns was a miss of
 * the processor's caches. Stored so, a part's start deltas are small, too.
 */
export function sortedOutlinePart(part: PackedOutlinePart): PackedOutlinePart {
  const n = part.spanCount;
  const { startMicros, spanIds } = part;
  const order = Int32Array.from({ length: n }, (_, i) => i).sort(
    (a, b) =>
      (startMicros[a] as number) - (startMicros[b] as number) ||
      (spanIds[2 * a] as number) - (spanIds[2 * b] as number) ||
      (spanIds[2 * a + 1] as number) - (spanIds[2 * b + 1] as number) ||
      a - b,
  );
  const positionOf = new Int32Array(n);
  for (let k = 0; k < n; k++) positionOf[order[k] as number] = k;

  // The parents named by id, and the missing ones' texts, listed in the old order: by old index.
  const parentIdOf = new Map<number, [number, number]>();
  const missingTextOf = new Map<number, string>();
  for (let i = 0, byId = 0, missing = 0; i < n; i++) {
    const parent = part.parents[i] as number;
    if (parent === PARENT_BY_ID) {
      parentIdOf.set(i, [part.parentIds[2 * byId] as number, part.parentIds[2 * byId + 1] as number]);
      byId++;
    } else if (parent === PARENT_MISSING) missingTextOf.set(i, part.missingTexts[missing++] ?? '');
  }
  const ids = new Uint32Array(2 * n);
  const parents = new Int32Array(n);
  const parentIds = new Uint32Array(part.parentIds.length);
  const missingTexts: string[] = [];
  const starts = new Float64Array(n);
  const durations = new Float64Array(n);
  const services = new Int32Array(n);
  const names = new Int32Array(n);
  for (let k = 0, byId = 0; k < n; k++) {
    const i = order[k] as number;
    ids[2 * k] = spanIds[2 * i] as number;
    ids[2 * k + 1] = spanIds[2 * i + 1] as number;
    const parent = part.parents[i] as number;
    parents[k] = parent >= 0 ? (positionOf[parent] as number) : parent;
    if (parent === PARENT_BY_ID) {
      const [high, low] = parentIdOf.get(i) as [number, number];
      parentIds[byId++] = high;
      parentIds[byId++] = low;
    } else if (parent === PARENT_MISSING) missingTexts.push(missingTextOf.get(i) ?? '');
    starts[k] = startMicros[i] as number;
    durations[k] = part.durationMicros[i] as number;
    services[k] = part.services[i] as number;
    names[k] = part.names[i] as number;
  }
  const failed = Int32Array.from(part.failed, (i) => positionOf[i] as number).sort();
  // Marks grouped by span in the new order, each span's in their order.
  const marks = part.events.length / 3;
  const markOrder = Int32Array.from({ length: marks }, (_, m) => m).sort(
    (a, b) =>
      (positionOf[part.events[3 * a] as number] as number) - (positionOf[part.events[3 * b] as number] as number) ||
      a - b,
  );
  const events = new Float64Array(part.events.length);
  for (let k = 0; k < marks; k++) {
    const m = markOrder[k] as number;
    events[3 * k] = positionOf[part.events[3 * m] as number] as number;
    events[3 * k + 1] = part.events[3 * m + 1] as number;
    events[3 * k + 2] = part.events[3 * m + 2] as number;
  }
  return {
    spanCount: n,
    spanIds: ids,
    parents,
    parentIds,
    missingTexts,
    startMicros: starts,
    durationMicros: durations,
    strings: part.strings,
    services,
    names,
    failed,
    events,
  };
}
