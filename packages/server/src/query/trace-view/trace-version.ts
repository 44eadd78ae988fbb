/**
 * A store that says cheaply whether a trace has changed: the trace view keeps
 * the answer it built for a large trace (`TraceColumnsCache`) and serves it
 * again while the version is the same, without reading the trace at all.
 */
export interface TraceVersionReader {
  /**
   * A text that changes whenever the stored spans of the trace change (added,
   * or deleted by retention) and only costs looking the trace up in indexes.
   * Rejects with `TraceNotFound` like `getTrace`.
   */
  getTraceVersion(traceId: string): Promise<string>;
}

export function hasTraceVersion(reader: object): reader is TraceVersionReader {
  return typeof (reader as Partial<TraceVersionReader>).getTraceVersion === 'function';
}
