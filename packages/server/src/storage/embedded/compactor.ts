import { unlink } from 'node:fs/promises';
import { basename, join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import type { Span } from '@ariadne/protocol';
import { RetentionDecider } from '../../retention/keep-decision.js';
import { DEFAULT_RETENTION_POLICY, type KeepPolicy, type RetentionPolicy } from '../../retention/retention-policy.js';
import { SlowThresholds } from '../../retention/slow-thresholds.js';
import { TimeSlices } from '../../threads/time-slices.js';
import { secondOf } from './block-aggregates.js';
import { BlockReader, type BlockReaderOptions } from './block-file.js';
import { keptBlockFileName, mergedBlockFileName, parseBlockName } from './block-names.js';
import { type CompactionTally, compactBlock } from './compact-block.js';
import { fsyncDirectory } from './fsync-directory.js';
import type { Head } from './head.js';
import { plainSpans } from './head-span.js';
import { mergeKeptBlocks } from './merge-kept-blocks.js';
import { bloomKey } from './trace-id-bloom.js';

/** The two retention windows of a store with a kept tier. */
export interface RetentionTiers {
  /** Every span is kept this long (`--retention`). */
  readonly fullNanos: bigint;
  /** The traces a policy keeps are kept this long (`--retention-kept`). */
  readonly keptNanos: bigint;
  readonly policy: RetentionPolicy;
  /** Kept blocks whose spans start in the same window of this length are merged into one. */
  readonly mergeNanos: bigint;
}

/** The kept tier's settings of a store's options; undefined without `retentionKeptNanos`. */
export function retentionTiersOf(options: {
  readonly retentionNanos?: bigint;
  readonly retentionKeptNanos?: bigint;
  readonly retentionPolicy?: RetentionPolicy;
  readonly retentionKeptMergeNanos?: bigint;
}): RetentionTiers | undefined {
  if (options.retentionKeptNanos === undefined) return undefined;
  if (options.retentionNanos === undefined || options.retentionNanos >= options.retentionKeptNanos) {
    throw new RangeError('retentionKeptNanos needs retentionNanos, shorter than it');
  }
  return {
    fullNanos: options.retentionNanos,
    keptNanos: options.retentionKeptNanos,
    policy: options.retentionPolicy ?? DEFAULT_RETENTION_POLICY,
    mergeNanos: options.retentionKeptMergeNanos ?? DEFAULT_MERGE_NANOS,
  };
}

/**
 * A week: kept blocks of a week share one dictionary. The price: a merged
 * block is deleted once its newest span is past `--retention-kept`, so the
 * kept tier holds its oldest traces up to this much longer.
 */
const DEFAULT_MERGE_NANOS = 7n * 24n * 3_600_000_000_000n;
/** A merge reads its blocks' spans into memory: it stops adding blocks past this many spans. */
const MAX_MERGED_SPANS = 500_000;
/**
 * While writes come in, compaction uses at most this share of the store's
 * thread (slices, then a pause). Issue 17 allows a running compaction 5 % of
 * ingest: the share leaves room for what it costs outside the thread (page
 * decompression on libuv's threads, the garbage of decoded spans).
 */
const SHARE_WHILE_BUSY = 0.03;
const SLICE_MS = 4;

/** A step of a compaction, told synchronously as it happens. */
export type RetentionEvent =
  | { readonly type: 'compacting'; readonly block: string }
  /** The new block is renamed into place; the old one is not deleted yet. */
  | { readonly type: 'renamed'; readonly block: string; readonly kept: string }
  | { readonly type: 'compacted'; readonly block: string; readonly kept: string }
  | { readonly type: 'merging'; readonly blocks: readonly string[] }
  /** The merged block is renamed into place; its sources are not deleted yet. */
  | { readonly type: 'merge-renamed'; readonly blocks: readonly string[]; readonly merged: string }
  | { readonly type: 'merged'; readonly blocks: readonly string[]; readonly merged: string };

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
  /** Puts `replacement` in the place of `olds`, in one tick; false when one is gone (retention deleted it). */
  readonly replace: (olds: readonly BlockReader[], replacement: BlockReader) => boolean;
  /** `old` is no longer in the store's list: close it once no read uses it. */
  readonly retire: (old: BlockReader) => Promise<void>;
  /** Cuts the heads into blocks, so that the aggregates of the time being decided are all in blocks. */
  readonly flush: () => Promise<void>;
  /** Whether writes came in just now: compaction then leaves the thread to them most of the time. */
  readonly busy: () => boolean;
}

const HOUR_NANOS = 3_600_000_000_000n;
const MINUTE_NANOS = 60_000_000_000n;

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
  #merges = 0;
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
    const slices = new ThrottledSlices(SLICE_MS, this.#deps.busy);
    if (due.length > 0) await this.#compactDue(due, slices);
    await this.#mergeKept(slices);
  }

  async #compactDue(due: readonly BlockReader[], slices: TimeSlices): Promise<void> {
    const tiers = this.#deps.tiers!;
    // Spans of the time being decided may still be in a head: "slow" needs all of their durations.
    await this.#deps.flush();
    const decisions = await this.#loadDecisions();
    for (const block of due) {
      if (this.#stopped) return;
      if (!this.#deps.current().blocks.includes(block)) continue;
      // "Slow" is against the 60 minutes up to each span's minute: the aggregates of the blocks
      // with spans in them (the rest of the last minute may be in blocks that start later).
      const thresholds = new SlowThresholds();
      const lastMinuteEnd = (block.maxStart / MINUTE_NANOS + 1n) * MINUTE_NANOS;
      for (const other of this.#deps.current().blocks) {
        if (other.maxStart < block.minStart - HOUR_NANOS || other.minStart >= lastMinuteEnd) continue;
        thresholds.add(await other.aggregates(), secondOf(block.minStart - HOUR_NANOS), secondOf(lastMinuteEnd));
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
    if (!this.#deps.replace([block], replacement)) {
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

  /** Merges the kept blocks of each window (`mergeNanos`) that has several. */
  async #mergeKept(slices: TimeSlices): Promise<void> {
    const { mergeNanos } = this.#deps.tiers!;
    const windows = new Map<bigint, BlockReader[]>();
    for (const block of this.#deps.current().blocks) {
      if (block.tier !== 'kept') continue;
      const window = block.minStart / mergeNanos;
      windows.set(window, [...(windows.get(window) ?? []), block]);
    }
    for (const blocks of windows.values()) {
      blocks.sort((a, b) => (a.minStart < b.minStart ? -1 : a.minStart > b.minStart ? 1 : 0));
      let group: BlockReader[] = [];
      let spans = 0;
      for (const block of [...blocks, undefined]) {
        if (block !== undefined && (group.length === 0 || spans + block.spanCount <= MAX_MERGED_SPANS)) {
          group.push(block);
          spans += block.spanCount;
          continue;
        }
        if (this.#stopped) return;
        if (group.length >= 2) await this.#merge(group, slices);
        group = block === undefined ? [] : [block];
        spans = block?.spanCount ?? 0;
      }
    }
  }

  async #merge(group: readonly BlockReader[], slices: TimeSlices): Promise<void> {
    const names = group.map((block) => basename(block.path));
    const newest = Math.max(...names.map((name) => parseBlockName(name)?.segment ?? 0));
    const mergedName = mergedBlockFileName(newest, ++this.#merges + Date.now());
    const path = join(this.#deps.blockDir, mergedName);
    this.#deps.onRetention?.({ type: 'merging', blocks: names });
    await mergeKeptBlocks(group, path, slices);
    const replacement = await BlockReader.open(path, this.#deps.blockOptions);
    if (!this.#deps.replace(group, replacement)) {
      await replacement.close();
      await unlink(path);
      return;
    }
    this.#deps.onRetention?.({ type: 'merge-renamed', blocks: names, merged: mergedName });
    for (const block of group) await unlink(block.path);
    await fsyncDirectory(this.#deps.blockDir);
    this.#deps.onRetention?.({ type: 'merged', blocks: names, merged: mergedName });
    for (const block of group) await this.#deps.retire(block);
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

/**
 * Time slices that, while the store takes writes (`busy`), pause after each
 * slice long enough that compaction uses only `SHARE_WHILE_BUSY` of the
 * thread; idle, they only give the event loop a turn.
 *
 * The pause is in proportion to how long the slice really ran, not to
 * `sliceMs`: a slice ends only where the work checks the clock, and one step
 * (decoding a page of 2,000 spans, reading a trace's other blocks) can take
 * several times `sliceMs`, and a pause of a fixed length then leaves
 * compaction a multiple of its share. (The slice's wall time also counts what
 * the thread did for others during the slice's awaits: that errs toward
 * pausing longer.)
 */
class ThrottledSlices extends TimeSlices {
  readonly #busy: () => boolean;
  #sliceStart = performance.now();

  constructor(sliceMs: number, busy: () => boolean) {
    super(sliceMs);
    this.#busy = busy;
  }

  override next(): Promise<void> | undefined {
    const worked = performance.now() - this.#sliceStart;
    const pause = super.next();
    if (pause === undefined || !this.#busy()) return pause;
    const rest = Math.max(this.sliceMs, worked) * (1 / SHARE_WHILE_BUSY - 1);
    return pause.then(() => sleep(rest)).then(() => this.turn());
  }

  override turn(): Promise<void> {
    return super.turn().then(() => {
      this.#sliceStart = performance.now();
    });
  }
}

/**
 * At open: a merge renamed in before a crash could delete its sources. The
 * merged block names them; those still there are closed and deleted.
 */
export async function dropMergedSources(blocks: BlockReader[]): Promise<BlockReader[]> {
  const replaced = new Set<string>();
  for (const block of blocks) {
    if (!parseBlockName(basename(block.path))?.merged) continue;
    for (const name of (await block.meta()).retention?.replaces ?? []) replaced.add(name);
  }
  if (replaced.size === 0) return blocks;
  const kept: BlockReader[] = [];
  for (const block of blocks) {
    if (!replaced.has(basename(block.path))) {
      kept.push(block);
      continue;
    }
    await block.close();
    await unlink(block.path);
  }
  return kept;
}
