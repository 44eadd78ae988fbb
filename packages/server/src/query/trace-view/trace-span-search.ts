/**
 * A store that runs "find in trace" (`searchTraceSpans`) over a trace a part
 * at a time where it keeps it: only one block's share of the trace is
 * decoded at once, and only span ids leave the store. Reading a
 * 1,000,000-span trace whole to search it takes gigabytes (every span
 * decoded, then copied to the query's thread).
 */
export interface TraceSpanSearch {
  /**
   * The ids of the stored spans of the trace that `searchTraceSpans` matches
   * for this query, each once, in no particular order. Rejects with
   * `TraceNotFound` like `getTrace`.
   */
  findSpansInTrace(traceId: string, query: string): Promise<string[]>;
}

export function hasTraceSpanSearch(reader: object): reader is TraceSpanSearch {
  return typeof (reader as Partial<TraceSpanSearch>).findSpansInTrace === 'function';
}
