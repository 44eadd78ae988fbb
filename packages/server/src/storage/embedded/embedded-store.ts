import { mkdir, readdir, unlink } from 'node:fs/promises';
import { basename, join } from 'node:path';
import { AriadneError, isValidTraceId, normalizeTraceId, type Span } from '@ariadne/protocol';
import { ScanPacer } from '../../query/query-deadline.js';
import {
  PackedOutlineBuilder,
  type PackedOutlineReader,
  type PackedTraceOutline,
} from '../../query/trace-view/packed-outline.js';
import { searchTraceSpans } from '../../query/trace-view/search-trace-spans.js';
import type { SpanLookup } from '../../query/trace-view/span-lookup.js';
import {
  type TraceOutline,
  TraceOutlineBuilder,
  type TraceOutlineReader,
  traceOutlineOf,
} from '../../query/trace-view/trace-outline.js';
import type { TraceSpanSearch } from '../../query/trace-view/trace-span-search.js';
import type { TraceVersionReader } from '../../query/trace-view/trace-version.js';
import type { RetentionPolicy } from '../../retention/retention-policy.js';
import { inOrderAhead } from '../../threads/in-order-ahead.js';
import { TimeSlices } from '../../threads/time-slices.js';
import { dedupeSpans } from '../query/dedupe-spans.js';
import { DependencyCounter } from '../query/dependency-links.js';
import { compareMostRecentFirst, type RankedTrace } from '../query/most-recent-traces.js';
import { RedAccumulator } from '../query/red-metrics.js';
import { compareText, sortOperations } from '../query/service-catalog.js';
import { compileSpanMatcher } from '../query/span-matches-query.js';
import { summarizeTrace } from '../query/summarize-trace.js';
import { validateTimeRange } from '../query/validate-time-range.js';
import type {
  DependencyLink,
  DependencyReader,
  Operation,
  OperationQuery,
  RedMetricsQuery,
  RedMetricsReader,
  RedMetricsSeries,
  SpanBatch,
  SpanBatchWriter,
  SpanStore,
  TimeRange,
  TraceQuery,
  TraceRetention,
  TraceSummary,
} from '../span-store.js';
import type { TraceRetentionReader } from '../trace-retention-reader.js';
import { AggregatesBuilder, addDependencyCells, addRedCells } from './block-aggregates.js';
import { BlockCache, DEFAULT_BLOCK_CACHE_BYTES } from './block-cache.js';
import { BlockReader, type CutTrace, writeBlock } from './block-file.js';
import { blockFileName, keptBlockFileName, parseBlockName } from './block-names.js';
import {
  Compactor,
  dropMergedSources,
  type RetentionControl,
  type RetentionEvent,
  retentionTiersOf,
} from './compactor.js';
import { lockDataDir } from './data-dir-lock.js';
import { type CutPlan, DependencyIndex, type IndexedSpan } from './dependency-index.js';
import { fsyncDirectory } from './fsync-directory.js';
import { Head } from './head.js';
import { HeadSpan, plainSpans } from './head-span.js';
import { OperationPool } from './operation-pool.js';
import { OutlineCache } from './outline-cache.js';
import { PointReadPriority } from './point-read-priority.js';
import { RecentSpans } from './recent-spans.js';
import { searchBlock } from './search-block.js';
import { WalRecordDecoder } from './span-codec.js';
import { bloomKey } from './trace-id-bloom.js';
import type { TraceIndex } from './trace-index.js';
import { deleteSegmentsUpTo, listSegments, readSegment, segmentFileName, WalWriter } from './write-ahead-log.js';

export interface EmbeddedStoreOptions {
  /** Folder of the store's files; created when missing. One process at a time (a lock file enforces it). */
  readonly dataDir: string;
  /**
   * Cut the head into a block once it holds this many spans. Default 50,000:
   * with 100,000, the server's RSS peaked at 1,232 MiB in the sustained ingest
   * benchmark (the live head grows to twice this while a cut runs), with
   * 50,000 at 875 MiB, at the same rate (BENCHMARKS.md).
   */
  readonly maxHeadSpans?: number;
  /** Cut the head into a block once its first span is this old. Default 30 s. */
  readonly maxHeadAgeMs?: number;
  /** A block never holds spans of two partitions of this length (by span start). Default 1 hour. */
  readonly partitionNanos?: bigint;
  /** Blocks whose newest span started longer ago than this are deleted. Absent: kept forever. */
  readonly retentionNanos?: bigint;
  /** How often retention is checked (also at open). Default 60 s. */
  readonly retentionCheckMs?: number;
  /**
   * The kept tier (`--retention-kept`): a block past `retentionNanos` is
   * compacted (rewritten with only the traces `retentionPolicy` keeps) and
   * deleted once past this. Absent: blocks past `retentionNanos` are deleted whole.
   */
  readonly retentionKeptNanos?: bigint;
  /** Which traces the kept tier keeps (`--retention-policy`). Default `DEFAULT_RETENTION_POLICY`. */
  readonly retentionPolicy?: RetentionPolicy;
  /** Kept blocks whose spans start in one window of this length are merged into one. Default 7 days. */
  readonly retentionKeptMergeNanos?: bigint;
  /** Told of each step of a compaction, synchronously (the crash test stops its process between two). */
  readonly onRetention?: (event: RetentionEvent) => void;
  /** The clock retention compares with, in nanoseconds since the epoch. */
  readonly now?: () => bigint;
  /** Told about background failures (a block that could not be written or deleted). */
  readonly onError?: (error: unknown) => void;
  /**
   * Outlines of large traces kept for opening them again (`OutlineCache`), in
   * spans: about 65 bytes each (measured on 100,000), so 65 MB by default
   * (1,000,000: one trace of a million spans, whose span details and finds
   * each read its outline, is kept whole); 0 keeps none.
   */
  readonly outlineCacheSpans?: number;
  /**
   * How many of the latest spans the store remembers, at least, for the
   * write-time dedupe (`RecentSpans`) and for counting calls between
   * services without reading older blocks (`DependencyIndex`). Default
   * 500,000; memory in README.md.
   */
  readonly recentSpans?: number;
  /**
   * Bytes of block metadata, trace indexes, aggregates, dictionaries and page
   * times kept between reads (`BlockCache`, least recently used out first).
   * An open block keeps only a few numbers and its Bloom filter for itself,
   * so the store's memory stays put as blocks pile up. Default 64 MiB; 0
   * keeps nothing (every read loads what it needs).
   */
  readonly blockCacheBytes?: number;
}

/**
 * Blocks whose share of a trace is read and decompressed while an earlier
 * one's is walked (`getPackedTraceOutline`): each is a page of up to 50,000
 * of the trace's spans, some megabytes.
 */
const PACK_BLOCKS_AHEAD = 3;

/** Spans searched between turns of the store's event loop by `findSpansInTrace`. */
const FIND_SLICE = 2_000;

/** Traces smaller than this are read again on each open: a few milliseconds. */
const OUTLINE_CACHE_MIN_SPANS = 10_000;

export type EmbeddedStore = SpanStore &
  SpanBatchWriter &
  DependencyReader &
  RedMetricsReader &
  TraceOutlineReader &
  PackedOutlineReader &
  TraceVersionReader &
  TraceSpanSearch &
  SpanLookup &
  RetentionControl &
  TraceRetentionReader;

const HOUR_NANOS = 3_600_000_000_000n;
/** The write-time dedupe's window, saved by a clean close for the next open (`RecentSpans.save`). */
const RECENT_SPANS_FILE = 'recent-spans';

/**
 * The default store: a write-ahead log for durability, an in-memory head for
 * recent spans, and immutable block files (after Tempo) for the rest, one per
 * time partition so that retention deletes whole files. The file formats are
 * described in README.md.
 */
export async function openEmbeddedStore(options: EmbeddedStoreOptions): Promise<EmbeddedStore> {
  const maxHeadSpans = options.maxHeadSpans ?? 50_000;
  const maxHeadAgeMs = options.maxHeadAgeMs ?? 30_000;
  const partitionNanos = options.partitionNanos ?? HOUR_NANOS;
  if (partitionNanos <= 0n) throw new RangeError('partitionNanos must be positive');
  const now = options.now ?? (() => BigInt(Date.now()) * 1_000_000n);
  const tiers = retentionTiersOf(options);
  const walDir = join(options.dataDir, 'wal');
  const blockDir = join(options.dataDir, 'blocks');
  await mkdir(walDir, { recursive: true });
  await mkdir(blockDir, { recursive: true });
  const lock = await lockDataDir(options.dataDir);
  const recentSpans = options.recentSpans ?? 500_000;
  /** Spans taken recently: a retry's copies are not stored again. */
  const recent = new RecentSpans(recentSpans);
  /** Services of spans cut recently, and children waiting for their parent: calls are counted from these. */
  const dependencyIndex = new DependencyIndex(recentSpans);

  let blocks: BlockReader[] = [];
  /** What the blocks read on demand, shared and bounded; the operations they list, each once. */
  const blockOptions = {
    cache: new BlockCache(options.blockCacheBytes ?? DEFAULT_BLOCK_CACHE_BYTES),
    operations: new OperationPool(),
  };
  let head = new Head();
  const outlines = new OutlineCache(options.outlineCacheSpans ?? 1_000_000, OUTLINE_CACHE_MIN_SPANS);
  // Span lookups (details) ahead of long scans of a trace (find in trace) on this thread.
  const pointReads = new PointReadPriority();
  /** Times retention deleted blocks: part of a trace's version for `outlines`. */
  let retentionRuns = 0;
  let wal: WalWriter;
  try {
    const segments = await listSegments(walDir);
    // Blocks are named after the last WAL segment their cut covers. A cut with a
    // part missing while its WAL segments still exist was interrupted by a crash:
    // its parts go, the WAL brings the spans back. (Without WAL segments, a
    // missing part was deleted by retention.)
    const cuts = new Map<number, { parts: number; names: string[] }>();
    const names = new Set(await readdir(blockDir));
    const keptNames: string[] = [];
    for (const name of [...names].sort()) {
      if (name.endsWith('.tmp')) {
        await unlink(join(blockDir, name)); // a cut interrupted by a crash; its WAL segments still exist
        continue;
      }
      const parsed = parseBlockName(name);
      if (parsed === undefined) continue;
      // A compaction renamed its block in and a crash came before the old one was deleted: the kept one wins.
      if (!parsed.kept && names.has(keptBlockFileName(name))) {
        await unlink(join(blockDir, name));
        continue;
      }
      // Kept-tier blocks are renamed in whole, long after their cut: opened as they are.
      if (parsed.kept) {
        keptNames.push(name);
        continue;
      }
      const cut = cuts.get(parsed.segment) ?? { parts: parsed.parts, names: [] };
      cut.names.push(name);
      cuts.set(parsed.segment, cut);
    }
    let coveredSegment = 0;
    for (const [segment, cut] of [...cuts].sort(([a], [b]) => a - b)) {
      const whole = cut.names.length === cut.parts;
      if (!whole && segments.some((walSegment) => walSegment <= segment)) {
        for (const name of cut.names) await unlink(join(blockDir, name));
        continue;
      }
      for (const name of cut.names) blocks.push(await BlockReader.open(join(blockDir, name), blockOptions));
      coveredSegment = Math.max(coveredSegment, segment);
    }
    for (const name of keptNames) {
      blocks.push(await BlockReader.open(join(blockDir, name), blockOptions));
      coveredSegment = Math.max(coveredSegment, parseBlockName(name)?.segment ?? 0);
    }
    blocks = await dropMergedSources(blocks);
    await fsyncDirectory(blockDir);

    for (const segment of segments) {
      if (segment <= coveredSegment) continue; // written into a block before a crash could delete it
      const { payloads } = await readSegment(join(walDir, segmentFileName(segment)), true);
      // A segment's records add to tables the later records of that segment refer to.
      const decoder = new WalRecordDecoder();
      for (const payload of payloads) {
        // The dedupe window starts again with the spans the WAL still holds.
        head.add(decoder.decode(payload), recent.admit);
      }
    }
    // After the replay (which would take the WAL's own spans for copies): the window as a clean close left it.
    await recent.load(join(options.dataDir, RECENT_SPANS_FILE));
    // The replayed spans' records stay in the old segments: the new segment's first record carries every table entry.
    head.encoder.restartLog();
    await deleteSegmentsUpTo(walDir, coveredSegment);
    wal = await WalWriter.open(walDir, Math.max(coveredSegment, ...segments) + 1);
  } catch (error) {
    await Promise.all(blocks.map((block) => block.close()));
    await lock.release();
    throw error;
  }

  /** Heads being written into blocks: still read from until the blocks are open. */
  const frozen: Head[] = [];
  /** When a write last came in (`performance.now()`): compaction leaves the thread to writes meanwhile. */
  let lastWriteAt = Number.NEGATIVE_INFINITY;
  /** The latest WAL append: resolved once every span taken so far is durable. */
  let lastAppend: Promise<void> = Promise.resolve();
  /** Cuts and retention run one at a time, in this chain. */
  let background: Promise<void> = Promise.resolve();
  let closed = false;
  /** Blocks deleted by retention are closed once no read uses them. */
  let activeReads = 0;
  const retired: BlockReader[] = [];

  const serialize = (work: () => Promise<void>): Promise<void> => {
    const done = background.then(work);
    background = done.catch((error) => options.onError?.(error));
    return done;
  };

  /** A cut asked for and not started yet: asking again joins it (it freezes whatever the head holds when it starts). */
  let queuedCut: Promise<void> | undefined;
  /** Resolved when the live head is frozen and a new one takes writes. */
  let headFrozen = nextSignal();
  const cut = (): Promise<void> => {
    queuedCut ??= serialize(async () => {
      queuedCut = undefined;
      if (head.spanCount === 0) return;
      frozen.push(head);
      head = new Head();
      headFrozen.resolve();
      headFrozen = nextSignal();
      const { closedSegment, closed: segmentClosed } = wal.rotate();
      await segmentClosed;
      // Every frozen head, including any whose earlier cut failed, goes into this cut:
      // the segments it lets us delete may hold their spans too.
      const pending = [...frozen];
      // The blocks take the first head's tables and copy its spans' encoded bodies;
      // spans of other heads (a failed earlier cut) are encoded again with those tables.
      const source = pending[0]!;
      const traces = new Map<string, CutTrace>();
      for (const part of pending) {
        for (const [traceId, spans] of part.traces) {
          const bodies = part === source ? part.bodies.get(traceId)! : spans.flatMap(() => [-1, 0, 0]);
          // The head's own arrays when one head holds the trace (nothing below changes them).
          const trace = traces.get(traceId);
          if (trace === undefined) traces.set(traceId, { spans, bodies });
          else traces.set(traceId, { spans: [...trace.spans, ...spans], bodies: [...trace.bodies, ...bodies] });
        }
      }
      // In slices: writes and reads are answered between them, however large the head.
      const slices = new TimeSlices();
      const { parts, plan, repeated } = await partitionCut(traces, dependencyIndex, partitionNanos, slices);
      const written: string[] = [];
      try {
        const opened: BlockReader[] = [];
        for (const [index, part] of parts.entries()) {
          const path = join(blockDir, blockFileName(closedSegment, index, parts.length));
          // Only traces with a span id twice (copies, or Zipkin's shared spans) need their summary deduplicated.
          await writeBlock(path, part.traces, source, part.aggregates.encode(), (id) => repeated.has(id), slices);
          written.push(path);
          opened.push(await BlockReader.open(path, blockOptions));
        }
        blocks = [...blocks, ...opened];
        // In the same tick as the blocks become readable and the frozen heads stop being read.
        plan.commit();
      } catch (error) {
        // A partial cut must not survive: the next cut writes these spans again.
        for (const path of written) await unlink(path).catch(() => {});
        throw error;
      }
      frozen.splice(0, pending.length);
      await deleteSegmentsUpTo(walDir, closedSegment);
    });
    return queuedCut;
  };

  const applyRetention = (): Promise<void> =>
    serialize(async () => {
      if (options.retentionNanos === undefined) return;
      const horizon = now() - (tiers?.keptNanos ?? options.retentionNanos);
      const expired = blocks.filter((block) => block.maxStart < horizon);
      if (expired.length === 0) return;
      blocks = blocks.filter((block) => block.maxStart >= horizon);
      retentionRuns++;
      for (const block of expired) await unlink(block.path);
      await fsyncDirectory(blockDir);
      retired.push(...expired);
      await closeRetired();
    }).then(() => {
      if (tiers !== undefined) void compaction.run().catch((error) => options.onError?.(error));
    });

  const closeRetired = async (): Promise<void> => {
    if (activeReads > 0) return;
    const done = retired.splice(0);
    await Promise.all(done.map((block) => block.close()));
  };

  /**
   * The kept tier's compactions: on a chain of their own, so that cuts (and
   * the writes a full head holds back) never wait for one. They share the
   * thread with ingest in slices; each swaps its block in one tick.
   */
  const compaction = new Compactor({
    tiers,
    now,
    blockDir,
    blockOptions,
    onRetention: options.onRetention,
    current: () => ({ blocks, heads: [head, ...frozen] }),
    replace: (olds, replacement) => {
      if (olds.some((old) => !blocks.includes(old))) return false;
      blocks = [...blocks.filter((block) => !olds.includes(block)), replacement];
      retentionRuns++;
      return true;
    },
    flush: () => cut(),
    busy: () => performance.now() - lastWriteAt < 100,
    retire: async (old) => {
      retired.push(old);
      await closeRetired();
    },
  });

  await applyRetention();
  /**
   * The dependency index lives in memory: at open it is rebuilt from the
   * newest blocks (as many spans as it keeps), cut by cut, before any new
   * cut. Calls those blocks counted are not counted again: the rebuild only
   * remembers. (A child of the oldest cut read whose parent was in an older
   * one waits for a parent that already came; it is forgotten in time.)
   */
  const rebuildIndex = async () => {
    const cuts = new Map<number, BlockReader[]>();
    for (const block of blocks) {
      const segment = parseBlockName(basename(block.path))?.segment ?? 0;
      cuts.set(segment, [...(cuts.get(segment) ?? []), block]);
    }
    const newestFirst = [...cuts].sort(([a], [b]) => b - a);
    let kept = 0;
    let from = 0;
    while (from < newestFirst.length && kept < recentSpans) {
      for (const block of newestFirst[from]![1]) kept += block.spanCount;
      from++;
    }
    for (const [, parts] of newestFirst.slice(0, from).reverse()) {
      const traces = new Map<string, IndexedSpan[]>();
      for (const block of parts) {
        await block.forEachTrace((traceId, spans) => {
          const known = traces.get(traceId);
          if (known === undefined) traces.set(traceId, spans);
          else known.push(...spans);
        });
      }
      dependencyIndex.planCut(traces, () => {}).commit();
    }
  };
  const indexReady = serialize(rebuildIndex).catch(() => {});

  const timer = setInterval(
    () => {
      if (head.spanCount > 0 && Date.now() - head.createdAt >= maxHeadAgeMs) void cut().catch(() => {});
    },
    Math.max(10, Math.min(maxHeadAgeMs, 5_000)),
  );
  timer.unref();
  const retentionTimer =
    options.retentionNanos === undefined
      ? undefined
      : setInterval(() => void applyRetention().catch(() => {}), Math.max(10, options.retentionCheckMs ?? 60_000));
  retentionTimer?.unref();

  /**
   * Runs a read over a snapshot of blocks and heads taken at one instant, so a
   * cut finishing meanwhile neither hides nor doubles spans; blocks retired
   * meanwhile stay open until the read ends.
   */
  const read = async <T>(work: (current: View) => Promise<T>): Promise<T> => {
    if (closed) throw new AriadneError('StorageFailure', 'the embedded store is closed');
    activeReads++;
    try {
      return await work({ blocks, heads: [head, ...frozen] });
    } finally {
      activeReads--;
      if (activeReads === 0 && retired.length > 0) void closeRetired().catch((error) => options.onError?.(error));
    }
  };

  const readTrace = async (current: View, traceId: string): Promise<Span[]> => {
    const spans: Span[] = [];
    const key = bloomKey(traceId);
    for (const block of current.blocks) if (block.mayContainKey(key)) spans.push(...(await block.getTrace(traceId)));
    // A head keeps spans of batches as HeadSpans: reads hand out plain spans.
    for (const part of current.heads) spans.push(...plainSpans(part.traces.get(traceId) ?? []));
    return spans;
  };

  /** The blocks holding spans of the trace, and how many spans of it there are; TraceNotFound for none. */
  const whereIs = async (
    current: View,
    traceId: string,
  ): Promise<{ id: string; holders: BlockReader[]; spanCount: number }> => {
    const id = normalizeTraceId(traceId);
    const holders: BlockReader[] = [];
    let spanCount = 0;
    if (id !== undefined) {
      const key = bloomKey(id);
      for (const block of current.blocks) {
        if (!block.mayContainKey(key)) continue;
        const index = block.cachedTraceIndex() ?? (await block.traceIndex());
        const ordinal = index.find(id);
        if (ordinal === -1) continue;
        holders.push(block);
        spanCount += index.spanCountOf(ordinal);
      }
      for (const part of current.heads) spanCount += part.traces.get(id)?.length ?? 0;
    }
    if (id === undefined || spanCount === 0) throw new AriadneError('TraceNotFound', `trace ${traceId} not found`);
    return { id, holders, spanCount };
  };

  /**
   * The trace's earliest start over every part of it the store holds; no
   * promise when the indexes of the blocks that may hold it are in the cache
   * (a search's hot path asks this of every candidate trace).
   */
  const traceStart = (current: View, traceId: string): bigint | undefined | Promise<bigint | undefined> => {
    let start: bigint | undefined;
    const earlier = (other: bigint | undefined) => {
      if (other !== undefined && (start === undefined || other < start)) start = other;
    };
    for (const part of current.heads)
      for (const span of part.traces.get(traceId) ?? []) earlier(span.startTimeUnixNano);
    const key = bloomKey(traceId);
    const blockStart = (index: TraceIndex) => {
      const ordinal = index.find(traceId);
      return ordinal === -1 ? undefined : index.startOf(ordinal);
    };
    const unloaded: BlockReader[] = [];
    for (const block of current.blocks) {
      if (!block.mayContainKey(key)) continue;
      const index = block.cachedTraceIndex();
      if (index === undefined) unloaded.push(block);
      else earlier(blockStart(index));
    }
    if (unloaded.length === 0) return start;
    return (async () => {
      for (const block of unloaded) earlier(blockStart(await block.traceIndex()));
      return start;
    })();
  };

  /** From the block's summary columns when one block holds the whole trace; else from its spans. */
  const summarize = async (current: View, traceId: string): Promise<TraceSummary> => {
    const holders: { block: BlockReader; ordinal: number }[] = [];
    const key = bloomKey(traceId);
    for (const block of current.blocks) {
      if (!block.mayContainKey(key)) continue;
      const ordinal = (block.cachedTraceIndex() ?? (await block.traceIndex())).find(traceId);
      if (ordinal !== -1) holders.push({ block, ordinal });
    }
    const inHead = current.heads.some((part) => part.traces.has(traceId));
    const [only] = holders;
    if (only !== undefined && holders.length === 1 && !inHead) return only.block.summary(only.ordinal);
    const summary = summarizeTrace(dedupeSpans(await readTrace(current, traceId)));
    // A kept trace in several blocks of the kept tier: each names the policy that kept it, the same one.
    if (only === undefined || inHead || holders.some(({ block }) => block.tier !== 'kept')) return summary;
    return { ...summary, retention: { tier: 'kept', keptBy: await only.block.keptBy(only.ordinal) } };
  };

  /**
   * The write path of `writeSpans` and `writeSpanBatch`: `add` puts the spans
   * into the head (those `admit` takes) and returns their WAL record. `spans`
   * are checked for valid trace ids first (a batch's are checked as it is read).
   */
  const write = async (
    spans: readonly Span[],
    add: (admit: (hash0: number, hash1: number) => boolean) => Buffer | undefined,
    count = spans.length,
  ): Promise<void> => {
    if (closed) throw new AriadneError('StorageFailure', 'the embedded store is closed');
    if (count === 0) return;
    lastWriteAt = performance.now();
    // Cuts that fall behind hold writes back instead of letting the head grow without bound.
    // A write waits only until the full head is frozen (when the cut before it ends), not
    // for that head's own cut: it then goes into the next head.
    while (head.spanCount >= 2 * maxHeadSpans) {
      const frozenNow = headFrozen.promise;
      void cut().catch(() => {});
      await frozenNow;
      if (closed) throw new AriadneError('StorageFailure', 'the embedded store is closed');
    }
    let checked: string | undefined;
    for (const span of spans) {
      // Batches hold traces in runs: check each run's id once.
      if (span.traceId === checked) continue;
      checked = span.traceId;
      if (!isValidTraceId(span.traceId)) {
        throw new AriadneError('StorageFailure', `cannot store a span with trace id "${span.traceId}"`);
      }
    }
    // Spans equal to ones taken recently (a client's retry, a copy in the batch) are
    // not stored again; the write still resolves only once those are durable: they
    // were acknowledged, or they are in a WAL append queued before, which resolves first.
    // Into the head in the same tick as into the WAL queue: a cut then puts the
    // batch into the block exactly when its record lands in the segment the cut retires.
    const record = add(recent.admit);
    if (record === undefined) return lastAppend;
    const written = wal.append(record);
    lastAppend = written;
    if (head.spanCount >= maxHeadSpans) void cut().catch(() => {});
    await written;
  };

  return {
    writeSpans: (spans: readonly Span[]): Promise<void> => write(spans, (admit) => head.add(spans, admit)),

    // A decode worker's batch: its bodies are copied into the head's record, not encoded again.
    writeSpanBatch: (batch: SpanBatch): Promise<void> => {
      const bytes = Buffer.from(batch.bytes.buffer, batch.bytes.byteOffset, batch.bytes.byteLength);
      if (batch.spanCount === 0) return Promise.resolve();
      // The transcoder checks the trace ids as it reads them.
      return write([], (admit) => head.addBatch(bytes, batch.hashes, admit), batch.spanCount);
    },

    getTrace: (traceId: string, _timeRange?: TimeRange): Promise<Span[]> =>
      read(async (current) => {
        const id = normalizeTraceId(traceId);
        const spans = id === undefined ? [] : await readTrace(current, id);
        if (spans.length === 0) throw new AriadneError('TraceNotFound', `trace ${traceId} not found`);
        // Copies stored before the write-time dedupe could see them (outside its window) show once.
        return dedupeSpans(spans);
      }),

    // Blocks are skimmed rather than decoded: a large trace's outline costs a fraction of its spans.
    getTraceOutline: (traceId: string): Promise<TraceOutline> =>
      read(async (current) => {
        const { id, holders, spanCount } = await whereIs(current, traceId);
        const version = `${retentionRuns}:${spanCount}`;
        const cached = outlines.get(id, version);
        if (cached !== undefined) return cached;
        const outline = new TraceOutlineBuilder();
        for (const block of holders) await block.outlineTrace(id, outline);
        for (const part of current.heads) outline.addSpans(part.traces.get(id) ?? []);
        let built = outline.build();
        // Exact copies (outside the write-time dedupe's window) show once: only a trace
        // where two spans share an id and every outlined field is read whole to tell.
        if (mayRepeat(built)) built = traceOutlineOf(dedupeSpans(await readTrace(current, id)));
        outlines.set(id, version, built);
        return built;
      }),

    // Numbers only, and nothing kept: the columns answer made from it is what the trace view keeps.
    getPackedTraceOutline: (traceId: string): Promise<PackedTraceOutline | undefined> =>
      read(async (current) => {
        const { id, holders, spanCount } = await whereIs(current, traceId);
        const packed = new PackedOutlineBuilder(spanCount);
        packed.traceId = id;
        // Pages are read and decompressed (in libuv's threads) a few blocks ahead of the walk.
        await inOrderAhead(
          holders,
          PACK_BLOCKS_AHEAD,
          (block) => block.loadPackable(id),
          (block, loaded) => {
            if (loaded === undefined || packed.refused) return;
            if ('chunk' in loaded) block.packTrace(packed, loaded);
            else packed.addPart(loaded);
          },
        );
        const head = new TraceOutlineBuilder();
        for (const part of current.heads) head.addSpans(part.traces.get(id) ?? []);
        packed.addOutline(head.build());
        return packed.build();
      }),

    // A block's share of the trace at a time: a million-span trace is never decoded whole.
    findSpansInTrace: (traceId: string, query: string): Promise<string[]> =>
      read(async (current) => {
        const { id, holders } = await whereIs(current, traceId);
        const found = new Set<string>();
        // Slices of spans with turns of the event loop between them, so that the store's thread takes
        // batches and answers other reads (a span's details) meanwhile; past the deadline it stops.
        // A span's details (`getSpansById`) go first: the search holds off before its next piece.
        const pacer = new ScanPacer();
        const search = async (spans: readonly Span[]) => {
          for (let from = 0; from < spans.length; from += FIND_SLICE) {
            const turn = pacer.step();
            if (turn !== undefined) await turn;
            await pointReads.yieldToPointReads();
            for (const spanId of searchTraceSpans(spans.slice(from, from + FIND_SLICE), query)) found.add(spanId);
          }
        };
        for (const block of holders) {
          await pointReads.yieldToPointReads();
          await search(await block.getTrace(id));
        }
        for (const part of current.heads) await search(plainSpans(part.traces.get(id) ?? []));
        return [...found];
      }),

    // Index look-ups only: the trace view serves a large trace's kept answer while this is unchanged.
    getTraceVersion: (traceId: string): Promise<string> =>
      read(async (current) => {
        const { spanCount } = await whereIs(current, traceId);
        return `${retentionRuns}:${spanCount}`;
      }),

    // Only the chunks holding the trace are walked, and only the span asked for is decoded.
    getSpansById: (traceId: string, spanId: string): Promise<Span[]> =>
      read((current) =>
        pointReads.run(async () => {
          const { id, holders } = await whereIs(current, traceId);
          const found: Span[] = [];
          for (const block of holders) found.push(...(await block.spansWithId(id, spanId)));
          for (const part of current.heads) {
            for (const span of part.traces.get(id) ?? []) {
              if (span.spanId === spanId) found.push(span instanceof HeadSpan ? span.toSpan() : span);
            }
          }
          return dedupeSpans(found);
        }),
      ),

    findTraces: (query: TraceQuery): Promise<TraceSummary[]> =>
      read(async (current) => {
        const matches = compileSpanMatcher(query);
        const top = new MostRecent(query.limit);
        const seen = new Set<string>();
        const consider = (traceId: string): Promise<void> | undefined => {
          if (seen.has(traceId)) return;
          seen.add(traceId);
          const start = traceStart(current, traceId);
          if (!(start instanceof Promise)) top.offer(traceId, start ?? 0n);
          else return start.then((loaded) => top.offer(traceId, loaded ?? 0n));
        };
        // Yielding every few milliseconds lets the store's thread take batches between
        // slices of a long scan; the query's deadline stops it.
        const pacer = new ScanPacer();
        for (const part of current.heads) {
          // A copy: the head may take batches while the scan yields.
          for (const [traceId, spans] of [...part.traces]) {
            const turn = pacer.step();
            if (turn !== undefined) await turn;
            if (seen.has(traceId) || !spans.some(matches)) continue;
            // No await unless a block's trace index must be read from its file.
            const pending = consider(traceId);
            if (pending !== undefined) await pending;
          }
        }
        // Newest blocks and pages first, and stop once none left can hold a trace that
        // would make the top `limit`: a trace starts no later than its spans in any block.
        const cannotEnter = (latestStart: bigint) => top.full && latestStart < top.threshold;
        const newestFirst = [...current.blocks].sort((a, b) =>
          a.maxStart > b.maxStart ? -1 : a.maxStart < b.maxStart ? 1 : 0,
        );
        for (const block of newestFirst) {
          if (cannotEnter(block.maxStart)) break;
          await searchBlock(block, query, matches, { onTrace: consider, canStop: cannotEnter, pacer });
        }
        return Promise.all(top.traces().map(({ traceId }) => summarize(current, traceId)));
      }),

    getServices: (): Promise<string[]> =>
      read(async (current) => {
        const services = new Set<string>();
        for (const part of current.heads) for (const service of part.catalog.services()) services.add(service);
        for (const block of current.blocks) for (const service of block.services) services.add(service);
        return [...services].sort(compareText);
      }),

    getOperations: (query: OperationQuery): Promise<Operation[]> =>
      read(async (current) => {
        const operations = new Map<string, Operation>();
        const add = (operation: Operation) => {
          if (query.spanKind !== undefined && operation.spanKind !== query.spanKind) return;
          operations.set(`${operation.spanKind}\u0000${operation.name}`, operation);
        };
        for (const part of current.heads) part.catalog.operations(query).forEach(add);
        for (const block of current.blocks) block.operations(query.service).forEach(add);
        return sortOperations([...operations.values()]);
      }),

    async getDependencies(timeRange: TimeRange): Promise<DependencyLink[]> {
      validateTimeRange(timeRange);
      await indexReady;
      return read(async (current) => {
        const counter = new DependencyCounter();
        // The heads' part first, before any await: the index must be the one of this
        // snapshot's blocks (a cut changes both in one tick).
        dependencyIndex.callsOf(headTraces(current.heads), (parent, child, start, isError) => {
          if (start < timeRange.startNanos || start > timeRange.endNanos) return;
          counter.add(parent, child, 1, isError ? 1 : 0);
        });
        // Calls with a span in a block were counted when the later of their two spans was cut.
        for (const block of current.blocks) addDependencyCells(await block.aggregates(), timeRange, counter);
        return counter.links();
      });
    },

    getRedMetrics: (query: RedMetricsQuery): Promise<RedMetricsSeries[]> =>
      read(async (current) => {
        const red = new RedAccumulator(query);
        const { startNanos, endNanos } = query.timeRange;
        for (const block of current.blocks) {
          // Cells are whole seconds: a block whose spans end just before the range may still share its first second.
          if (block.maxStart < startNanos - 1_000_000_000n || block.minStart > endNanos) continue;
          if (!block.services.some((service) => red.wantsService(service))) continue;
          addRedCells(await block.aggregates(), red);
        }
        const pacer = new ScanPacer();
        for (const part of current.heads) {
          for (const spans of [...part.traces.values()]) {
            await pacer.step();
            for (const span of spans) red.addSpan(span);
          }
        }
        return red.series();
      }),

    retentionStats: async () => compaction.stats(),

    traceRetention: (traceId: string): Promise<TraceRetention | undefined> =>
      read(async (current) => {
        const { id, holders } = await whereIs(current, traceId);
        const [first] = holders;
        if (first === undefined || holders.some((block) => block.tier !== 'kept')) return undefined;
        if (current.heads.some((part) => part.traces.has(id))) return undefined;
        const ordinal = (await first.traceIndex()).find(id);
        return { tier: 'kept', keptBy: await first.keptBy(ordinal) };
      }),

    async runRetention(): Promise<void> {
      await applyRetention();
      await compaction.run();
    },

    async close(): Promise<void> {
      if (closed) return;
      closed = true;
      await compaction.stop();
      clearInterval(timer);
      if (retentionTimer !== undefined) clearInterval(retentionTimer);
      // Writes already accepted finish first; the head goes into a block so the next open is fast.
      try {
        await cut();
      } finally {
        await background;
        await wal.close();
        await Promise.all([...blocks, ...retired].map((block) => block.close()));
        await recent.save(join(options.dataDir, RECENT_SPANS_FILE)).catch((error) => options.onError?.(error));
        await lock.release();
      }
    },
  };
}

/** A promise and what resolves it (Node 20 has no `Promise.withResolvers`). */
function nextSignal(): { readonly promise: Promise<void>; readonly resolve: () => void } {
  let resolve = () => {};
  const promise = new Promise<void>((done) => {
    resolve = done;
  });
  return { promise, resolve };
}

/** What one read sees. */
interface View {
  readonly blocks: readonly BlockReader[];
  readonly heads: readonly Head[];
}

interface CutPart {
  readonly partition: bigint;
  readonly traces: Map<string, CutTrace>;
  readonly aggregates: AggregatesBuilder;
}

/**
 * Splits a cut's spans by time partition (one block each) and builds their
 * aggregates. The calls between services it counts (`DependencyIndex`): both
 * spans in this cut, or one here and the other cut earlier; its plan is
 * committed once the blocks are written.
 */
async function partitionCut(
  traces: ReadonlyMap<string, CutTrace>,
  index: DependencyIndex,
  partitionNanos: bigint,
  slices: TimeSlices,
): Promise<{ parts: CutPart[]; plan: CutPlan; repeated: ReadonlySet<string> }> {
  const parts = new Map<bigint, CutPart>();
  // Consecutive spans are nearly always in the same partition: test the last one's bounds before dividing.
  let last: CutPart | undefined;
  let lastFrom = 0n;
  let lastTo = -1n;
  const partOf = (startNanos: bigint): CutPart => {
    if (last !== undefined && startNanos >= lastFrom && startNanos <= lastTo) return last;
    const partition = startNanos >= 0n ? startNanos / partitionNanos : (startNanos + 1n) / partitionNanos - 1n;
    let part = parts.get(partition);
    if (part === undefined) {
      part = { partition, traces: new Map(), aggregates: new AggregatesBuilder() };
      parts.set(partition, part);
    }
    last = part;
    lastFrom = partition * partitionNanos;
    lastTo = lastFrom + partitionNanos - 1n;
    return part;
  };
  for (const [traceId, whole] of traces) {
    const { spans, bodies } = whole;
    let only: CutPart | undefined;
    let split = false;
    for (const span of spans) {
      const part = partOf(span.startTimeUnixNano);
      part.aggregates.addSpan(span);
      if (only === undefined) only = part;
      else if (part !== only) split = true;
    }
    // A trace nearly always falls in one partition: it goes there as it is.
    if (!split && only !== undefined) only.traces.set(traceId, whole);
    else {
      for (let i = 0; i < spans.length; i++) {
        const span = spans[i]!;
        const part = partOf(span.startTimeUnixNano);
        // Only this loop made entries for this trace: they are its own arrays.
        let trace = part.traces.get(traceId) as { spans: Span[]; bodies: number[] } | undefined;
        if (trace === undefined) {
          trace = { spans: [], bodies: [] };
          part.traces.set(traceId, trace);
        }
        trace.spans.push(span);
        trace.bodies.push(bodies[i * 3]!, bodies[i * 3 + 1]!, bodies[i * 3 + 2]!);
      }
    }
    const pause = slices.next();
    if (pause) await pause;
  }
  const repeated = new Set<string>();
  const plan = await index.planCutInSlices(
    spansOf(traces),
    (parent, child, start, isError, childHere) => {
      // A child cut earlier may have its partition in no block of this cut: any block of the cut will do.
      const part = childHere !== undefined ? partOf(start) : (parts.values().next().value ?? partOf(start));
      part.aggregates.addEdge(parent, child, start, isError);
    },
    (traceId) => repeated.add(traceId),
    slices,
  );
  const sorted = [...parts.values()].sort((a, b) =>
    a.partition < b.partition ? -1 : a.partition > b.partition ? 1 : 0,
  );
  return { parts: sorted, plan, repeated };
}

function* spansOf(traces: ReadonlyMap<string, CutTrace>): Iterable<readonly [string, readonly Span[]]> {
  for (const [traceId, trace] of traces) yield [traceId, trace.spans];
}

/** Every trace of the heads with all its head spans (a trace in two heads: both parts). */
function headTraces(heads: readonly Head[]): Iterable<readonly [string, readonly Span[]]> {
  const [only] = heads;
  if (heads.length === 1 && only !== undefined) return only.traces;
  const merged = new Map<string, Span[]>();
  for (const part of heads) {
    for (const [traceId, spans] of part.traces) {
      const known = merged.get(traceId);
      merged.set(traceId, known === undefined ? spans : [...known, ...spans]);
    }
  }
  return merged;
}

/**
 * Whether two spans of the outline share an id and every outlined field:
 * then they may be copies of one span, which only their whole content tells.
 */
function mayRepeat(outline: TraceOutline): boolean {
  const { spanIds, parentIds, startMicros, durationMicros, services, names } = outline;
  const same = (i: number, j: number) =>
    parentIds[i] === parentIds[j] &&
    startMicros[i] === startMicros[j] &&
    durationMicros[i] === durationMicros[j] &&
    services[i] === services[j] &&
    names[i] === names[j];
  const seen = new Map<string, number | number[]>();
  for (let i = 0; i < spanIds.length; i++) {
    const id = spanIds[i]!;
    const earlier = seen.get(id);
    if (earlier === undefined) seen.set(id, i);
    else if (typeof earlier === 'number') {
      if (same(earlier, i)) return true;
      seen.set(id, [earlier, i]);
    } else {
      if (earlier.some((j) => same(j, i))) return true;
      earlier.push(i);
    }
  }
  return false;
}

/** The `limit` most recent traces offered so far, kept sorted. */
class MostRecent {
  readonly #kept: RankedTrace[] = [];
  constructor(readonly limit: number) {}

  get full(): boolean {
    return this.#kept.length >= this.limit;
  }

  /** The start a trace must reach to enter (when full). */
  get threshold(): bigint {
    return this.#kept[this.#kept.length - 1]?.startTimeUnixNano ?? 0n;
  }

  offer(traceId: string, startTimeUnixNano: bigint): void {
    const trace = { traceId, startTimeUnixNano };
    const kept = this.#kept;
    if (this.full && compareMostRecentFirst(trace, kept[kept.length - 1]!) >= 0) return;
    let at = kept.length;
    while (at > 0 && compareMostRecentFirst(trace, kept[at - 1]!) < 0) at--;
    kept.splice(at, 0, trace);
    if (kept.length > this.limit) kept.pop();
  }

  traces(): readonly RankedTrace[] {
    return this.#kept;
  }
}
