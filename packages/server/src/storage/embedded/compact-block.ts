import { stat } from 'node:fs/promises';
import type { Span } from '@ariadne/protocol';
import type { EarlierDecision, RetentionDecider } from '../../retention/keep-decision.js';
import type { KeepPolicy } from '../../retention/retention-policy.js';
import type { TimeSlices } from '../../threads/time-slices.js';
import { type BlockReader, type CutTrace, writeBlock } from './block-file.js';
import { spansByTrace } from './block-traces.js';
import { Head } from './head.js';

/** What one compaction kept and dropped: traces, spans and bytes on disk. */
export interface CompactionTally {
  /** Per policy that kept traces: traces, spans, and their share of the new block's bytes (by spans). */
  readonly kept: Map<KeepPolicy, { traces: number; spans: number; bytes: number }>;
  readonly dropped: { traces: number; spans: number; bytes: number };
}

/**
 * Rewrites a block past the short window with only the traces the policies
 * keep, at `path` (a temporary name, fsync, rename, fsync of the folder:
 * `writeBlock`); the caller swaps it in and deletes the old block.
 *
 * Each trace is decided whole: `elsewhere` gives its spans in the store's
 * other blocks and heads (undefined when it has none), and a trace decided
 * before (`earlier`: by the compaction of another of its blocks) keeps that
 * decision. The decisions of traces with spans elsewhere are written into
 * the new block, so that those blocks follow them even after a restart.
 *
 * The new block carries the old one's aggregates, services, operations and
 * time range: RED metrics, dependencies and the service catalogue still count
 * every span that was ever stored.
 */
export async function compactBlock(
  block: BlockReader,
  path: string,
  decider: RetentionDecider,
  elsewhere: (traceId: string) => Promise<readonly Span[] | undefined>,
  earlier: EarlierDecision,
  slices: TimeSlices,
): Promise<{ tally: CompactionTally; decided: Map<string, KeepPolicy | null> }> {
  const meta = await block.meta();
  const here = await spansByTrace(block, slices);
  const whole = new Map<string, readonly Span[]>();
  const straddling = new Set<string>();
  for (const [traceId, spans] of here) {
    const others = earlier(traceId) === undefined ? await elsewhere(traceId) : undefined;
    if (others !== undefined && others.length > 0) {
      straddling.add(traceId);
      whole.set(traceId, [...spans, ...others]);
    } else whole.set(traceId, spans);
    const pause = slices.next();
    if (pause) await pause;
  }
  const decisions = await decider.decideAllInSlices(whole, earlier, slices);

  const kept = new Map<string, CutTrace>();
  const keptBy = new Map<string, KeepPolicy>();
  const tally: CompactionTally = { kept: new Map(), dropped: { traces: 0, spans: 0, bytes: 0 } };
  let keptSpans = 0;
  for (const [traceId, spans] of here) {
    const policy = decisions.get(traceId) ?? null;
    if (policy === null) {
      tally.dropped.traces++;
      tally.dropped.spans += spans.length;
      continue;
    }
    // Encoded again with the new block's own tables (a body of -1 means: encode this span).
    kept.set(traceId, { spans, bodies: spans.flatMap(() => [-1, 0, 0]) });
    keptBy.set(traceId, policy);
    keptSpans += spans.length;
    const counts = tally.kept.get(policy) ?? { traces: 0, spans: 0, bytes: 0 };
    counts.traces++;
    counts.spans += spans.length;
    tally.kept.set(policy, counts);
  }
  const decided: [string, string | null][] = [];
  const straddlers = new Map<string, KeepPolicy | null>();
  for (const traceId of straddling) {
    const policy = decisions.get(traceId) ?? null;
    decided.push([traceId, policy]);
    straddlers.set(traceId, policy);
  }
  const source = new Head();
  await writeBlock(path, kept, source, await block.aggregateBytes(), undefined, slices, {
    services: meta.services,
    operations: meta.operations,
    minStartNanos: meta.minStartNanos,
    maxStartNanos: meta.maxStartNanos,
    keptBy: (traceId) => keptBy.get(traceId)!,
    decided,
  });
  // Bytes on disk: the new block's split between the policies by their spans; the rest of the old one dropped.
  const [before, after] = await Promise.all([stat(block.path), stat(path)]);
  for (const counts of tally.kept.values()) counts.bytes = Math.round((after.size * counts.spans) / keptSpans);
  tally.dropped.bytes = Math.max(0, before.size - after.size);
  return { tally, decided: straddlers };
}
