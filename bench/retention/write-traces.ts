import type { Span } from '@ariadne/protocol';
import type { EmbeddedStore } from '../../packages/server/src/storage/embedded/embedded-store.js';
import { BATCH_TRACES } from './simulated-days.js';

/** Writes in flight at once, as many clients would send: ingest is then bound by the CPU, not by one fsync at a time. */
export const WRITERS = 16;

/** What a run of writes did: spans, wall time, and the CPU time of the whole process (every thread) meanwhile. */
export interface WriteRun {
  spans: number;
  ms: number;
  cpuMs: number;
}

/** Writes the traces in batches of BATCH_TRACES, WRITERS at a time. */
export async function writeTraces(store: EmbeddedStore, traces: readonly Span[][]): Promise<WriteRun> {
  let next = 0;
  const started = performance.now();
  const cpu = process.cpuUsage();
  const writer = async () => {
    while (next < traces.length) {
      const batch = traces.slice(next, next + BATCH_TRACES).flat();
      next += BATCH_TRACES;
      await store.writeSpans(batch);
    }
  };
  await Promise.all(Array.from({ length: WRITERS }, writer));
  const used = process.cpuUsage(cpu);
  return {
    spans: traces.reduce((sum, trace) => sum + trace.length, 0),
    ms: performance.now() - started,
    cpuMs: (used.user + used.system) / 1000,
  };
}
