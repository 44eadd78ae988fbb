import { type FileHandle, open, rename } from 'node:fs/promises';
import { dirname } from 'node:path';
import { promisify } from 'node:util';
import { brotliCompress, brotliDecompress, constants, crc32, deflateRaw, inflateRaw } from 'node:zlib';
import { anyValueToString, type Resource, type Span, serviceNameOf } from '@ariadne/protocol';
import {
  PARENT_BY_ID,
  PARENT_MISSING,
  PackedOutlineBuilder,
  type PackedOutlinePart,
} from '../../query/trace-view/packed-outline.js';
import {
  ERROR_KEYS,
  EVENT_KEY,
  failsAsJaegerTags,
  jaegerEventName,
  type TraceOutlineBuilder,
} from '../../query/trace-view/trace-outline.js';
import type { TimeSlices } from '../../threads/time-slices.js';
import { dedupeSpans } from '../query/dedupe-spans.js';
import { summarizeTrace } from '../query/summarize-trace.js';
import type { Operation, TraceSummary } from '../span-store.js';
import { aggregatesMemoryBytes, type BlockAggregates, decodeAggregates } from './block-aggregates.js';
import { BlockCache, type Sized } from './block-cache.js';
import { ByteReader, ByteWriter } from './byte-writer.js';
import type { IndexedSpan } from './dependency-index.js';
import { type DictionaryNames, namesFromStrings, namesFromTableBytes, namesMemoryBytes } from './dictionary-names.js';
import { fsyncDirectory } from './fsync-directory.js';
import { NamesTable } from './names-table.js';
import { OperationPool } from './operation-pool.js';
import { decodeOutlinePart, encodeOutlinePart } from './outline-part-codec.js';
import { sortedOutlinePart } from './sorted-outline-part.js';
import {
  decodeChunk,
  decodeChunkSpansWithId,
  EARLIER_ID,
  readTables,
  type SkimKeys,
  type SpanEncoder,
  type SpanTables,
  skimChunk,
  TEXT_ID_LENGTH,
  walkChunk,
} from './span-codec.js';
import { bloomKey, TraceIdBloom } from './trace-id-bloom.js';
import { TraceIndex } from './trace-index.js';

const deflate = promisify(deflateRaw);
const inflate = promisify(inflateRaw);
const brotli = promisify(brotliCompress);
const unbrotli = promisify(brotliDecompress);
/**
 * Pages (rows and columns) use Brotli at quality 4, in libuv's thread pool,
 * off the thread that takes writes. Quality 5 made pages of the standard
 * workload about 8 % smaller but took more than twice as long on text values
 * new in every span (which bodies hold in place: `Tag.Text`), where the cut
 * is what bounds ingest (measured while choosing). Small parts (metadata,
 * index) stay deflate.
 */
const compressPage = (bytes: Uint8Array) =>
  brotli(bytes, {
    params: { [constants.BROTLI_PARAM_QUALITY]: 4, [constants.BROTLI_PARAM_SIZE_HINT]: bytes.length },
  });

/**
 * Bytes a page's decompression hands back at a time: pages are cut at about
 * 1 MiB uncompressed (`PAGE_TARGET_BYTES`), so most come out in one piece,
 * and a large trace's (one chunk of up to a cut's spans, a few MiB) in a few.
 */
const PAGE_OUTPUT_CHUNK = 1024 * 1024;

/** File layout and the reasons for it: README.md. */
const MAGIC = Buffer.from('ARDNBLK2');
const FOOTER_BYTES = 8 + 4 + 8 + 4 + 4 + 4 + 8;
/** Pages compressed at once while a block is written (about 1 MB each uncompressed at most). */
const PAGES_IN_FLIGHT = 4;
/** Pages are cut at trace boundaries once they hold this many spans. */
const PAGE_TARGET_SPANS = 2_000;
/** ...or roughly this much uncompressed data (large attributes). */
const PAGE_TARGET_BYTES = 1024 * 1024;
/**
 * A trace with at least this many spans in a block gets its packed outline
 * (`PackedOutlinePart`) kept beside its rows: opening it in the web UI then
 * reads those columns rather than decompress and walk every attribute of
 * its spans (for a million spans, most of a second of CPU). About 23 bytes
 * per span on disk (the UI benchmark's deep trace, whose rows take 27), and
 * a walk and a sort of its spans while the block is written: only traces
 * this large pay either.
 */
export const OUTLINE_PART_MIN_SPANS = 1_000;
/**
 * 4: page chunks hold span bodies as the WAL encoded them, resources and
 * scopes live in the block's tables. 5: the tables are Brotli (quality 1),
 * not deflate: a head of distinct values (random ids in attributes) makes a
 * table of a million strings, which deflate took about 0.5 s to compress and
 * Brotli at quality 1 takes 0.1 s, to the same size. 6: span bodies may
 * hold text values in place (`Tag.Text`: a value new to its batch), so a
 * search for a value cannot rule a block out by its dictionary alone.
 * Versions 4 and 5 are read as they are; older blocks are refused by name.
 */
const BLOCK_VERSION = 6;
const READABLE_VERSIONS = [4, 5, 6];
/** The first block version whose bodies may hold texts in place. */
export const INLINE_TEXTS_VERSION = 6;
const compressTables = (bytes: Uint8Array) =>
  brotli(bytes, {
    params: { [constants.BROTLI_PARAM_QUALITY]: 1, [constants.BROTLI_PARAM_SIZE_HINT]: bytes.length },
  });

export interface PageMeta {
  /** Compressed span rows: one self-delimited chunk per trace. */
  readonly offset: number;
  readonly length: number;
  /** Compressed search columns, one row per span (see `SpanColumns`). */
  readonly columnsOffset: number;
  readonly columnsLength: number;
  readonly spanCount: number;
  readonly minStartNanos: string;
  readonly maxStartNanos: string;
  /** Earliest and latest trace start (within this block) of the page's traces; pages are in trace start order. */
  readonly minTraceStartNanos?: string;
  readonly maxTraceStartNanos?: string;
  /** Indexes into `BlockMeta.services`. */
  readonly services: number[];
}

export interface BlockMeta {
  readonly version: number;
  readonly spanCount: number;
  readonly traceCount: number;
  readonly minStartNanos: string;
  readonly maxStartNanos: string;
  readonly services: string[];
  /** [service index, span name, kind] */
  readonly operations: [number, string, number][];
  readonly pages: PageMeta[];
  /** The compressed tables (strings, resources, scopes) every page and summary column refers to. */
  readonly dictionaryOffset: number;
  readonly dictionaryLength: number;
  /**
   * No attribute value of the block is bytes, an array or a key-value list, so
   * every value whose text form is not a number or a boolean is a dictionary
   * string: an `=` search for a text missing from the dictionary finds nothing.
   */
  readonly textValuesOnly: boolean;
  /**
   * By key dictionary index, the numbers (int and double values) under that
   * key, or null when there were too many to list; a key not listed has none.
   * Absent from blocks written before it was kept. (`numeric-values.ts`)
   */
  readonly numericValues?: Record<string, number[] | null>;
  /** Compressed RED and dependency pre-aggregates (`block-aggregates.ts`). */
  readonly aggregatesOffset: number;
  readonly aggregatesLength: number;
  /** Blocks of the kept tier only: what compaction kept of a block and why (`compact-block.ts`). */
  readonly retention?: KeptTierMeta;
  /**
   * The packed outlines kept for the block's largest traces
   * (`OUTLINE_PART_MIN_SPANS`): trace ordinal, and offset and length of the
   * part (`outline-part-codec.ts`). Absent from blocks written before they
   * were kept, and from blocks without a trace that large.
   */
  readonly outlineParts?: [ordinal: number, offset: number, length: number][];
}

/**
 * A block of the kept tier: the traces a retention policy kept of a block past
 * the short window. Its services, operations, time range and aggregates are
 * those of the block it replaced, so RED metrics, dependencies, services and
 * operations still count every span.
 */
export interface KeptTierMeta {
  /** The policy that kept each trace, by trace ordinal (index order). */
  readonly keptBy: string[];
  /**
   * Traces with spans in other blocks when they were decided, and the decision
   * (a policy, or null: dropped): those blocks' compaction follows it, so a
   * trace is kept whole or not at all.
   */
  readonly decided: [traceId: string, policy: string | null][];
  /** A merge of kept blocks: their file names (an open that finds any still there deletes it). */
  readonly replaces?: string[];
}

/** What a compaction carries from the block it rewrites (`writeBlock`'s last argument). */
export interface InheritedBlockMeta {
  readonly services: readonly string[];
  readonly operations: readonly (readonly [number, string, number])[];
  readonly minStartNanos: string;
  readonly maxStartNanos: string;
  readonly keptBy: (traceId: string) => string;
  readonly decided: KeptTierMeta['decided'];
  readonly replaces?: readonly string[];
}

/** One trace of a cut: its spans and where each one's encoded body is (`SpanEncoder.chunk`). */
export interface CutTrace {
  readonly spans: readonly Span[];
  readonly bodies: readonly number[];
}

/** The head whose encoder and WAL records a block's pages are built from. */
export interface BlockSource {
  readonly encoder: SpanEncoder;
  readonly records: readonly Buffer[];
}

/** Per-span values a search can test without decoding span rows. */
export interface SpanColumns {
  readonly count: number;
  base: bigint;
  /** Trace ordinal within the block. */
  readonly trace: Uint32Array;
  readonly service: Uint32Array;
  /** Dictionary index of the span name. */
  readonly name: Uint32Array;
  readonly kind: Uint8Array;
  readonly status: Uint8Array;
  /** Span starts as nanoseconds after `base` (numbers: no BigInt work per span). */
  readonly start: Float64Array;
  readonly duration: Float64Array;
}

/**
 * Writes spans (grouped by trace) as an immutable block: temporary name,
 * fsync, rename, fsync of the folder, so a block either exists whole or not.
 */
export async function writeBlock(
  path: string,
  traces: ReadonlyMap<string, CutTrace>,
  source: BlockSource,
  aggregates: Uint8Array,
  /** Whether a trace may hold a span twice (absent: any may); the others' summaries skip the dedupe. */
  mayRepeat?: (traceId: string) => boolean,
  /** Gives the event loop a turn between slices of the work (absent: only between pages). */
  slices?: TimeSlices,
  /** A compaction's block: the replaced block's services, operations and time range, and why each trace is kept. */
  inherited?: InheritedBlockMeta,
): Promise<void> {
  const traceIds = [...traces.keys()].sort();
  const { encoder, records } = source;
  const dictionary = encoder.dictionary;
  const serviceTable = new NamesTable();
  const services = serviceTable.names;
  const serviceOf = (name: string) => serviceTable.indexOf(name);
  const operations: [number, string, number][] = [];
  /** Per span name, the (service, kind) pairs seen, as service · 256 + kind: no text key built per span. */
  const operationsByName = new Map<string, Set<number>>();
  if (inherited !== undefined) {
    for (const service of inherited.services) serviceOf(service);
    for (const [service, name, kind] of inherited.operations) {
      let seen = operationsByName.get(name);
      if (seen === undefined) {
        seen = new Set();
        operationsByName.set(name, seen);
      }
      seen.add(service * 256 + kind);
      operations.push([service, name, kind]);
    }
  }
  const resourceServices = new Map<Resource, number>();
  const serviceOfResource = (resource: Resource) => {
    let index = resourceServices.get(resource);
    if (index === undefined) {
      index = serviceOf(serviceNameOf(resource));
      resourceServices.set(resource, index);
    }
    return index;
  };

  const n = traceIds.length;
  const columns = {
    ids: Buffer.alloc(n * 16),
    page: Buffer.alloc(n * 4),
    offsetInPage: Buffer.alloc(n * 4),
    start: Buffer.alloc(n * 8),
    duration: Buffer.alloc(n * 8),
    spanCount: Buffer.alloc(n * 4),
    errorCount: Buffer.alloc(n * 4),
    rootService: Buffer.alloc(n * 4),
    rootName: Buffer.alloc(n * 4),
    servicesAt: Buffer.alloc(n * 4),
  };
  const serviceLists = new ByteWriter();
  const scratch = new ByteWriter(64 * 1024);

  const tmp = `${path}.tmp`;
  const handle = await open(tmp, 'w');
  try {
    let offset = 0;
    const append = async (bytes: Uint8Array) => {
      await handle.write(bytes, 0, bytes.length, offset);
      offset += bytes.length;
    };
    await append(MAGIC);
    const pages: PageMeta[] = [];
    let rows = new ByteWriter();
    let spanColumns = new ColumnsWriter();
    let pageSpans: Span[] = [];
    let pageBytes = 0;
    let pageMinTraceStart = 0n;
    let pageMaxTraceStart = 0n;
    let previousStart = 0n;
    /**
     * Pages are compressed concurrently (libuv's threads) while the next ones
     * are built, and appended in order: awaiting each page's compression
     * before building the next left the store's thread idle for most of a
     * cut. At most `PAGES_IN_FLIGHT` pages wait, which bounds the memory.
     */
    let pageWrites: Promise<void> = Promise.resolve();
    let pagesInFlight = 0;
    // A compaction's or merge's block (`inherited`) waits for each page: its compression then counts
    // in the time the compaction's slices measure, and pauses for, rather than running on libuv's
    // threads beside the store's writes outside the compaction's share.
    const pagesAtOnce = inherited === undefined ? PAGES_IN_FLIGHT : 1;
    let pageCount = 0;
    const flushPage = async () => {
      if (pageSpans.length === 0) return;
      const compressed = Promise.all([compressPage(rows.bytes()), compressPage(spanColumns.bytes())]);
      // Awaited in turn below; handled now so a failure is not reported as unhandled before then.
      compressed.catch(() => {});
      let min = pageSpans[0]!.startTimeUnixNano;
      let max = min;
      const pageServices = new Set<number>();
      for (const span of pageSpans) {
        if (span.startTimeUnixNano < min) min = span.startTimeUnixNano;
        if (span.startTimeUnixNano > max) max = span.startTimeUnixNano;
        pageServices.add(serviceOfResource(span.resource));
      }
      const spanCountOfPage = pageSpans.length;
      const minTrace = pageMinTraceStart;
      const maxTrace = pageMaxTraceStart;
      pageCount++;
      pagesInFlight++;
      pageWrites = pageWrites.then(async () => {
        const [compressedRows, compressedColumns] = await compressed;
        const rowsOffset = offset;
        await append(compressedRows);
        const columnsOffset = offset;
        await append(compressedColumns);
        pages.push({
          offset: rowsOffset,
          length: compressedRows.length,
          columnsOffset,
          columnsLength: compressedColumns.length,
          spanCount: spanCountOfPage,
          minStartNanos: min.toString(),
          maxStartNanos: max.toString(),
          minTraceStartNanos: minTrace.toString(),
          maxTraceStartNanos: maxTrace.toString(),
          services: [...pageServices].sort((a, b) => a - b),
        });
        pagesInFlight--;
      });
      pageWrites.catch(() => {});
      rows = new ByteWriter();
      spanColumns = new ColumnsWriter();
      pageSpans = [];
      pageBytes = 0;
      previousStart = 0n;
      if (pagesInFlight >= pagesAtOnce) await pageWrites;
    };

    let spanCount = 0;
    let minStart: bigint | undefined;
    let maxStart: bigint | undefined;
    // Pages hold traces in start order (the id index points into them), so a
    // search for the most recent traces reads the newest pages and stops.
    // Copies of a span (stored before the write-time dedupe could see them) count once, as reads show them.
    const summaries: TraceSummary[] = [];
    /** Appended after the pages. */
    const outlineParts: [number, Uint8Array][] = [];
    for (const traceId of traceIds) {
      const { spans } = traces.get(traceId)!;
      summaries.push(summarizeTrace(mayRepeat === undefined || mayRepeat(traceId) ? dedupeSpans(spans) : spans));
      const pause = slices?.next();
      if (pause) await pause;
    }
    const layout = traceIds.map((_, ordinal) => ordinal);
    layout.sort((a, b) => {
      const x = summaries[a]!.startTimeUnixNano;
      const y = summaries[b]!.startTimeUnixNano;
      return x < y ? -1 : x > y ? 1 : a - b;
    });
    for (const ordinal of layout) {
      const pause = slices?.next();
      if (pause) await pause;
      const traceId = traceIds[ordinal]!;
      const { spans, bodies } = traces.get(traceId)!;
      const summary = summaries[ordinal]!;
      if (pageSpans.length === 0) pageMinTraceStart = summary.startTimeUnixNano;
      pageMaxTraceStart = summary.startTimeUnixNano;
      columns.ids.write(traceId, ordinal * 16, 'hex');
      columns.page.writeUInt32LE(pageCount, ordinal * 4);
      columns.offsetInPage.writeUInt32LE(rows.length, ordinal * 4);
      columns.start.writeBigInt64LE(summary.startTimeUnixNano, ordinal * 8);
      columns.duration.writeBigInt64LE(summary.durationNanos, ordinal * 8);
      columns.spanCount.writeUInt32LE(summary.spanCount, ordinal * 4);
      columns.errorCount.writeUInt32LE(summary.errorCount, ordinal * 4);
      columns.rootService.writeUInt32LE(dictionary.indexOf(summary.rootServiceName), ordinal * 4);
      columns.rootName.writeUInt32LE(dictionary.indexOf(summary.rootSpanName), ordinal * 4);
      columns.servicesAt.writeUInt32LE(serviceLists.length, ordinal * 4);
      serviceLists.varUint(summary.services.length);
      for (const service of summary.services) {
        serviceLists.varUint(serviceOf(service.name));
        serviceLists.varUint(service.spanCount);
        serviceLists.varUint(service.errorCount);
      }
      // One chunk per trace, so that reading a trace decodes only its own rows.
      scratch.reset();
      encoder.chunk(scratch, traceId, spans, bodies, records);
      const chunk = scratch.bytes();
      rows.varUint(chunk.length);
      rows.raw(chunk);
      if (spans.length >= OUTLINE_PART_MIN_SPANS) {
        const part = outlinePartOf(chunk, encoder.tables, spans);
        if (part !== undefined) {
          outlineParts.push([ordinal, encodeOutlinePart(sortedOutlinePart(part))]);
        }
      }
      for (const span of spans) {
        const service = serviceOfResource(span.resource);
        let seen = operationsByName.get(span.name);
        if (seen === undefined) {
          seen = new Set();
          operationsByName.set(span.name, seen);
        }
        if (!seen.has(service * 256 + span.kind)) {
          seen.add(service * 256 + span.kind);
          operations.push([service, span.name, span.kind]);
        }
        if (minStart === undefined || span.startTimeUnixNano < minStart) minStart = span.startTimeUnixNano;
        if (maxStart === undefined || span.startTimeUnixNano > maxStart) maxStart = span.startTimeUnixNano;
        spanColumns.trace.varUint(ordinal);
        spanColumns.service.varUint(service);
        spanColumns.name.varUint(dictionary.indexOf(span.name));
        spanColumns.kind.u8(span.kind);
        spanColumns.status.u8(span.status.code);
        spanColumns.start.varInt64(span.startTimeUnixNano - previousStart);
        // Signed and exact: the rows leave span times to the columns.
        spanColumns.duration.varInt64(span.endTimeUnixNano - span.startTimeUnixNano);
        previousStart = span.startTimeUnixNano;
      }
      pageBytes += chunk.length;
      pageSpans.push(...spans);
      spanCount += spans.length;
      if (pageSpans.length >= PAGE_TARGET_SPANS || pageBytes >= PAGE_TARGET_BYTES) await flushPage();
    }
    await flushPage();
    await pageWrites;
    const outlinePartsAt: [number, number, number][] = [];
    for (const [ordinal, bytes] of outlineParts) {
      outlinePartsAt.push([ordinal, offset, bytes.length]);
      await append(bytes);
    }

    const dictionaryWriter = new ByteWriter();
    encoder.writeTables(dictionaryWriter);
    const dictionaryBytes = await compressTables(dictionaryWriter.bytes());
    const dictionaryOffset = offset;
    await append(dictionaryBytes);

    const aggregatesBytes = await deflate(aggregates);
    const aggregatesOffset = offset;
    await append(aggregatesBytes);

    const meta: BlockMeta = {
      version: BLOCK_VERSION,
      spanCount,
      traceCount: n,
      minStartNanos: inherited?.minStartNanos ?? (minStart ?? 0n).toString(),
      maxStartNanos: inherited?.maxStartNanos ?? (maxStart ?? 0n).toString(),
      services,
      operations,
      pages,
      dictionaryOffset,
      dictionaryLength: dictionaryBytes.length,
      aggregatesOffset,
      aggregatesLength: aggregatesBytes.length,
      textValuesOnly: !dictionary.sawNonTextValue,
      numericValues: encoder.numericValues.toMeta(),
      ...(outlinePartsAt.length === 0 ? {} : { outlineParts: outlinePartsAt }),
      ...(inherited === undefined
        ? {}
        : {
            retention: {
              keptBy: traceIds.map((id) => inherited.keptBy(id)),
              decided: inherited.decided,
              ...(inherited.replaces === undefined ? {} : { replaces: [...inherited.replaces] }),
            },
          }),
    };
    const metaBytes = await deflate(Buffer.from(JSON.stringify(meta)));
    const index = await deflate(Buffer.concat([...Object.values(columns), serviceLists.bytes()]));
    const metaOffset = offset;
    await append(metaBytes);
    const indexOffset = offset;
    await append(index);
    const footer = new ByteWriter(FOOTER_BYTES);
    footer.i64(BigInt(metaOffset));
    footer.u32(metaBytes.length);
    footer.i64(BigInt(indexOffset));
    footer.u32(index.length);
    footer.u32(n);
    footer.u32(crc32(index, crc32(metaBytes)));
    footer.raw(MAGIC);
    await append(footer.bytes());
    await handle.sync();
  } finally {
    await handle.close();
  }
  await rename(tmp, path);
  await fsyncDirectory(dirname(path));
}

/** Where a block reader keeps what it reads on demand, and the pool its operations go to. */
export interface BlockReaderOptions {
  /** Shared by the blocks of a store; absent: a cache of the default size for this block alone. */
  readonly cache?: BlockCache;
  /** Shared by the blocks of a store; absent: a pool of this block's own. */
  readonly operations?: OperationPool;
}

const TRACE_ID = /^[0-9a-f]{32}$/;
/**
 * Bytes a decoded dictionary string costs beyond its UTF-8 bytes (its object,
 * its slot in the array): measured on 20-character values (`npm run bench
 * storage/block-memory`), a dictionary of 500,000 strings holds about 33 MB.
 */
const STRING_OVERHEAD_BYTES = 48;
/** Bytes of parsed block metadata per byte of its JSON: about one (measured as above). */
const META_BYTES_PER_JSON_BYTE = 1;

/**
 * An open block. What it keeps for itself is small and about the same for
 * every block (README: "What an open block keeps"): its file handle, where
 * its metadata and trace index are, the numbers a search skips it by (time
 * range, services, its operations as ids into the store's pool) and the
 * Bloom filter of its trace ids. Its metadata (pages), trace index,
 * aggregates, dictionary and page times are read on demand into the block
 * cache the store's blocks share; pages are read from disk when needed.
 */
export class BlockReader {
  readonly #handle: FileHandle;
  readonly #cache: BlockCache;
  readonly #owner: number;
  readonly #pool: OperationPool;
  readonly #operations: Uint32Array;
  readonly #bloom: TraceIdBloom;
  readonly #metaAt: readonly [offset: number, length: number];
  readonly #indexAt: readonly [offset: number, length: number];
  readonly spanCount: number;
  readonly traceCount: number;
  readonly minStart: bigint;
  readonly maxStart: bigint;
  /** Service names: pages, service lists and aggregates name services by their index here. */
  readonly services: readonly string[];
  /** `full`: every span as it came; `kept`: what a retention policy kept of a block past the short window. */
  readonly tier: 'full' | 'kept';
  #closed = false;

  private constructor(
    readonly path: string,
    handle: FileHandle,
    options: BlockReaderOptions,
    at: { meta: readonly [number, number]; index: readonly [number, number] },
    meta: BlockMeta,
    index: TraceIndex,
  ) {
    this.#handle = handle;
    this.#cache = options.cache ?? new BlockCache();
    this.#owner = this.#cache.newOwner();
    this.#pool = options.operations ?? new OperationPool();
    this.#metaAt = at.meta;
    this.#indexAt = at.index;
    const { services, operations } = meta;
    this.spanCount = meta.spanCount;
    this.traceCount = meta.traceCount;
    this.minStart = BigInt(meta.minStartNanos);
    this.maxStart = BigInt(meta.maxStartNanos);
    this.services = services;
    this.tier = meta.retention === undefined ? 'full' : 'kept';
    this.#operations = this.#pool.add(operations.map(([service, name, kind]) => [services[service]!, name, kind]));
    // The metadata and index read to open the block are not kept: a block no one reads costs only
    // what it keeps itself, and the cache fills with what reads use.
    this.#bloom = new TraceIdBloom(index.ids, this.traceCount);
  }

  static async open(path: string, options: BlockReaderOptions = {}): Promise<BlockReader> {
    const handle = await open(path, 'r');
    try {
      const { size } = await handle.stat();
      if (size < MAGIC.length + FOOTER_BYTES) throw new Error('block file too short');
      const footer = await readAt(handle, size - FOOTER_BYTES, FOOTER_BYTES);
      if (!footer.subarray(FOOTER_BYTES - 8).equals(MAGIC)) throw new Error('block footer magic missing');
      const metaAt = [Number(footer.readBigInt64LE(0)), footer.readUInt32LE(8)] as const;
      const indexAt = [Number(footer.readBigInt64LE(12)), footer.readUInt32LE(20)] as const;
      const metaBytes = await readAt(handle, ...metaAt);
      const indexBytes = await readAt(handle, ...indexAt);
      if (crc32(indexBytes, crc32(metaBytes)) !== footer.readUInt32LE(28)) {
        throw new Error('block index checksum mismatch');
      }
      const meta = parseMeta(await inflate(metaBytes)).value;
      const index = new TraceIndex(await inflate(indexBytes), meta.traceCount);
      return new BlockReader(path, handle, options, { meta: metaAt, index: indexAt }, meta, index);
    } catch (error) {
      await handle.close();
      throw new Error(`cannot open block ${path}: ${error instanceof Error ? error.message : String(error)}`, {
        cause: error,
      });
    }
  }

  /** A value of this block from the cache, loaded when it is not there (and not kept once the block is closed). */
  #cached<T>(kind: string, load: () => Promise<Sized<T>>): Promise<T> {
    if (this.#closed) return load().then(({ value }) => value);
    return this.#cache.get(this.#owner, kind, load);
  }

  /** The block's metadata: counts, services, operations, per-page metadata (`BlockMeta`). */
  meta(): Promise<BlockMeta> {
    return this.#cached('meta', async () => parseMeta(await inflate(await readAt(this.#handle, ...this.#metaAt))));
  }

  /** The block's trace index: ids, pages, offsets, summary columns (`TraceIndex`). */
  traceIndex(): Promise<TraceIndex> {
    return this.#cached('index', async () => {
      const index = new TraceIndex(await inflate(await readAt(this.#handle, ...this.#indexAt)), this.traceCount);
      return { value: index, bytes: index.memoryBytes };
    });
  }

  /** The trace index when the cache holds it: a search's hot path stays free of awaits. */
  cachedTraceIndex(): TraceIndex | undefined {
    return this.#closed ? undefined : this.#cache.hit<TraceIndex>(this.#owner, 'index');
  }

  hasService(service: string): boolean {
    return this.services.includes(service);
  }

  hasOperationName(name: string): boolean {
    for (const id of this.#operations) if (this.#pool.nameOf(id) === name) return true;
    return false;
  }

  operations(service: string): Operation[] {
    const operations: Operation[] = [];
    for (const id of this.#operations) {
      const operation = this.#pool.operationOf(id, service);
      if (operation !== undefined) operations.push(operation);
    }
    return operations;
  }

  async dictionary(): Promise<readonly string[]> {
    return (await this.#loadTables()).strings;
  }

  #loadTables(): Promise<SpanTables> {
    return this.#cached('tables', async () => {
      const bytes = await this.#tableBytes();
      const tables = readTables(new ByteReader(bytes));
      const others = tables.resources.length + tables.scopes.length;
      return { value: tables, bytes: bytes.length + tables.strings.length * STRING_OVERHEAD_BYTES + others * 512 };
    });
  }

  /** The tables (strings, resources, scopes) as stored, decompressed. */
  async #tableBytes(): Promise<Buffer> {
    const meta = await this.meta();
    const compressed = await readAt(this.#handle, meta.dictionaryOffset, meta.dictionaryLength);
    return meta.version >= 5 ? unbrotli(compressed) : inflate(compressed);
  }

  /**
   * Root names of the summary columns and indexes of the operation names and
   * services (`DictionaryNames`): what a search without attribute predicates
   * needs of the dictionary, without loading the whole of it.
   */
  #names(tableBytes = () => this.#tableBytes()): Promise<DictionaryNames> {
    return this.#cached('names', async () => {
      const [meta, index] = await Promise.all([this.meta(), this.traceIndex()]);
      const texts = new Set([...meta.services, ...meta.operations.map(([, name]) => name)]);
      const indexes = index.rootStrings();
      const loaded = this.#cache.peek<SpanTables>(this.#owner, 'tables');
      const names =
        loaded === undefined
          ? namesFromTableBytes(await tableBytes(), indexes, texts)
          : namesFromStrings(loaded.strings, indexes, texts);
      return { value: names, bytes: namesMemoryBytes(names) };
    });
  }

  /** The block's pre-aggregates (a few kilobytes per block), through the block cache. */
  aggregates(): Promise<BlockAggregates> {
    return this.#cached('aggregates', async () => {
      const meta = await this.meta();
      const aggregates = decodeAggregates(
        await inflate(await readAt(this.#handle, meta.aggregatesOffset, meta.aggregatesLength)),
      );
      return { value: aggregates, bytes: aggregatesMemoryBytes(aggregates) };
    });
  }

  /**
   * The answers of recent dictionary lookups (`stringIndex`, `hasResourceAttribute`),
   * a few hundred at most: a search repeated over many blocks asks each the same
   * few questions, and most blocks answer "not here" from this without their dictionary.
   */
  #lookups(): Promise<Map<string, number | boolean>> {
    return this.#cached('lookups', async () => ({ value: new Map(), bytes: LOOKUPS_BYTES }));
  }

  /** Whether a resource of the block has an attribute under this key whose text form is this value (as `=` compares). */
  async hasResourceAttribute(key: string, value: string): Promise<boolean> {
    const lookups = await this.#lookups();
    const question = `r\u0000${key}\u0000${value}`;
    const known = lookups.get(question);
    if (typeof known === 'boolean') return known;
    const { resources } = await this.#loadTables();
    const answer = resources.some((resource) =>
      resource.attributes.some((attribute) => attribute.key === key && anyValueToString(attribute.value) === value),
    );
    remember(lookups, question, answer);
    return answer;
  }

  /**
   * The dictionary index of a text, or -1 when no page or column of this block
   * uses it. (The dictionary is the head's: a text in it may still be unused here.)
   * Operation names and services come from the block's names; other texts from
   * the loaded dictionary, or else from a scan of its bytes that makes no string
   * of the others (a dictionary may hold a million: random attribute values).
   */
  async stringIndex(text: string): Promise<number> {
    return (await this.stringIndexes([text])).get(text) ?? -1;
  }

  /** `stringIndex` of several texts, the dictionary read at most once for all of them. */
  async stringIndexes(texts: readonly string[]): Promise<ReadonlyMap<string, number>> {
    const answers = new Map<string, number>();
    if (texts.length === 0) return answers;
    // The dictionary's bytes read once for the names and the other texts, when both need them.
    let bytes: Promise<Buffer> | undefined;
    const tableBytes = () => {
      bytes ??= this.#tableBytes();
      return bytes;
    };
    const names = await this.#names(tableBytes);
    const lookups = await this.#lookups();
    const missing = new Set<string>();
    for (const text of texts) {
      const known = names.byText.get(text) ?? lookups.get(`s\u0000${text}`);
      if (typeof known === 'number') answers.set(text, known);
      else missing.add(text);
    }
    if (missing.size === 0) return answers;
    const loaded = this.#cache.peek<SpanTables>(this.#owner, 'tables');
    const found =
      loaded !== undefined
        ? namesFromStrings(loaded.strings, new Set(), missing).byText
        : namesFromTableBytes(await tableBytes(), new Set(), missing).byText;
    for (const text of missing) {
      const answer = found.get(text) ?? -1;
      answers.set(text, answer);
      remember(lookups, `s\u0000${text}`, answer);
    }
    return answers;
  }

  /** False when the block surely does not hold the trace; true when it may. */
  mayContain(traceId: string): boolean {
    return this.#bloom.mayContainKey(bloomKey(traceId));
  }

  /** `mayContain` with the id's words parsed once for many blocks (`bloomKey`). */
  mayContainKey(key: readonly number[]): boolean {
    return this.#bloom.mayContainKey(key);
  }

  /** The trace's ordinal in the block's trace index, or -1 (the Bloom filter first: most blocks answer without their index). */
  async find(traceId: string): Promise<number> {
    if (!TRACE_ID.test(traceId) || !this.mayContain(traceId)) return -1;
    return (await this.traceIndex()).find(traceId);
  }

  /** The trace's summary from the index columns alone: right when the block holds the whole trace. */
  async summary(ordinal: number): Promise<TraceSummary> {
    const [index, names] = await Promise.all([this.traceIndex(), this.#names()]);
    const summary = index.summary(ordinal, this.services, (at) => {
      const text = names.byIndex.get(at);
      if (text === undefined) throw new RangeError(`block ${this.path}: root name ${at} not in its dictionary`);
      return text;
    });
    if (this.tier === 'full') return summary;
    return { ...summary, retention: { tier: 'kept', keptBy: await this.keptBy(ordinal) } };
  }

  /** The policy that kept the trace at this ordinal (a block of the kept tier). */
  async keptBy(ordinal: number): Promise<string> {
    return (await this.meta()).retention?.keptBy[ordinal] ?? 'unknown';
  }

  /** The aggregates as stored, decompressed: a compaction carries them over unchanged. */
  async aggregateBytes(): Promise<Buffer> {
    const meta = await this.meta();
    return inflate(await readAt(this.#handle, meta.aggregatesOffset, meta.aggregatesLength));
  }

  /** The decompressed span rows of a page (one length-prefixed chunk per trace). */
  pageRows(page: number): Promise<Buffer> {
    return this.#pageRows(page);
  }

  /** Decodes the spans of a trace (its chunk in the page's rows, read with `pageRows`). */
  async decodeTrace(page: number, rows: Buffer, ordinal: number): Promise<Span[]> {
    const [tables, times, index] = await Promise.all([this.#loadTables(), this.#pageTimes(page), this.traceIndex()]);
    const reader = new ByteReader(rows);
    reader.offset = index.offsetOf(ordinal);
    const chunk = reader.raw(reader.varUint());
    return decodeChunk(chunk, tables, { ...times, first: times.trace.indexOf(ordinal) });
  }

  /** Exact span times of a page and the trace ordinal of each span (rows leave times out). */
  #pageTimes(page: number): Promise<PageTimes> {
    // A search decodes several traces of one page in a row: the page's times are kept in the cache.
    return this.#cached(`times:${page}`, async () => {
      const times = await this.#readPageTimes(page);
      return { value: times, bytes: 256 + times.trace.length * PAGE_TIME_BYTES };
    });
  }

  /** The page's column readers that span times come from: trace ordinals, start deltas, durations. */
  async #timeColumns(
    page: number,
  ): Promise<{ count: number; traces: ByteReader; starts: ByteReader; durations: ByteReader }> {
    const meta = await this.#page(page);
    const raw = await this.#decompressPage(await readAt(this.#handle, meta.columnsOffset, meta.columnsLength));
    const [traces, , , , , starts, durations] = ColumnsWriter.fields(new ByteReader(raw)) as ByteReader[];
    if (traces === undefined || starts === undefined || durations === undefined)
      throw new RangeError('page columns missing');
    return { count: meta.spanCount, traces, starts, durations };
  }

  async #readPageTimes(page: number): Promise<PageTimes> {
    const { count, traces, starts, durations } = await this.#timeColumns(page);
    const trace = new Uint32Array(count);
    const start: bigint[] = new Array(count);
    const end: bigint[] = new Array(count);
    let at = 0n;
    for (let i = 0; i < count; i++) {
      trace[i] = traces.varUint();
      at += starts.varInt64();
      start[i] = at;
      end[i] = at + durations.varInt64();
    }
    return { trace, start, end };
  }

  async #pageRows(page: number): Promise<Buffer> {
    const meta = await this.#page(page);
    return this.#decompressPage(await readAt(this.#handle, meta.offset, meta.length));
  }

  #decompressPage(bytes: Buffer): Promise<Buffer> {
    // Out in pieces of `PAGE_OUTPUT_CHUNK`: with zlib's 16 KiB, a page of a large trace came back
    // in hundreds of pieces, each a turn of this thread, an allocation and a copy.
    return unbrotli(bytes, { chunkSize: PAGE_OUTPUT_CHUNK });
  }

  async #page(page: number): Promise<PageMeta> {
    const meta = (await this.meta()).pages[page];
    if (meta === undefined) throw new RangeError(`block ${this.path} has no page ${page}`);
    return meta;
  }

  /** Every span of a page, in trace order. */
  async readPage(page: number): Promise<Span[]> {
    const [rows, tables, times] = await Promise.all([this.#pageRows(page), this.#loadTables(), this.#pageTimes(page)]);
    const reader = new ByteReader(rows);
    const spans: Span[] = [];
    while (reader.offset < rows.length) {
      const length = reader.varUint();
      const chunk = reader.raw(length);
      const decoded = decodeChunk(chunk, tables, { ...times, first: spans.length });
      for (const span of decoded) spans.push(span);
    }
    return spans;
  }

  async readColumns(page: number): Promise<SpanColumns> {
    const meta = await this.#page(page);
    const reader = new ByteReader(
      await this.#decompressPage(await readAt(this.#handle, meta.columnsOffset, meta.columnsLength)),
    );
    const count = meta.spanCount;
    const columns: SpanColumns = {
      count,
      trace: new Uint32Array(count),
      service: new Uint32Array(count),
      name: new Uint32Array(count),
      kind: new Uint8Array(count),
      status: new Uint8Array(count),
      base: 0n,
      start: new Float64Array(count),
      duration: new Float64Array(count),
    };
    // The first start is absolute (the base), the others deltas from the previous span.
    const [trace, service, name, kind, status, starts, duration] = ColumnsWriter.fields(reader) as [
      ByteReader,
      ByteReader,
      ByteReader,
      ByteReader,
      ByteReader,
      ByteReader,
      ByteReader,
    ];
    let start = 0;
    for (let i = 0; i < count; i++) {
      columns.trace[i] = trace.varUint();
      columns.service[i] = service.varUint();
      columns.name[i] = name.varUint();
      columns.kind[i] = kind.u8();
      columns.status[i] = status.u8();
      if (i === 0) columns.base = starts.varInt64();
      else start += starts.varIntNumber() ?? Number(starts.varInt64());
      columns.start[i] = start;
      // Searches compare durations as `durationNanosOf` does: a span ending before it starts lasts 0.
      columns.duration[i] = Math.max(0, duration.varIntNumber() ?? Number(duration.varInt64()));
    }
    return columns;
  }

  /** The trace's spans in this block; `[]` when it has none. */
  async getTrace(traceId: string): Promise<Span[]> {
    const ordinal = await this.find(traceId);
    if (ordinal === -1) return [];
    const page = (await this.traceIndex()).pageOf(ordinal);
    return this.decodeTrace(page, await this.#pageRows(page), ordinal);
  }

  /** The trace's spans in this block with this span id, decoded without decoding the trace's other spans. */
  async spansWithId(traceId: string, spanId: string): Promise<Span[]> {
    const ordinal = await this.find(traceId);
    if (ordinal === -1) return [];
    const index = await this.traceIndex();
    const page = index.pageOf(ordinal);
    const [rows, tables, times] = await Promise.all([this.#pageRows(page), this.#loadTables(), this.#pageTimes(page)]);
    const reader = new ByteReader(rows);
    reader.offset = index.offsetOf(ordinal);
    const chunk = reader.raw(reader.varUint());
    return decodeChunkSpansWithId(chunk, tables, { ...times, first: times.trace.indexOf(ordinal) }, spanId);
  }

  /**
   * Adds the trace's spans in this block to an outline, read from the page's
   * columns and a skim of its chunk (no span objects); false when the block
   * has none of them.
   */
  async outlineTrace(traceId: string, outline: TraceOutlineBuilder): Promise<boolean> {
    const loaded = await this.loadTrace(traceId);
    if (loaded === undefined) return false;
    const { chunk, tables, times, first } = loaded;
    if (outline.traceId === '') outline.traceId = traceId;
    // Positions in the chunk are offsets from where its spans start in the outline.
    const base = outline.spanCount;
    // The start of the span being read, as whole microseconds and the nanoseconds past them.
    let micros = 0;
    let rest = 0;
    skimChunk(chunk, tables, OUTLINE_KEYS, {
      span(position, spanId, parentSpanId, parentPosition, name, resource, status, values) {
        const at = first + position;
        if (first === -1 || at >= times.count) throw new RangeError('span times out of range');
        micros = times.startMicros[at] as number;
        rest = times.startRest[at] as number;
        outline.addSpan(
          spanId,
          parentSpanId,
          micros,
          times.durationMicros[at] as number,
          outline.serviceOf(resource),
          outline.intern(name),
          failsAsJaegerTags(status, values[0], values[1]),
          parentPosition === -1 ? -1 : base + parentPosition,
        );
      },
      event: (offset, name, value) => outline.addEvent(microsAfter(micros, rest, offset), jaegerEventName(name, value)),
    });
    return true;
  }

  /**
   * What `packTrace` reads of the trace: its chunk, the page's times and the
   * tables, from disk or the cache; undefined when the block has none of its
   * spans.
   */
  async loadTrace(traceId: string): Promise<LoadedTrace | undefined> {
    const ordinal = await this.find(traceId);
    if (ordinal === -1) return undefined;
    const index = await this.traceIndex();
    const page = index.pageOf(ordinal);
    const [rows, tables, times] = await Promise.all([this.#pageRows(page), this.#loadTables(), this.#pageMicros(page)]);
    const reader = new ByteReader(rows);
    reader.offset = index.offsetOf(ordinal);
    return { chunk: reader.raw(reader.varUint()), tables, times, first: times.trace.indexOf(ordinal) };
  }

  /**
   * What a packed outline reads of the trace in this block: the part kept
   * beside the rows when the block has one for it (`OUTLINE_PART_MIN_SPANS`),
   * else its chunk as `loadTrace` gives it (`packTrace` walks that);
   * undefined when the block has none of its spans.
   */
  async loadPackable(traceId: string): Promise<PackedOutlinePart | LoadedTrace | undefined> {
    const ordinal = await this.find(traceId);
    if (ordinal === -1) return undefined;
    const kept = (await this.meta()).outlineParts?.find(([at]) => at === ordinal);
    if (kept === undefined) return this.loadTrace(traceId);
    const [, offset, length] = kept;
    // Not compressed (`outline-part-codec.ts`): no page is decompressed for it.
    return decodeOutlinePart(await readAt(this.#handle, offset, length));
  }

  /** Traces of this block whose packed outline is kept beside their rows. */
  async outlinePartCount(): Promise<number> {
    return (await this.meta()).outlineParts?.length ?? 0;
  }

  /**
   * Adds the trace's spans in this block (`loadTrace`) to a packed outline,
   * as `outlineTrace` adds them to an outline but with ids as numbers.
   */
  packTrace(packed: PackedOutlineBuilder, { chunk, tables, times, first }: LoadedTrace): void {
    packChunk(packed, chunk, tables, times, first);
  }

  /**
   * Every span of the block, trace by trace, as the dependency index reads
   * them: ids, resource, status and start, skimmed (`skimChunk`) rather than
   * decoded. For rebuilding that index at open.
   */
  async forEachTrace(visit: (traceId: string, spans: IndexedSpan[]) => void): Promise<void> {
    // Held for the whole walk, whatever the cache evicts meanwhile. The dictionary is read for this
    // walk alone (at open, before any query): it would only push what queries use out of the cache.
    const [{ pages }, index] = await Promise.all([this.meta(), this.traceIndex()]);
    const tables =
      this.#cache.peek<SpanTables>(this.#owner, 'tables') ?? readTables(new ByteReader(await this.#tableBytes()));
    for (let page = 0; page < pages.length; page++) {
      const [rows, times] = await Promise.all([this.#pageRows(page), this.#readPageTimes(page)]);
      const reader = new ByteReader(rows);
      // Chunks and the page's columns list the spans in the same order.
      let first = 0;
      while (reader.offset < rows.length) {
        const chunk = reader.raw(reader.varUint());
        const ordinal = times.trace[first];
        if (ordinal === undefined) throw new RangeError('span times out of range');
        const spans: IndexedSpan[] = [];
        const at = first;
        skimChunk(chunk, tables, NO_SKIM_KEYS, {
          span(position, spanId, parentSpanId, _parentPosition, _name, resource, status) {
            const startTimeUnixNano = times.start[at + position];
            if (startTimeUnixNano === undefined) throw new RangeError('span times out of range');
            spans.push({ spanId, parentSpanId, resource, startTimeUnixNano, status: { code: status } });
          },
          event: () => false,
        });
        first += spans.length;
        visit(index.traceId(ordinal), spans);
      }
    }
  }

  /**
   * The page's span times in whole microseconds (floored: the Jaeger API's
   * truncation for times after 1970) and the trace ordinal of each span,
   * computed on numbers: exact, without a BigInt per span.
   */
  async #pageMicros(page: number): Promise<PageMicros> {
    const { count, traces, starts, durations } = await this.#timeColumns(page);
    const times: PageMicros = {
      count,
      trace: new Uint32Array(count),
      startMicros: new Float64Array(count),
      startRest: new Uint16Array(count),
      durationMicros: new Float64Array(count),
    };
    // Starts are deltas from the previous span's (the first from 0).
    let micros = 0;
    let rest = 0;
    for (let i = 0; i < count; i++) {
      times.trace[i] = traces.varUint();
      const delta = starts.varIntNumber();
      const sum = delta === undefined ? Number.NaN : rest + delta;
      if (Math.abs(sum) <= Number.MAX_SAFE_INTEGER) {
        const carry = Math.floor(sum / 1000);
        micros += carry;
        rest = sum - carry * 1000;
      } else {
        const nanos = BigInt(micros) * 1000n + BigInt(rest) + (delta === undefined ? starts.varInt64() : BigInt(delta));
        [micros, rest] = splitMicros(nanos);
      }
      times.startMicros[i] = micros;
      times.startRest[i] = rest;
      const duration = durations.varIntNumber();
      if (duration !== undefined) times.durationMicros[i] = duration <= 0 ? 0 : Math.floor(duration / 1000);
      else {
        const exact = durations.varInt64();
        times.durationMicros[i] = exact <= 0n ? 0 : Number(exact / 1000n);
      }
    }
    return times;
  }

  /** Closes the file and forgets what the cache holds of the block. */
  close(): Promise<void> {
    if (this.#closed) return Promise.resolve();
    this.#closed = true;
    this.#cache.drop(this.#owner);
    this.#pool.release(this.#operations);
    return this.#handle.close();
  }
}

const OUTLINE_KEYS: SkimKeys = { span: ERROR_KEYS, event: EVENT_KEY };
/**
 * No attribute value wanted: no span keys, and an event key no span sends
 * (not '', which a dictionary may hold), so events' values are stepped over.
 */
const NO_SKIM_KEYS: SkimKeys = { span: [], event: '\u0000no key' };

/** A trace's chunk in a block, and what its spans' times and texts are read from (`BlockReader.loadTrace`). */
export interface LoadedTrace {
  readonly chunk: Buffer;
  readonly tables: SpanTables;
  readonly times: PageMicros;
  /** The position of the chunk's first span in the page's times. */
  readonly first: number;
}

/** Span times in whole microseconds (floored), as the Jaeger API gives them. */
interface SpanMicros {
  readonly count: number;
  readonly startMicros: Float64Array;
  /** Nanoseconds past `startMicros` (0 to 999). */
  readonly startRest: Uint16Array;
  readonly durationMicros: Float64Array;
}

interface PageMicros extends SpanMicros {
  readonly trace: Uint32Array;
}

/**
 * A trace's packed outline part from the chunk just encoded for it, with
 * the times its spans carry (the page's columns hold the same); undefined
 * when a span id is not 8 bytes (the trace is outlined the plain way).
 */
function outlinePartOf(chunk: Buffer, tables: SpanTables, spans: readonly Span[]): PackedOutlinePart | undefined {
  const count = spans.length;
  const times: SpanMicros = {
    count,
    startMicros: new Float64Array(count),
    startRest: new Uint16Array(count),
    durationMicros: new Float64Array(count),
  };
  for (let i = 0; i < count; i++) {
    const span = spans[i] as Span;
    const [micros, rest] = splitMicros(span.startTimeUnixNano);
    times.startMicros[i] = micros;
    times.startRest[i] = rest;
    const duration = span.endTimeUnixNano - span.startTimeUnixNano;
    times.durationMicros[i] = duration <= 0n ? 0 : Number(duration / 1000n);
  }
  const packed = new PackedOutlineBuilder(count);
  packChunk(packed, chunk, tables, times, 0);
  return packed.part();
}

/**
 * Adds a chunk's spans to a packed outline, as `outlineTrace` adds them to an
 * outline but with ids as numbers: `times` holds the chunk's span times from
 * `first` on (a page's, or the spans' own while the block is written).
 */
function packChunk(
  packed: PackedOutlineBuilder,
  chunk: Buffer,
  tables: SpanTables,
  times: SpanMicros,
  first: number,
): void {
  const base = packed.spanCount;
  const { strings, resources } = tables;
  const nameIndexes = packed.indexesOf(strings);
  const serviceIndexes = packed.indexesOf(resources);
  let micros = 0;
  let rest = 0;
  walkChunk(chunk, tables, OUTLINE_KEYS, {
    span(position, idAt, idLength, parentAt, parentLength, name, resource, status, values) {
      const at = first + position;
      if (first === -1 || at >= times.count) throw new RangeError('span times out of range');
      // Ids of other lengths, or kept as text: the trace is outlined the plain way.
      if (idLength !== 8) packed.refuse();
      micros = times.startMicros[at] as number;
      rest = times.startRest[at] as number;
      let parent = PARENT_BY_ID;
      if (parentLength === EARLIER_ID) parent = base + parentAt;
      else if (parentLength === 0) parent = -1;
      else if (parentLength !== 8) parent = PARENT_MISSING;
      packed.addSpan(
        idLength === 8 ? wordAt(chunk, idAt) : 0,
        idLength === 8 ? wordAt(chunk, idAt + 4) : 0,
        parent,
        parent === PARENT_BY_ID ? wordAt(chunk, parentAt) : 0,
        parent === PARENT_BY_ID ? wordAt(chunk, parentAt + 4) : 0,
        micros,
        times.durationMicros[at] as number,
        (serviceIndexes[resource] as number) >= 0
          ? (serviceIndexes[resource] as number)
          : packed.internAt(serviceIndexes, resource, serviceNameOf(resources[resource] as Resource)),
        (nameIndexes[name] as number) >= 0
          ? (nameIndexes[name] as number)
          : packed.internAt(nameIndexes, name, strings[name]),
        failsAsJaegerTags(status, values[0], values[1]),
        parent === PARENT_MISSING
          ? parentLength === TEXT_ID_LENGTH
            ? (strings[parentAt] ?? '')
            : chunk.toString('hex', parentAt, parentAt + parentLength)
          : '',
      );
    },
    event: (offset, name, value) =>
      packed.addEvent(microsAfter(micros, rest, offset), jaegerEventName(strings[name] ?? '', value)),
  });
}

/** Four bytes the walk already bounds-checked, big-endian: without `readUInt32BE`'s checks, a million times. */
function wordAt(bytes: Buffer, at: number): number {
  return (
    (((bytes[at] as number) << 24) |
      ((bytes[at + 1] as number) << 16) |
      ((bytes[at + 2] as number) << 8) |
      (bytes[at + 3] as number)) >>>
    0
  );
}

/** Floored microseconds and the nanoseconds past them. */
function splitMicros(nanos: bigint): [number, number] {
  let micros = nanos / 1000n;
  let rest = nanos % 1000n;
  if (rest < 0n) {
    micros -= 1n;
    rest += 1000n;
  }
  return [Number(micros), Number(rest)];
}

/** Floored microseconds of a time `offset` nanoseconds after `micros` µs and `rest` ns. */
function microsAfter(micros: number, rest: number, offset: number | bigint): number {
  if (typeof offset === 'number' && Math.abs(rest + offset) <= Number.MAX_SAFE_INTEGER) {
    return micros + Math.floor((rest + offset) / 1000);
  }
  return splitMicros(BigInt(micros) * 1000n + BigInt(rest) + BigInt(offset))[0];
}

/** Memory of a page's times per span: an ordinal (4 bytes) and two BigInts with their array slots. */
const PAGE_TIME_BYTES = 4 + 2 * 40;

interface PageTimes {
  readonly trace: Uint32Array;
  readonly start: bigint[];
  readonly end: bigint[];
}

/**
 * Search columns stored field by field (all trace ordinals, then all services,
 * ...): like values sit together and compress far better than span by span.
 * Layout: 7 × varuint byte length, then the 7 fields.
 */
class ColumnsWriter {
  readonly trace = new ByteWriter(8 * 1024);
  readonly service = new ByteWriter(4 * 1024);
  readonly name = new ByteWriter(4 * 1024);
  readonly kind = new ByteWriter(4 * 1024);
  readonly status = new ByteWriter(4 * 1024);
  readonly start = new ByteWriter(8 * 1024);
  readonly duration = new ByteWriter(8 * 1024);

  #all(): ByteWriter[] {
    return [this.trace, this.service, this.name, this.kind, this.status, this.start, this.duration];
  }

  bytes(): Buffer {
    const header = new ByteWriter(64);
    for (const field of this.#all()) header.varUint(field.length);
    return Buffer.concat([header.bytes(), ...this.#all().map((field) => field.bytes())]);
  }

  /** One reader per field, in the writer's order. */
  static fields(reader: ByteReader): ByteReader[] {
    const lengths = Array.from({ length: 7 }, () => reader.varUint());
    return lengths.map((length) => new ByteReader(reader.raw(length)));
  }
}

/** Parsed block metadata and about the memory it holds; a format this version cannot read is refused by name. */
function parseMeta(json: Buffer): Sized<BlockMeta> {
  const meta = JSON.parse(json.toString('utf8')) as BlockMeta;
  if (!READABLE_VERSIONS.includes(meta.version)) {
    throw new Error(
      `block format version ${meta.version} is not readable by this version of Ariadne (it reads versions ${READABLE_VERSIONS.join(', ')}); ` +
        'move the block away or read it with the Ariadne that wrote it',
    );
  }
  return { value: meta, bytes: json.length * META_BYTES_PER_JSON_BYTE };
}

/** How many answers a block's lookups keep, and what the cache counts for them (long texts: more). */
const LOOKUPS_KEPT = 256;
const LOOKUPS_BYTES = LOOKUPS_KEPT * 128;

/** Keeps an answer, forgetting the oldest past `LOOKUPS_KEPT` (texts of queries are short, but any text may come). */
function remember(lookups: Map<string, number | boolean>, question: string, answer: number | boolean): void {
  if (question.length > 256) return;
  lookups.set(question, answer);
  if (lookups.size > LOOKUPS_KEPT) lookups.delete(lookups.keys().next().value!);
}

async function readAt(handle: FileHandle, position: number, length: number): Promise<Buffer> {
  const buffer = Buffer.alloc(length);
  const { bytesRead } = await handle.read(buffer, 0, length, position);
  if (bytesRead !== length) throw new Error(`short read at ${position}`);
  return buffer;
}
