import { AriadneError } from '../errors.js';
import { type ThriftMessageHeader, type ThriftProtocol, TType } from './thrift-type.js';

export interface ThriftReaderOptions {
  /** Deepest nesting of structs, lists, sets and maps accepted; deeper input is rejected. Default 64. */
  readonly maxDepth?: number;
}

const DEFAULT_MAX_DEPTH = 64;
const utf8 = new TextDecoder();

/**
 * A pull reader over one Thrift-encoded buffer, shared by the binary and the
 * compact protocol so that struct decoders are written once.
 *
 * Hostile input is expected: every length and collection size is checked
 * against the bytes that remain before anything is allocated, nesting is
 * bounded, and every problem throws `AriadneError('InvalidPayload')` naming the
 * byte offset. Each loop step consumes at least one byte, so nothing can spin.
 */
export abstract class ThriftReader {
  abstract readonly protocol: ThriftProtocol;
  /** Field id of the header last read by `readFieldBegin`. */
  fieldId = 0;
  /** Element type of the list or set last opened. */
  elementType: TType = TType.Stop;
  /** Key and value types of the map last opened. */
  keyType: TType = TType.Stop;
  valueType: TType = TType.Stop;

  protected readonly view: DataView;
  protected pos: number;
  protected readonly end: number;
  private depth = 0;
  private readonly maxDepth: number;

  constructor(
    protected readonly bytes: Uint8Array,
    options: ThriftReaderOptions = {},
  ) {
    this.view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
    this.pos = 0;
    this.end = bytes.length;
    this.maxDepth = options.maxDepth ?? DEFAULT_MAX_DEPTH;
  }

  get offset(): number {
    return this.pos;
  }

  get remaining(): number {
    return this.end - this.pos;
  }

  abstract readMessageBegin(): ThriftMessageHeader;
  /** Reads a field header and returns its type; `TType.Stop` ends the struct. The id lands in `fieldId`. */
  abstract readFieldBegin(): TType;
  /** Opens a list (or set) and returns its size; the element type lands in `elementType`. */
  abstract readListBegin(): number;
  /** Opens a map and returns its size; the types land in `keyType` and `valueType`. */
  abstract readMapBegin(): number;
  abstract readBool(): boolean;
  abstract readByte(): number;
  abstract readI16(): number;
  abstract readI32(): number;
  abstract readI64(): bigint;
  /** An i64 as 16 lowercase hex characters of its two's complement (how 64-bit ids are printed). */
  abstract readI64Hex(): string;
  abstract readDouble(): number;
  abstract readBinary(): Uint8Array;
  /** The smallest number of bytes one value of `type` takes in this protocol. */
  protected abstract minSize(type: TType): number;

  readString(): string {
    const bytes = this.readBinary();
    return decodeUtf8(bytes);
  }

  readStructBegin(): void {
    this.enter();
  }

  readStructEnd(): void {
    this.depth--;
  }

  readListEnd(): void {
    this.depth--;
  }

  readSetBegin(): number {
    return this.readListBegin();
  }

  readSetEnd(): void {
    this.depth--;
  }

  readMapEnd(): void {
    this.depth--;
  }

  /** Checks that the whole buffer was consumed. */
  expectEnd(): void {
    if (this.pos !== this.end) this.fail(`${this.end - this.pos} unexpected trailing bytes`);
  }

  /** Skips one value of `type`, however deeply nested (within the depth bound). */
  skip(type: TType): void {
    switch (type) {
      case TType.Bool:
        this.readBool();
        return;
      case TType.Byte:
        this.take(1);
        return;
      case TType.I16:
        this.readI16();
        return;
      case TType.I32:
        this.readI32();
        return;
      case TType.I64:
        this.readI64Hex();
        return;
      case TType.Double:
        this.take(8);
        return;
      case TType.Uuid:
        this.take(16);
        return;
      case TType.String:
        this.readBinary();
        return;
      case TType.Struct:
        this.readStructBegin();
        for (let t = this.readFieldBegin(); t !== TType.Stop; t = this.readFieldBegin()) this.skip(t);
        this.readStructEnd();
        return;
      case TType.List:
      case TType.Set: {
        const size = this.readListBegin();
        const element = this.elementType;
        for (let i = 0; i < size; i++) this.skip(element);
        this.readListEnd();
        return;
      }
      case TType.Map: {
        const size = this.readMapBegin();
        const key = this.keyType;
        const value = this.valueType;
        for (let i = 0; i < size; i++) {
          this.skip(key);
          this.skip(value);
        }
        this.readMapEnd();
        return;
      }
      default:
        this.fail(`cannot skip a value of type ${type}`);
    }
  }

  fail(message: string, at = this.pos): never {
    throw new AriadneError('InvalidPayload', `thrift ${this.protocol}: ${message} at offset ${at}`);
  }

  protected enter(): void {
    if (++this.depth > this.maxDepth) this.fail(`nesting deeper than ${this.maxDepth}`);
  }

  /** Validates a collection header: known element types, and enough bytes left for `size` elements. */
  protected checkCollection(size: number, ...types: TType[]): void {
    if (size < 0) this.fail(`negative collection size ${size}`);
    let min = 0;
    for (const type of types) min += this.minSize(type);
    if (size * min > this.end - this.pos) this.fail(`collection of ${size} elements is longer than the input`);
    this.enter();
  }

  /** Reserves `length` bytes and returns where they start. */
  protected take(length: number): number {
    const at = this.pos;
    if (length < 0 || length > this.end - at) this.fail(`${length} bytes needed, ${this.end - at} left`);
    this.pos = at + length;
    return at;
  }
}

/** UTF-8 with a fast path for the short ASCII strings that dominate tracing data. */
export function decodeUtf8(bytes: Uint8Array): string {
  const length = bytes.length;
  if (length > 64) return utf8.decode(bytes);
  let out = '';
  for (let i = 0; i < length; i++) {
    const b = bytes[i] as number;
    if (b >= 0x80) return utf8.decode(bytes);
    out += String.fromCharCode(b);
  }
  return out;
}

export const HEX_BYTE: readonly string[] = Array.from({ length: 256 }, (_, i) => i.toString(16).padStart(2, '0'));

/** 16 hex characters of a 64-bit value given as two unsigned 32-bit halves. */
export function hex64(high: number, low: number): string {
  return (
    (HEX_BYTE[high >>> 24] as string) +
    (HEX_BYTE[(high >>> 16) & 0xff] as string) +
    (HEX_BYTE[(high >>> 8) & 0xff] as string) +
    (HEX_BYTE[high & 0xff] as string) +
    (HEX_BYTE[low >>> 24] as string) +
    (HEX_BYTE[(low >>> 16) & 0xff] as string) +
    (HEX_BYTE[(low >>> 8) & 0xff] as string) +
    (HEX_BYTE[low & 0xff] as string)
  );
}
