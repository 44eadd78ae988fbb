import { unlink } from 'node:fs/promises';
import { basename, join } from 'node:path';
import type { Span } from '@ariadne/protocol';
import { RetentionDecider } from '../../retention/keep-decision.js';
import { DEFAULT_RETENTION_POLICY, type KeepPolicy, type RetentionPolicy } from '../../retention/retention-policy.js';
import { SlowThresholds } from '../../retention/slow-thresholds.js';
import { TimeSlices } from '../../threads/time-slices.js';
import { BlockReader, type BlockReaderOptions } from './block-file.js';
import { keptBlockFileName } from './block-names.js';
import { type CompactionTally, compactBlock } from './compact-block.js';
import { fsyncDirectory } from './fsync-directory.js';
import type { Head } from './head.js';
import { plainSpans } from './head-span.js';
import { bloomKey } from './trace-id-bloom.js';

/** The two retention windows of a store with a kept tier. */
export interface RetentionTiers {
  /** Every span is kept this long (`--retention`). */
  readonly fullNanos: bigint;
  /** The traces a policy keeps are kept this long (`--retention-kept`). */
  readonly keptNanos: bigint;
  readonly policy: RetentionPolicy;
}

/** The kept tier's settings of a store's options; undefined without `retentionKeptNanos`. */
export function retentionTiersOf(options: {
  readonly retentionNanos?: bigint;
  readonly retentionKeptNanos?: bigint;
  readonly retentionPolicy?: RetentionPolicy;
}): RetentionTiers | undefined {
  if (options.retentionKeptNanos === undefined) return undefined;
  if (options.retentionNanos === undefined || options.retentionNanos >= options.retentionKeptNanos) {
    throw new RangeError('retentionKeptNanos needs retentionNanos, shorter than it');
  }
  return {
    fullNanos: options.retentionNanos,
    keptNanos: options.retentionKeptNanos,
    policy: options.retentionPolicy ?? DEFAULT_RETENTION_POLICY,
  };
}

/** A step of a compaction, told synchronously as it happens. */
export type RetentionEvent =
  | { readonly type: 'compacting'; readonly block: string }
  /** The new block is renamed into place; the old one is not deleted yet. */
  | { readonly type: 'renamed'; readonly block: string; readonly kept: string }
  | { readonly type: 'compacted'; readonly block: string; readonly kept: string };

/** Counts since the store opened: traces, spans and bytes on disk kept per policy and dropped. */
export interface RetentionStats {
  readonly compactions: number;
  readonly kept: Readonly<Record<string, { traces: number; spans: number; bytes: number }>>;
  readonly dropped: { traces: number; spans: number; bytes: number };
}

/** The store's retention, for tests, benchmarks and `/metrics`. */
export interface RetentionControl {
  /** Deletes what is past retention and compacts what is past the short window, now; resolves when done. */
  runRetention(): Promise<void>;
  retentionStats(): Promise<RetentionStats>;
}

interface CompactorDeps {
  readonly tiers: RetentionTiers | undefined;
  readonly now: () => bigint;
  readonly blockDir: string;
  readonly blockOptions: BlockReaderOptions;
  readonly onRetention: ((event: RetentionEvent) => void) | undefined;
  /** The blocks and heads a read would see now. */
  readonly current: () => { readonly blocks: readonly BlockReader[]; readonly heads: readonly Head[] };
  /** Puts `replacement` in `old`'s place, in one tick; false when `old` is gone (retention deleted it). */
  readonly replace: (old: BlockReader, replacement: BlockReader) => boolean;
  /** `old` is no longer in the store's list: close it once no read uses it. */
  readonly retire: (old: BlockReader) => Promise<void>;
}

const HOUR_NANOS = 3_600_000_000_000n;

/**
 * Compacts the store's full-tier blocks once they are past the short window,
 * one block at a time, oldest first. Crash-safe by names: the kept block is
 * written under a temporary name, fsynced and renamed to
 * `<name>.kept.blk`; only then is the old block deleted. A crash before the
 * rename leaves a `.tmp` (deleted at open) and the old block; after it, open
 * finds both names and deletes the old one. A trace is in exactly one of them.
 */
export class Compactor {
  readonly #deps: CompactorDeps;
  #running: Promise<void> | undefined;
  #stopped = false;
  /** Decisions about traces with spans in several blocks (from kept blocks' metadata, and this run's). */
  #decisions: Map<string, KeepPolicy | null> | undefined;
  #compactions = 0;
  readonly #kept = new Map<string, { traces: number; spans: number; bytes: number }>();
  readonly #dropped = { traces: 0, spans: 0, bytes: 0 };

  constructor(deps: CompactorDeps) {
    this.#deps = deps;
  }

  /** Compacts every block due; joins a run under way. */
  run(): Promise<void> {
    if (this.#deps.tiers === undefined || this.#stopped) return Promise.resolve();
    this.#running ??= this.#pass().finally(() => {
      this.#running = undefined;
    });
    return this.#running;
  }

  /** Ends after the block being compacted (the store is closing). */
  async stop(): Promise<void> {
    this.#stopped = true;
    await this.#running?.catch(() => {});
  }

  stats(): RetentionStats {
    return {
      compactions: this.#compactions,
      kept: Object.fromEntries([...this.#kept].map(([policy, counts]) => [policy, { ...counts }])),
      dropped: { ...this.#dropped },
    };
  }

  async #pass(): Promise<void> {
    const tiers = this.#deps.tiers!;
    const now = this.#deps.now();
    // Past the short window, and settled: no span of their traces can still come.
    const settled = now - (tiers.policy.settleNanos > tiers.fullNanos ? tiers.policy.settleNanos : tiers.fullNanos);
    const keptHorizon = now - tiers.keptNanos;
    const due = this.#deps
      .current()
      .blocks.filter((block) => block.tier === 'full' && block.maxStart < settled && block.maxStart >= keptHorizon)
      .sort((a, b) => (a.minStart < b.minStart ? -1 : a.minStart > b.minStart ? 1 : 0));
    if (due.length === 0) return;
    const decisions = await this.#loadDecisions();
    const slices = new TimeSlices(5);
    for (const block of due) {
      if (this.#stopped) return;
      if (!this.#deps.current().blocks.includes(block)) continue;
      // "Slow" is against the hour before each span: the aggregates of the blocks that overlap it.
      const thresholds = new SlowThresholds();
      for (const other of this.#deps.current().blocks) {
        if (other.maxStart < block.minStart - HOUR_NANOS || other.minStart > block.maxStart) continue;
        thresholds.add(await other.aggregates());
      }
      const decider = new RetentionDecider(tiers.policy, thresholds);
      await this.#compact(block, decider, decisions, slices);
    }
  }

  async #compact(
    block: BlockReader,
    decider: RetentionDecider,
    decisions: Map<string, KeepPolicy | null>,
    slices: TimeSlices,
  ): Promise<void> {
    const name = basename(block.path);
    const keptName = keptBlockFileName(name);
    const path = join(this.#deps.blockDir, keptName);
    this.#deps.onRetention?.({ type: 'compacting', block: name });
    const { tally, decided } = await compactBlock(
      block,
      path,
      decider,
      (traceId) => this.#elsewhere(block, traceId),
      (traceId) => decisions.get(traceId),
      slices,
    );
    const replacement = await BlockReader.open(path, this.#deps.blockOptions);
    if (!this.#deps.replace(block, replacement)) {
      // Deleted by retention meanwhile: so is its replacement.
      await replacement.close();
      await unlink(path);
      return;
    }
    for (const [traceId, policy] of decided) decisions.set(traceId, policy);
    this.#deps.onRetention?.({ type: 'renamed', block: name, kept: keptName });
    await unlink(block.path);
    await fsyncDirectory(this.#deps.blockDir);
    this.#count(tally);
    this.#deps.onRetention?.({ type: 'compacted', block: name, kept: keptName });
    await this.#deps.retire(block);
  }

  /** The trace's spans outside `block` (other blocks, heads); undefined when there are none. */
  async #elsewhere(block: BlockReader, traceId: string): Promise<readonly Span[] | undefined> {
    const { blocks, heads } = this.#deps.current();
    const key = bloomKey(traceId);
    const spans: Span[] = [];
    for (const other of blocks) {
      if (other !== block && other.mayContainKey(key)) spans.push(...(await other.getTrace(traceId)));
    }
    for (const head of heads) spans.push(...plainSpans(head.traces.get(traceId) ?? []));
    return spans.length === 0 ? undefined : spans;
  }

  /** Decisions written into the kept blocks by earlier compactions (this process's, or before a restart). */
  async #loadDecisions(): Promise<Map<string, KeepPolicy | null>> {
    if (this.#decisions !== undefined) return this.#decisions;
    const decisions = new Map<string, KeepPolicy | null>();
    for (const block of this.#deps.current().blocks) {
      if (block.tier !== 'kept') continue;
      for (const [traceId, policy] of (await block.meta()).retention?.decided ?? []) {
        decisions.set(traceId, policy as KeepPolicy | null);
      }
    }
    this.#decisions = decisions;
    return decisions;
  }

  #count(tally: CompactionTally): void {
    this.#compactions++;
    for (const [policy, counts] of tally.kept) {
      const total = this.#kept.get(policy) ?? { traces: 0, spans: 0, bytes: 0 };
      total.traces += counts.traces;
      total.spans += counts.spans;
      total.bytes += counts.bytes;
      this.#kept.set(policy, total);
    }
    this.#dropped.traces += tally.dropped.traces;
    this.#dropped.spans += tally.dropped.spans;
    this.#dropped.bytes += tally.dropped.bytes;
  }
}
