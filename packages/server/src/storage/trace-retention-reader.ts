import type { TraceRetention } from './span-store.js';

/**
 * A store with retention tiers says which tier holds a trace: the APIs put
 * it beside the trace, so the UI can show why an old trace is still there.
 */
export interface TraceRetentionReader {
  /**
   * The kept tier and the policy that kept the trace; undefined when the
   * trace is in the full tier (or partly). Rejects with `TraceNotFound` as
   * `getTrace` does.
   */
  traceRetention(traceId: string): Promise<TraceRetention | undefined>;
}

export function hasTraceRetention<T extends object>(reader: T): reader is T & TraceRetentionReader {
  return typeof (reader as Partial<TraceRetentionReader>).traceRetention === 'function';
}

/** The trace's tier, or undefined for a store without tiers or a trace it cannot say (gone meanwhile). */
export async function traceRetentionOf(reader: object, traceId: string): Promise<TraceRetention | undefined> {
  if (!hasTraceRetention(reader)) return undefined;
  return reader.traceRetention(traceId).catch(() => undefined);
}
