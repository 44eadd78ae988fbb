import type { TraceSummary } from '../span-store.js';
import { ByteReader } from './byte-writer.js';

/**
 * A block's trace index, inflated (README: "Block file", trace index): one
 * column per field over the block's traces sorted by id, then the service
 * lists. Read on demand and kept in the block cache, not by the block: at
 * about 85 bytes a trace it is most of what an open block would keep.
 */
export class TraceIndex {
  readonly #ids: Buffer;
  readonly #page: Buffer;
  readonly #offsetInPage: Buffer;
  readonly #start: Buffer;
  readonly #duration: Buffer;
  readonly #spanCount: Buffer;
  readonly #errorCount: Buffer;
  readonly #rootService: Buffer;
  readonly #rootName: Buffer;
  readonly #servicesAt: Buffer;
  readonly #serviceLists: Buffer;

  constructor(
    readonly bytes: Buffer,
    readonly count: number,
  ) {
    let at = 0;
    const column = (width: number) => {
      const start = at;
      at += count * width;
      if (at > bytes.length) throw new RangeError('trace index shorter than its trace count');
      return bytes.subarray(start, at);
    };
    this.#ids = column(16);
    this.#page = column(4);
    this.#offsetInPage = column(4);
    this.#start = column(8);
    this.#duration = column(8);
    this.#spanCount = column(4);
    this.#errorCount = column(4);
    this.#rootService = column(4);
    this.#rootName = column(4);
    this.#servicesAt = column(4);
    this.#serviceLists = bytes.subarray(at);
  }

  /** Memory the index holds, for the block cache. */
  get memoryBytes(): number {
    return this.bytes.length + 256;
  }

  /** Binary search of the sorted id column: the trace's ordinal, or -1. `traceId`: 32 lowercase hex digits. */
  find(traceId: string): number {
    const key = Buffer.from(traceId, 'hex');
    const ids = this.#ids;
    let low = 0;
    let high = this.count - 1;
    while (low <= high) {
      const middle = (low + high) >>> 1;
      const order = ids.compare(key, 0, 16, middle * 16, middle * 16 + 16);
      if (order === 0) return middle;
      if (order < 0) low = middle + 1;
      else high = middle - 1;
    }
    return -1;
  }

  /** The id column (16 bytes a trace, sorted): what the Bloom filter is built from. */
  get ids(): Buffer {
    return this.#ids;
  }

  traceId(ordinal: number): string {
    return this.#ids.toString('hex', ordinal * 16, ordinal * 16 + 16);
  }

  /** The page holding the trace's chunk. */
  pageOf(ordinal: number): number {
    return this.#page.readUInt32LE(ordinal * 4);
  }

  /** Where the trace's chunk starts in its page's rows. */
  offsetOf(ordinal: number): number {
    return this.#offsetInPage.readUInt32LE(ordinal * 4);
  }

  /** Earliest start of the trace's spans in the block. */
  startOf(ordinal: number): bigint {
    return this.#start.readBigInt64LE(ordinal * 8);
  }

  /** How many of the trace's spans the block holds. */
  spanCountOf(ordinal: number): number {
    return this.#spanCount.readUInt32LE(ordinal * 4);
  }

  /** Dictionary indexes of the root service and root span name of every trace, each once. */
  rootStrings(): Set<number> {
    const indexes = new Set<number>();
    for (let i = 0; i < this.count; i++) {
      indexes.add(this.#rootService.readUInt32LE(i * 4));
      indexes.add(this.#rootName.readUInt32LE(i * 4));
    }
    return indexes;
  }

  /** The trace's summary from the columns, its root names by dictionary index (`text`). */
  summary(ordinal: number, services: readonly string[], text: (index: number) => string): TraceSummary {
    const lists = new ByteReader(this.#serviceLists);
    lists.offset = this.#servicesAt.readUInt32LE(ordinal * 4);
    const perService = [];
    for (let i = lists.varUint(); i > 0; i--) {
      perService.push({
        name: services[lists.varUint()]!,
        spanCount: lists.varUint(),
        errorCount: lists.varUint(),
      });
    }
    return {
      traceId: this.traceId(ordinal),
      rootServiceName: text(this.#rootService.readUInt32LE(ordinal * 4)),
      rootSpanName: text(this.#rootName.readUInt32LE(ordinal * 4)),
      startTimeUnixNano: this.#start.readBigInt64LE(ordinal * 8),
      durationNanos: this.#duration.readBigInt64LE(ordinal * 8),
      spanCount: this.#spanCount.readUInt32LE(ordinal * 4),
      errorCount: this.#errorCount.readUInt32LE(ordinal * 4),
      services: perService,
    };
  }
}
