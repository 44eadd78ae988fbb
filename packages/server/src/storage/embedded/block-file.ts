import { type FileHandle, open, rename } from 'node:fs/promises';
import { dirname } from 'node:path';
import { promisify } from 'node:util';
import { brotliCompress, brotliDecompress, constants, crc32, deflateRaw, inflateRaw } from 'node:zlib';
import { anyValueToString, type Resource, type Span, type SpanKind, serviceNameOf } from '@ariadne/protocol';
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
import { type BlockAggregates, decodeAggregates } from './block-aggregates.js';
import { ByteReader, ByteWriter } from './byte-writer.js';
import type { IndexedSpan } from './dependency-index.js';
import { fsyncDirectory } from './fsync-directory.js';
import {
  decodeChunk,
  decodeChunkSpansWithId,
  readTables,
  type SkimKeys,
  type SpanEncoder,
  type SpanTables,
  skimChunk,
} from './span-codec.js';

const deflate = promisify(deflateRaw);
const inflate = promisify(inflateRaw);
const brotli = promisify(brotliCompress);
const unbrotli = promisify(brotliDecompress);
/**
 * Pages (rows and columns) use Brotli at quality 4: about 10% smaller than
 * deflate, and it runs in libuv's thread pool, off the thread that takes
 * writes. Quality 5 made pages of the standard workload 8 % smaller but took
 * 2.3 times as long on text values new in every span (which bodies hold in
 * place: `Tag.Text`), where the cut is what bounds ingest. Small parts
 * (metadata, index) stay deflate.
 */
const compressPage = (bytes: Uint8Array) =>
  brotli(bytes, {
    params: { [constants.BROTLI_PARAM_QUALITY]: 4, [constants.BROTLI_PARAM_SIZE_HINT]: bytes.length },
  });

/** File layout and the reasons for it: README.md. */
const MAGIC = Buffer.from('ARDNBLK2');
const FOOTER_BYTES = 8 + 4 + 8 + 4 + 4 + 4 + 8;
/** Pages are cut at trace boundaries once they hold this many spans. */
const PAGE_TARGET_SPANS = 2_000;
/** ...or roughly this much uncompressed data (large attributes). */
const PAGE_TARGET_BYTES = 1024 * 1024;
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
): Promise<void> {
  const traceIds = [...traces.keys()].sort();
  const { encoder, records } = source;
  const dictionary = encoder.dictionary;
  const services: string[] = [];
  const serviceIndex = new Map<string, number>();
  const serviceOf = (name: string) => {
    let index = serviceIndex.get(name);
    if (index === undefined) {
      index = services.length;
      services.push(name);
      serviceIndex.set(name, index);
    }
    return index;
  };
  const operations: [number, string, number][] = [];
  /** Per span name, the (service, kind) pairs seen, as service · 256 + kind: no text key built per span. */
  const operationsByName = new Map<string, Set<number>>();
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
    const flushPage = async () => {
      if (pageSpans.length === 0) return;
      const [compressedRows, compressedColumns] = await Promise.all([
        compressPage(rows.bytes()),
        compressPage(spanColumns.bytes()),
      ]);
      let min = pageSpans[0]!.startTimeUnixNano;
      let max = min;
      const pageServices = new Set<number>();
      for (const span of pageSpans) {
        if (span.startTimeUnixNano < min) min = span.startTimeUnixNano;
        if (span.startTimeUnixNano > max) max = span.startTimeUnixNano;
        pageServices.add(serviceOfResource(span.resource));
      }
      const rowsOffset = offset;
      await append(compressedRows);
      const columnsOffset = offset;
      await append(compressedColumns);
      pages.push({
        offset: rowsOffset,
        length: compressedRows.length,
        columnsOffset,
        columnsLength: compressedColumns.length,
        spanCount: pageSpans.length,
        minStartNanos: min.toString(),
        maxStartNanos: max.toString(),
        minTraceStartNanos: pageMinTraceStart.toString(),
        maxTraceStartNanos: pageMaxTraceStart.toString(),
        services: [...pageServices].sort((a, b) => a - b),
      });
      rows = new ByteWriter();
      spanColumns = new ColumnsWriter();
      pageSpans = [];
      pageBytes = 0;
      previousStart = 0n;
    };

    let spanCount = 0;
    let minStart: bigint | undefined;
    let maxStart: bigint | undefined;
    // Pages hold traces in start order (the id index points into them), so a
    // search for the most recent traces reads the newest pages and stops.
    // Copies of a span (stored before the write-time dedupe could see them) count once, as reads show them.
    const summaries: TraceSummary[] = [];
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
      columns.page.writeUInt32LE(pages.length, ordinal * 4);
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
      minStartNanos: (minStart ?? 0n).toString(),
      maxStartNanos: (maxStart ?? 0n).toString(),
      services,
      operations,
      pages,
      dictionaryOffset,
      dictionaryLength: dictionaryBytes.length,
      aggregatesOffset,
      aggregatesLength: aggregatesBytes.length,
      textValuesOnly: !dictionary.sawNonTextValue,
      numericValues: encoder.numericValues.toMeta(),
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

/**
 * An open block: metadata and the trace index in memory (about 60 bytes per
 * trace), the dictionary loaded on first use, pages read from disk on demand.
 */
export class BlockReader {
  readonly #handle: FileHandle;
  readonly meta: BlockMeta;
  readonly minStart: bigint;
  readonly maxStart: bigint;
  readonly #index: {
    ids: Buffer;
    page: Buffer;
    offsetInPage: Buffer;
    start: Buffer;
    duration: Buffer;
    spanCount: Buffer;
    errorCount: Buffer;
    rootService: Buffer;
    rootName: Buffer;
    servicesAt: Buffer;
    serviceLists: Buffer;
  };
  readonly #serviceSet: ReadonlySet<string>;
  readonly #operationNames: ReadonlySet<string>;
  #tables: Promise<SpanTables> | undefined;
  readonly #bloom: Uint32Array;
  readonly #bloomMask: number;
  #aggregates: Promise<BlockAggregates> | undefined;
  #lastTimes: { page: number; times: Promise<PageTimes> } | undefined;
  #dictionaryIndex: Map<string, number> | undefined;

  private constructor(
    readonly path: string,
    handle: FileHandle,
    meta: BlockMeta,
    index: Buffer,
  ) {
    this.#handle = handle;
    this.meta = meta;
    this.minStart = BigInt(meta.minStartNanos);
    this.maxStart = BigInt(meta.maxStartNanos);
    const n = meta.traceCount;
    let at = 0;
    const column = (width: number) => {
      const start = at;
      at += n * width;
      return index.subarray(start, at);
    };
    this.#index = {
      ids: column(16),
      page: column(4),
      offsetInPage: column(4),
      start: column(8),
      duration: column(8),
      spanCount: column(4),
      errorCount: column(4),
      rootService: column(4),
      rootName: column(4),
      servicesAt: column(4),
      serviceLists: index.subarray(at),
    };
    // A Bloom filter over the (random) trace ids, three of their 32-bit words as
    // the hashes: most blocks answer "not here" to getTrace and cut-time lookups
    // without a binary search.
    const bits = 2 ** Math.max(6, Math.ceil(Math.log2(n * 16)));
    this.#bloom = new Uint32Array(bits / 32);
    this.#bloomMask = bits - 1;
    const ids = this.#index.ids;
    for (let i = 0; i < n; i++) {
      for (let word = 0; word < 3; word++) {
        const bit = ids.readUInt32BE(i * 16 + word * 4) & this.#bloomMask;
        this.#bloom[bit >>> 5]! |= 1 << (bit & 31);
      }
    }
    this.#serviceSet = new Set(meta.services);
    this.#operationNames = new Set(meta.operations.map(([, name]) => name));
  }

  static async open(path: string): Promise<BlockReader> {
    const handle = await open(path, 'r');
    try {
      const { size } = await handle.stat();
      if (size < MAGIC.length + FOOTER_BYTES) throw new Error('block file too short');
      const footer = await readAt(handle, size - FOOTER_BYTES, FOOTER_BYTES);
      if (!footer.subarray(FOOTER_BYTES - 8).equals(MAGIC)) throw new Error('block footer magic missing');
      const metaBytes = await readAt(handle, Number(footer.readBigInt64LE(0)), footer.readUInt32LE(8));
      const index = await readAt(handle, Number(footer.readBigInt64LE(12)), footer.readUInt32LE(20));
      if (crc32(index, crc32(metaBytes)) !== footer.readUInt32LE(28)) throw new Error('block index checksum mismatch');
      const meta = JSON.parse((await inflate(metaBytes)).toString('utf8')) as BlockMeta;
      if (!READABLE_VERSIONS.includes(meta.version)) {
        throw new Error(
          `block format version ${meta.version} is not readable by this version of Ariadne (it reads versions ${READABLE_VERSIONS.join(', ')}); ` +
            'move the block away or read it with the Ariadne that wrote it',
        );
      }
      return new BlockReader(path, handle, meta, await inflate(index));
    } catch (error) {
      await handle.close();
      throw new Error(`cannot open block ${path}: ${error instanceof Error ? error.message : String(error)}`, {
        cause: error,
      });
    }
  }

  hasService(service: string): boolean {
    return this.#serviceSet.has(service);
  }

  hasOperationName(name: string): boolean {
    return this.#operationNames.has(name);
  }

  operations(service: string): Operation[] {
    const index = this.meta.services.indexOf(service);
    return this.meta.operations
      .filter(([s]) => s === index)
      .map(([, name, kind]) => ({ name, spanKind: kind as SpanKind }));
  }

  async dictionary(): Promise<readonly string[]> {
    return (await this.#loadTables()).strings;
  }

  #loadTables(): Promise<SpanTables> {
    this.#tables ??= (async () => {
      const compressed = await readAt(this.#handle, this.meta.dictionaryOffset, this.meta.dictionaryLength);
      return readTables(new ByteReader(await (this.meta.version >= 5 ? unbrotli(compressed) : inflate(compressed))));
    })();
    return this.#tables;
  }

  /** The block's pre-aggregates, read once and kept (a few kilobytes per block). */
  aggregates(): Promise<BlockAggregates> {
    this.#aggregates ??= (async () => {
      const { aggregatesOffset, aggregatesLength } = this.meta;
      return decodeAggregates(await inflate(await readAt(this.#handle, aggregatesOffset, aggregatesLength)));
    })();
    return this.#aggregates;
  }

  /** Whether a resource of the block has an attribute under this key whose text form is this value (as `=` compares). */
  async hasResourceAttribute(key: string, value: string): Promise<boolean> {
    const { resources } = await this.#loadTables();
    return resources.some((resource) =>
      resource.attributes.some((attribute) => attribute.key === key && anyValueToString(attribute.value) === value),
    );
  }

  /**
   * The dictionary index of a text, or -1 when no page or column of this block
   * uses it. (The dictionary is the head's: a text in it may still be unused here.)
   */
  async stringIndex(text: string): Promise<number> {
    if (this.#dictionaryIndex === undefined) {
      const strings = await this.dictionary();
      this.#dictionaryIndex = new Map(strings.map((string, index) => [string, index]));
    }
    return this.#dictionaryIndex.get(text) ?? -1;
  }

  /** False when the block surely does not hold the trace; true when it may. */
  mayContain(traceId: string): boolean {
    return this.mayContainKey(bloomKey(traceId));
  }

  /** `mayContain` with the id's words parsed once for many blocks (`bloomKey`). */
  mayContainKey(key: readonly number[]): boolean {
    for (const word of key) {
      const bit = word & this.#bloomMask;
      if ((this.#bloom[bit >>> 5]! & (1 << (bit & 31))) === 0) return false;
    }
    return true;
  }

  /** Binary search of the sorted trace-id column: the trace's ordinal, or -1. */
  find(traceId: string): number {
    if (!/^[0-9a-f]{32}$/.test(traceId) || !this.mayContain(traceId)) return -1;
    const key = Buffer.from(traceId, 'hex');
    const ids = this.#index.ids;
    let low = 0;
    let high = this.meta.traceCount - 1;
    while (low <= high) {
      const middle = (low + high) >>> 1;
      const order = ids.compare(key, 0, 16, middle * 16, middle * 16 + 16);
      if (order === 0) return middle;
      if (order < 0) low = middle + 1;
      else high = middle - 1;
    }
    return -1;
  }

  traceId(ordinal: number): string {
    return this.#index.ids.toString('hex', ordinal * 16, ordinal * 16 + 16);
  }

  /** How many of the trace's spans this block holds. */
  spanCountOf(ordinal: number): number {
    return this.#index.spanCount.readUInt32LE(ordinal * 4);
  }

  /** Earliest start of the trace's spans in this block. */
  traceStart(ordinal: number): bigint {
    return this.#index.start.readBigInt64LE(ordinal * 8);
  }

  /** The trace's summary from the index columns alone: right when the block holds the whole trace. */
  async summary(ordinal: number): Promise<TraceSummary> {
    const index = this.#index;
    const dictionary = await this.dictionary();
    const lists = new ByteReader(index.serviceLists);
    lists.offset = index.servicesAt.readUInt32LE(ordinal * 4);
    const services = [];
    for (let i = lists.varUint(); i > 0; i--) {
      services.push({
        name: this.meta.services[lists.varUint()]!,
        spanCount: lists.varUint(),
        errorCount: lists.varUint(),
      });
    }
    return {
      traceId: this.traceId(ordinal),
      rootServiceName: dictionary[index.rootService.readUInt32LE(ordinal * 4)]!,
      rootSpanName: dictionary[index.rootName.readUInt32LE(ordinal * 4)]!,
      startTimeUnixNano: index.start.readBigInt64LE(ordinal * 8),
      durationNanos: index.duration.readBigInt64LE(ordinal * 8),
      spanCount: index.spanCount.readUInt32LE(ordinal * 4),
      errorCount: index.errorCount.readUInt32LE(ordinal * 4),
      services,
    };
  }

  /** The decompressed span rows of a page (one length-prefixed chunk per trace). */
  pageRows(page: number): Promise<Buffer> {
    return this.#pageRows(page);
  }

  /** Where the trace's chunk starts in its page's rows. */
  traceOffset(ordinal: number): number {
    return this.#index.offsetInPage.readUInt32LE(ordinal * 4);
  }

  /** Decodes the spans of a trace (its chunk in the page's rows, read with `pageRows`). */
  async decodeTrace(page: number, rows: Buffer, ordinal: number): Promise<Span[]> {
    const [tables, times] = await Promise.all([this.#loadTables(), this.#pageTimes(page)]);
    const reader = new ByteReader(rows);
    reader.offset = this.traceOffset(ordinal);
    const chunk = reader.raw(reader.varUint());
    return decodeChunk(chunk, tables, { ...times, first: times.trace.indexOf(ordinal) });
  }

  /** Exact span times of a page and the trace ordinal of each span (rows leave times out). */
  #pageTimes(page: number): Promise<PageTimes> {
    // A search decodes several traces of one page in a row: keep the last page's times.
    if (this.#lastTimes?.page !== page) this.#lastTimes = { page, times: this.#readPageTimes(page) };
    return this.#lastTimes.times;
  }

  /** The page's column readers that span times come from: trace ordinals, start deltas, durations. */
  async #timeColumns(
    page: number,
  ): Promise<{ count: number; traces: ByteReader; starts: ByteReader; durations: ByteReader }> {
    const meta = this.#page(page);
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
    const meta = this.#page(page);
    return this.#decompressPage(await readAt(this.#handle, meta.offset, meta.length));
  }

  #decompressPage(bytes: Buffer): Promise<Buffer> {
    return unbrotli(bytes);
  }

  #page(page: number): PageMeta {
    const meta = this.meta.pages[page];
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
    const meta = this.#page(page);
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
    const ordinal = this.find(traceId);
    if (ordinal === -1) return [];
    const page = this.#index.page.readUInt32LE(ordinal * 4);
    return this.decodeTrace(page, await this.#pageRows(page), ordinal);
  }

  /** The trace's spans in this block with this span id, decoded without decoding the trace's other spans. */
  async spansWithId(traceId: string, spanId: string): Promise<Span[]> {
    const ordinal = this.find(traceId);
    if (ordinal === -1) return [];
    const page = this.#index.page.readUInt32LE(ordinal * 4);
    const [rows, tables, times] = await Promise.all([this.#pageRows(page), this.#loadTables(), this.#pageTimes(page)]);
    const reader = new ByteReader(rows);
    reader.offset = this.traceOffset(ordinal);
    const chunk = reader.raw(reader.varUint());
    return decodeChunkSpansWithId(chunk, tables, { ...times, first: times.trace.indexOf(ordinal) }, spanId);
  }

  /**
   * Adds the trace's spans in this block to an outline, read from the page's
   * columns and a skim of its chunk (no span objects); false when the block
   * has none of them.
   */
  async outlineTrace(traceId: string, outline: TraceOutlineBuilder): Promise<boolean> {
    const ordinal = this.find(traceId);
    if (ordinal === -1) return false;
    const page = this.#index.page.readUInt32LE(ordinal * 4);
    const [rows, tables, times] = await Promise.all([this.#pageRows(page), this.#loadTables(), this.#pageMicros(page)]);
    const reader = new ByteReader(rows);
    reader.offset = this.traceOffset(ordinal);
    const chunk = reader.raw(reader.varUint());
    const first = times.trace.indexOf(ordinal);
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
   * Every span of the block, trace by trace, as the dependency index reads
   * them: ids, resource, status and start, skimmed (`skimChunk`) rather than
   * decoded. For rebuilding that index at open.
   */
  async forEachTrace(visit: (traceId: string, spans: IndexedSpan[]) => void): Promise<void> {
    for (let page = 0; page < this.meta.pages.length; page++) {
      const [rows, tables, times] = await Promise.all([
        this.#pageRows(page),
        this.#loadTables(),
        this.#readPageTimes(page),
      ]);
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
        visit(this.traceId(ordinal), spans);
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

  close(): Promise<void> {
    return this.#handle.close();
  }
}

const OUTLINE_KEYS: SkimKeys = { span: ERROR_KEYS, event: EVENT_KEY };
/**
 * No attribute value wanted: no span keys, and an event key no span sends
 * (not '', which a dictionary may hold), so events' values are stepped over.
 */
const NO_SKIM_KEYS: SkimKeys = { span: [], event: '\u0000no key' };

interface PageMicros {
  readonly count: number;
  readonly trace: Uint32Array;
  readonly startMicros: Float64Array;
  /** Nanoseconds past `startMicros` (0 to 999). */
  readonly startRest: Uint16Array;
  readonly durationMicros: Float64Array;
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

/** The three 32-bit words of a trace id that the blocks' Bloom filters hash with. */
export function bloomKey(traceId: string): number[] {
  return [0, 1, 2].map((word) => Number.parseInt(traceId.slice(word * 8, word * 8 + 8), 16));
}

async function readAt(handle: FileHandle, position: number, length: number): Promise<Buffer> {
  const buffer = Buffer.alloc(length);
  const { bytesRead } = await handle.read(buffer, 0, length, position);
  if (bytesRead !== length) throw new Error(`short read at ${position}`);
  return buffer;
}
