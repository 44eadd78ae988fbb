import { isAriadneError, type Span } from '@ariadne/protocol';
import type { SpanReader, TimeRange } from '../../storage/span-store.js';
import { ScanPacer } from '../query-deadline.js';

/**
 * How many `getTrace` calls run at once: enough to overlap a disk store's
 * reads, few enough that one search for 1500 traces does not flood it.
 */
const CONCURRENCY = 8;

export interface FetchedTraces {
  /** The spans of each found trace, in the order the ids were given. */
  readonly traces: Span[][];
  /** Ids the store does not hold (or no longer holds: a search result can be evicted before it is read). */
  readonly missing: string[];
}

/** Loads whole traces by id. `TraceNotFound` is collected in `missing`; any other failure rejects. */
export async function fetchTraces(
  reader: SpanReader,
  traceIds: readonly string[],
  timeRange?: TimeRange,
): Promise<FetchedTraces> {
  const results: (Span[] | undefined)[] = traceIds.map(() => undefined);
  const pacer = new ScanPacer();
  let next = 0;
  const worker = async (): Promise<void> => {
    for (;;) {
      await pacer.step();
      // Taken after the pause: the other workers may have taken the last ids meanwhile.
      const index = next++;
      if (index >= traceIds.length) return;
      try {
        results[index] = await reader.getTrace(traceIds[index]!, timeRange);
      } catch (error) {
        if (!isAriadneError(error, 'TraceNotFound')) throw error;
      }
    }
  };
  await Promise.all(Array.from({ length: Math.min(CONCURRENCY, traceIds.length) }, worker));
  const traces: Span[][] = [];
  const missing: string[] = [];
  for (let index = 0; index < traceIds.length; index++) {
    const trace = results[index];
    if (trace === undefined) missing.push(traceIds[index]!);
    else traces.push(trace);
  }
  return { traces, missing };
}
