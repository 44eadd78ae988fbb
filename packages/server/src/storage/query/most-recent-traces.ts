/** What ranking needs to know about a trace. */
export interface RankedTrace {
  readonly traceId: string;
  readonly startTimeUnixNano: bigint;
}

/** Most recent first (by trace start); ties broken by trace id so results are stable. */
export function compareMostRecentFirst(a: RankedTrace, b: RankedTrace): number {
  if (a.startTimeUnixNano !== b.startTimeUnixNano) return a.startTimeUnixNano > b.startTimeUnixNano ? -1 : 1;
  return a.traceId < b.traceId ? -1 : a.traceId > b.traceId ? 1 : 0;
}

/** The `limit` most recent traces, in order. */
export function mostRecentTraces<T extends RankedTrace>(traces: Iterable<T>, limit: number): T[] {
  return [...traces].sort(compareMostRecentFirst).slice(0, limit);
}
