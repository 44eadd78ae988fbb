import type { PackedOutlinePart } from '../../query/trace-view/packed-outline.js';
import { ByteReader, ByteWriter } from './byte-writer.js';

/**
 * A packed outline part (`PackedOutlinePart`) as bytes, the form a block
 * keeps it in beside its rows. Not compressed: inflating a million spans'
 * parts cost about a quarter of a second of CPU, and what compresses here
 * compresses as well by its form. Ids (which do not compress) are their
 * words as they lie in memory; every other number is a `ByteWriter.varUint`
 * (7 bits a byte): parents (+3, so that the marks -1 to -3
 * fit), services, names, failed spans as gaps, and, when every start and
 * duration is a whole non-negative number of microseconds, starts as gaps
 * from the previous (the spans are in start order: `sortedOutlinePart`) and
 * durations. On the UI benchmark's deep trace, about 23 bytes per span
 * (`bench/ui/trace-columns-server.bench.ts` prints it), where the columns as
 * words are 44.
 *
 * Layout: the magic `AOP1`; u32 the byte length of a JSON header (`Header`);
 * the header; from the next multiple of 8 bytes, `spanIds` (u32, 2 per span),
 * `parentIds` (u32, 2 per parent named by id), `events` (f64, 3 per mark) and,
 * unless the header says `wholeTimes`, `startMicros` and `durationMicros`
 * (f64), each from a multiple of 8; then the variable-length numbers.
 */
const MAGIC = 'AOP1';

interface Header {
  readonly spanCount: number;
  readonly byId: number;
  readonly failed: number;
  readonly marks: number;
  /** Starts and durations are whole microseconds from 0 to 2^53: as gaps and lengths, not doubles. */
  readonly wholeTimes: boolean;
  readonly strings: readonly string[];
  readonly missingTexts: readonly string[];
}

const align = (offset: number) => Math.ceil(offset / 8) * 8;

export function encodeOutlinePart(part: PackedOutlinePart): Uint8Array {
  const n = part.spanCount;
  const wholeTimes = isWholeAscending(part.startMicros) && isWhole(part.durationMicros);
  const header: Header = {
    spanCount: n,
    byId: part.parentIds.length / 2,
    failed: part.failed.length,
    marks: part.events.length / 3,
    wholeTimes,
    strings: part.strings,
    missingTexts: part.missingTexts,
  };
  const headerBytes = new TextEncoder().encode(JSON.stringify(header));
  const words: ArrayBufferView[] = [part.spanIds, part.parentIds, part.events];
  if (!wholeTimes) words.push(part.startMicros, part.durationMicros);
  const numbers = new ByteWriter(8 * n + 16);
  for (let i = 0; i < n; i++) numbers.varUint((part.parents[i] as number) + 3);
  for (let i = 0; i < n; i++) numbers.varUint(part.services[i] as number);
  for (let i = 0; i < n; i++) numbers.varUint(part.names[i] as number);
  for (let i = 0, previous = 0; i < part.failed.length; i++) {
    numbers.varUint((part.failed[i] as number) - previous);
    previous = part.failed[i] as number;
  }
  if (wholeTimes) {
    for (let i = 0, previous = 0; i < n; i++) {
      numbers.varUint((part.startMicros[i] as number) - previous);
      previous = part.startMicros[i] as number;
    }
    for (let i = 0; i < n; i++) numbers.varUint(part.durationMicros[i] as number);
  }
  let size = align(8 + headerBytes.length);
  for (const column of words) size = align(size + column.byteLength);
  const bytes = new Uint8Array(size + numbers.length);
  bytes.set(new TextEncoder().encode(MAGIC), 0);
  new DataView(bytes.buffer).setUint32(4, headerBytes.length, true);
  bytes.set(headerBytes, 8);
  let offset = align(8 + headerBytes.length);
  for (const column of words) {
    bytes.set(new Uint8Array(column.buffer, column.byteOffset, column.byteLength), offset);
    offset = align(offset + column.byteLength);
  }
  bytes.set(numbers.bytes(), offset);
  return bytes;
}

/** The part `encodeOutlinePart` wrote; a RangeError when the bytes are not one. */
export function decodeOutlinePart(bytes: Uint8Array): PackedOutlinePart {
  if (bytes.length < 8 || new TextDecoder().decode(bytes.subarray(0, 4)) !== MAGIC) {
    throw new RangeError('not a packed outline part');
  }
  const headerLength = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength).getUint32(4, true);
  if (8 + headerLength > bytes.length) throw new RangeError('packed outline part header out of range');
  const header = JSON.parse(new TextDecoder().decode(bytes.subarray(8, 8 + headerLength))) as Header;
  const n = header.spanCount;
  let offset = align(8 + headerLength);
  // Copied out: the bytes need not be aligned, and the columns outlive them.
  const take = (count: number, width: number): ArrayBuffer => {
    const length = count * width;
    if (!(Number.isInteger(count) && count >= 0) || offset + length > bytes.length) {
      throw new RangeError('packed outline part column out of range');
    }
    // Not `slice`: a Buffer's is a view, not a copy.
    const column = new Uint8Array(length);
    column.set(bytes.subarray(offset, offset + length));
    offset = align(offset + length);
    return column.buffer;
  };
  const spanIds = new Uint32Array(take(2 * n, 4));
  const parentIds = new Uint32Array(take(2 * header.byId, 4));
  const events = new Float64Array(take(3 * header.marks, 8));
  const storedStarts = header.wholeTimes ? undefined : new Float64Array(take(n, 8));
  const storedDurations = header.wholeTimes ? undefined : new Float64Array(take(n, 8));
  // Every variable-length number at once, in one loop.
  const count = 3 * n + header.failed + (header.wholeTimes ? 2 * n : 0);
  const reader = new ByteReader(Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength));
  reader.offset = Math.min(offset, bytes.length);
  const numbers = new Float64Array(count);
  for (let k = 0; k < count; k++) numbers[k] = reader.varUint();
  const parents = new Int32Array(n);
  for (let i = 0; i < n; i++) parents[i] = (numbers[i] as number) - 3;
  // `set` converts in one native loop (`from` steps an iterator per value).
  const services = new Int32Array(n);
  services.set(numbers.subarray(n, 2 * n));
  const names = new Int32Array(n);
  names.set(numbers.subarray(2 * n, 3 * n));
  const failed = new Int32Array(header.failed);
  for (let i = 0, previous = 0; i < failed.length; i++) {
    previous += numbers[3 * n + i] as number;
    failed[i] = previous;
  }
  let startMicros = storedStarts;
  let durationMicros = storedDurations;
  if (startMicros === undefined || durationMicros === undefined) {
    const from = 3 * n + header.failed;
    startMicros = new Float64Array(n);
    for (let i = 0, previous = 0; i < n; i++) {
      previous += numbers[from + i] as number;
      startMicros[i] = previous;
    }
    durationMicros = numbers.slice(from + n, from + 2 * n);
  }
  return {
    spanCount: n,
    spanIds,
    parents,
    parentIds,
    missingTexts: header.missingTexts,
    startMicros,
    durationMicros,
    strings: header.strings,
    services,
    names,
    failed,
    events,
  };
}

function isWhole(values: Float64Array): boolean {
  for (let i = 0; i < values.length; i++) {
    const value = values[i] as number;
    if (!(Number.isSafeInteger(value) && value >= 0)) return false;
  }
  return true;
}

function isWholeAscending(values: Float64Array): boolean {
  let previous = 0;
  for (let i = 0; i < values.length; i++) {
    const value = values[i] as number;
    if (!(Number.isSafeInteger(value) && value >= previous)) return false;
    previous = value;
  }
  return true;
}
