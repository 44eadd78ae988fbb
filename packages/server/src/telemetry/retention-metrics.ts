import type { RetentionControl, RetentionStats } from '../storage/embedded/compactor.js';
import type { SpanStore } from '../storage/span-store.js';
import { counterOnce } from './counter-once.js';
import type { IngestMetrics } from './ingest-metrics.js';

/** Whether a store has a kept tier to report on (the embedded store, in its thread or not). */
export function hasRetentionStats(store: SpanStore): store is SpanStore & RetentionControl {
  return typeof (store as Partial<RetentionControl>).retentionStats === 'function';
}

/**
 * The kept tier's counts on `/metrics`, per tenant: traces and bytes on disk
 * kept (by the policy that kept them) and dropped by compactions, and the
 * compactions themselves. The store counts in its own thread; this reads its
 * totals every `everyMs` (and on `poll()`) and adds what changed, so a scrape
 * never waits for the store. Returns what stops it.
 */
export function trackRetention(
  metrics: IngestMetrics,
  tenant: string,
  store: SpanStore & RetentionControl,
  everyMs = 10_000,
): { poll(): Promise<void>; stop(): void } {
  const traces = counterOnce(
    metrics,
    'ariadne_retention_traces_total',
    'Traces past --retention that a compaction kept (outcome="kept", by the policy that kept them) or dropped, by tenant.',
  );
  const bytes = counterOnce(
    metrics,
    'ariadne_retention_bytes_total',
    "Bytes on disk kept (the new blocks' bytes, split between policies by spans) and dropped by compactions, by tenant.",
  );
  const compactions = counterOnce(
    metrics,
    'ariadne_retention_compactions_total',
    'Blocks rewritten into the kept tier, by tenant.',
  );
  let last: RetentionStats = { compactions: 0, kept: {}, dropped: { traces: 0, spans: 0, bytes: 0 } };
  const poll = async () => {
    const now = await store.retentionStats();
    compactions.inc({ tenant }, now.compactions - last.compactions);
    for (const [policy, counts] of Object.entries(now.kept)) {
      const before = last.kept[policy] ?? { traces: 0, bytes: 0 };
      traces.inc({ tenant, outcome: 'kept', policy }, counts.traces - before.traces);
      bytes.inc({ tenant, outcome: 'kept', policy }, counts.bytes - before.bytes);
    }
    traces.inc({ tenant, outcome: 'dropped', policy: 'none' }, now.dropped.traces - last.dropped.traces);
    bytes.inc({ tenant, outcome: 'dropped', policy: 'none' }, now.dropped.bytes - last.dropped.bytes);
    last = now;
  };
  const timer = setInterval(() => void poll().catch(() => {}), everyMs);
  timer.unref();
  return { poll, stop: () => clearInterval(timer) };
}
