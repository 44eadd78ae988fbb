import { mkdir, readdir, unlink } from 'node:fs/promises';
import { join } from 'node:path';
import { AriadneError, isValidTraceId, normalizeTraceId, type Span } from '@ariadne/protocol';
import { mostRecentTraces } from '../query/most-recent-traces.js';
import { compareText, sortOperations } from '../query/service-catalog.js';
import { compileSpanMatcher } from '../query/span-matches-query.js';
import { summarizeTrace } from '../query/summarize-trace.js';
import type { Operation, OperationQuery, SpanStore, TimeRange, TraceQuery, TraceSummary } from '../span-store.js';
import { BlockReader, writeBlock } from './block-file.js';
import { Head } from './head.js';
import { searchBlock } from './search-block.js';
import { decodeSpans, encodeSpans } from './span-codec.js';
import { deleteSegmentsUpTo, listSegments, readSegment, segmentFileName, WalWriter } from './write-ahead-log.js';

export interface EmbeddedStoreOptions {
  /** Folder of the store's files; created when missing. One process at a time. */
  readonly dataDir: string;
  /** Cut the head into a block once it holds this many spans. Default 100,000. */
  readonly maxHeadSpans?: number;
  /** Cut the head into a block once its first span is this old. Default 30 s. */
  readonly maxHeadAgeMs?: number;
  /** Told about background failures (a block that could not be written). */
  readonly onError?: (error: unknown) => void;
}

const BLOCK = /^(\d{16})\.blk$/;

/**
 * The default store: a write-ahead log for durability, an in-memory head for
 * recent spans, and immutable block files (after Tempo) for the rest. The file
 * formats are described in README.md.
 */
export async function openEmbeddedStore(options: EmbeddedStoreOptions): Promise<SpanStore> {
  const maxHeadSpans = options.maxHeadSpans ?? 100_000;
  const maxHeadAgeMs = options.maxHeadAgeMs ?? 30_000;
  const walDir = join(options.dataDir, 'wal');
  const blockDir = join(options.dataDir, 'blocks');
  await mkdir(walDir, { recursive: true });
  await mkdir(blockDir, { recursive: true });

  // Blocks are named after the last WAL segment they cover.
  const blocks: BlockReader[] = [];
  let coveredSegment = 0;
  for (const name of (await readdir(blockDir)).sort()) {
    if (name.endsWith('.tmp')) {
      await unlink(join(blockDir, name)); // a cut interrupted by a crash; its WAL segments still exist
      continue;
    }
    const match = BLOCK.exec(name);
    if (match === null) continue;
    blocks.push(await BlockReader.open(join(blockDir, name)));
    coveredSegment = Math.max(coveredSegment, Number(match[1]));
  }

  let head = new Head();
  const segments = await listSegments(walDir);
  for (const segment of segments) {
    if (segment <= coveredSegment) continue; // written into a block before a crash could delete it
    const { payloads } = await readSegment(join(walDir, segmentFileName(segment)), true);
    for (const payload of payloads) head.add(decodeSpans(payload));
  }
  await deleteSegmentsUpTo(walDir, coveredSegment);
  const wal = await WalWriter.open(walDir, Math.max(coveredSegment, ...segments) + 1);

  /** Heads being written into a block: still read from until the block is open. */
  const frozen: Head[] = [];
  let cutting: Promise<void> = Promise.resolve();
  let closed = false;

  const cut = (): Promise<void> => {
    cutting = cutting.then(async () => {
      if (head.spanCount > 0) {
        frozen.push(head);
        head = new Head();
        const { closedSegment, closed: segmentClosed } = wal.rotate();
        await segmentClosed;
        // Every frozen head, including any whose earlier cut failed, goes into this block:
        // the segments it lets us delete may hold their spans too.
        const pending = [...frozen];
        const traces = new Map<string, Span[]>();
        for (const part of pending) {
          for (const [traceId, spans] of part.traces) {
            const trace = traces.get(traceId);
            if (trace === undefined) traces.set(traceId, [...spans]);
            else trace.push(...spans);
          }
        }
        const path = join(blockDir, `${closedSegment.toString().padStart(16, '0')}.blk`);
        await writeBlock(path, traces);
        blocks.push(await BlockReader.open(path));
        frozen.splice(0, pending.length);
        await deleteSegmentsUpTo(walDir, closedSegment);
      }
    });
    const done = cutting;
    cutting = cutting.catch((error) => options.onError?.(error));
    return done;
  };

  const timer = setInterval(
    () => {
      if (head.spanCount > 0 && Date.now() - head.createdAt >= maxHeadAgeMs) void cut().catch(() => {});
    },
    Math.max(10, Math.min(maxHeadAgeMs, 5_000)),
  );
  timer.unref();

  const ensureOpen = (): void => {
    if (closed) throw new AriadneError('StorageFailure', 'the embedded store is closed');
  };

  const heads = (): Head[] => [head, ...frozen];

  const readTrace = async (traceId: string): Promise<Span[]> => {
    const spans: Span[] = [];
    for (const block of blocks) spans.push(...(await block.getTrace(traceId)));
    for (const part of heads()) spans.push(...(part.traces.get(traceId) ?? []));
    return spans;
  };

  /** The trace's earliest start over every part of it the store holds. */
  const traceStart = (traceId: string): bigint | undefined => {
    let start: bigint | undefined;
    for (const part of heads()) {
      for (const span of part.traces.get(traceId) ?? []) {
        if (start === undefined || span.startTimeUnixNano < start) start = span.startTimeUnixNano;
      }
    }
    for (const block of blocks) {
      const ordinal = block.find(traceId);
      if (ordinal === -1) continue;
      const blockStart = block.traceStart(ordinal);
      if (start === undefined || blockStart < start) start = blockStart;
    }
    return start;
  };

  /** From the block's summary columns when one block holds the whole trace; else from its spans. */
  const summarize = async (traceId: string): Promise<TraceSummary> => {
    const holders = blocks.filter((block) => block.find(traceId) !== -1);
    const inHead = heads().some((part) => part.traces.has(traceId));
    const [only] = holders;
    if (only !== undefined && holders.length === 1 && !inHead) return only.summary(only.find(traceId));
    return summarizeTrace(await readTrace(traceId));
  };

  return {
    async writeSpans(spans: readonly Span[]): Promise<void> {
      ensureOpen();
      if (spans.length === 0) return;
      for (const span of spans) {
        if (!isValidTraceId(span.traceId)) {
          throw new AriadneError('StorageFailure', `cannot store a span with trace id "${span.traceId}"`);
        }
      }
      // Into the head in the same tick as into the WAL queue: a cut then puts the
      // batch into the block exactly when its record lands in the segment the cut retires.
      const written = wal.append(encodeSpans(spans));
      head.add(spans);
      if (head.spanCount >= maxHeadSpans) void cut().catch(() => {});
      await written;
    },

    async getTrace(traceId: string, _timeRange?: TimeRange): Promise<Span[]> {
      ensureOpen();
      const id = normalizeTraceId(traceId);
      const spans = id === undefined ? [] : await readTrace(id);
      if (spans.length === 0) throw new AriadneError('TraceNotFound', `trace ${traceId} not found`);
      return spans;
    },

    async findTraces(query: TraceQuery): Promise<TraceSummary[]> {
      ensureOpen();
      const matches = compileSpanMatcher(query);
      const starts = new Map<string, bigint>();
      const add = (traceId: string) => {
        if (!starts.has(traceId)) starts.set(traceId, traceStart(traceId) ?? 0n);
      };
      for (const part of heads()) {
        for (const [traceId, spans] of part.traces) if (!starts.has(traceId) && spans.some(matches)) add(traceId);
      }
      // Newest blocks first, and stop once no older block can hold a trace that
      // would make the top `limit`: a trace starts no later than its spans in any block.
      const newestFirst = [...blocks].sort((a, b) => (a.maxStart > b.maxStart ? -1 : a.maxStart < b.maxStart ? 1 : 0));
      for (const block of newestFirst) {
        if (starts.size >= query.limit && block.maxStart < kthLatest([...starts.values()], query.limit)) break;
        for (const traceId of await searchBlock(block, query, matches)) add(traceId);
      }
      const ranked = [...starts].map(([traceId, startTimeUnixNano]) => ({ traceId, startTimeUnixNano }));
      return Promise.all(mostRecentTraces(ranked, query.limit).map(({ traceId }) => summarize(traceId)));
    },

    async getServices(): Promise<string[]> {
      ensureOpen();
      const services = new Set<string>();
      for (const part of heads()) for (const service of part.catalog.services()) services.add(service);
      for (const block of blocks) for (const service of block.meta.services) services.add(service);
      return [...services].sort(compareText);
    },

    async getOperations(query: OperationQuery): Promise<Operation[]> {
      ensureOpen();
      const operations = new Map<string, Operation>();
      const add = (operation: Operation) => {
        if (query.spanKind !== undefined && operation.spanKind !== query.spanKind) return;
        operations.set(`${operation.spanKind}\u0000${operation.name}`, operation);
      };
      for (const part of heads()) part.catalog.operations(query).forEach(add);
      for (const block of blocks) block.operations(query.service).forEach(add);
      return sortOperations([...operations.values()]);
    },

    async close(): Promise<void> {
      if (closed) return;
      closed = true;
      clearInterval(timer);
      // Writes already accepted finish first; the head goes into a block so the next open is fast.
      try {
        await cut();
      } finally {
        await wal.close();
        await Promise.all(blocks.map((block) => block.close()));
      }
    },
  };
}

/** The `k`-th largest value (k ≥ 1, values.length ≥ k). */
function kthLatest(values: bigint[], k: number): bigint {
  return values.sort((a, b) => (a > b ? -1 : a < b ? 1 : 0))[k - 1]!;
}
