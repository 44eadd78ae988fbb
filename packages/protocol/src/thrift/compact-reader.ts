import { hex64, ThriftReader, type ThriftReaderOptions } from './thrift-reader.js';
import { type ThriftMessageHeader, TMessageType, TType } from './thrift-type.js';

const PROTOCOL_ID = 0x82;
const VERSION = 1;

/** Compact type codes (on the wire) to the shared `TType` numbering; `undefined` marks codes that are not types. */
const FROM_COMPACT: readonly (TType | undefined)[] = [
  undefined, // 0 is STOP, only meaningful in a field header
  TType.Bool, // 1: BOOLEAN_TRUE
  TType.Bool, // 2: BOOLEAN_FALSE
  TType.Byte,
  TType.I16,
  TType.I32,
  TType.I64,
  TType.Double,
  TType.String,
  TType.List,
  TType.Set,
  TType.Map,
  TType.Struct,
  TType.Uuid,
];

/**
 * Thrift's compact protocol: zigzag varints, field-id deltas, booleans folded
 * into field headers, little-endian doubles.
 */
export class CompactReader extends ThriftReader {
  readonly protocol = 'compact' as const;
  /** Last field id per open struct, for delta-encoded field headers. */
  private readonly lastFieldIds: number[] = [];
  private lastFieldId = 0;
  /** A boolean field carries its value in its header; this holds it until `readBool`. */
  private pendingBool: boolean | undefined;

  constructor(bytes: Uint8Array, options?: ThriftReaderOptions) {
    super(bytes, options);
  }

  readMessageBegin(): ThriftMessageHeader {
    const start = this.pos;
    const protocolId = this.bytes[this.take(1)] as number;
    if (protocolId !== PROTOCOL_ID)
      this.fail(`not a compact message (protocol id 0x${protocolId.toString(16)})`, start);
    const versionAndType = this.bytes[this.take(1)] as number;
    if ((versionAndType & 0x1f) !== VERSION) this.fail(`unsupported compact version ${versionAndType & 0x1f}`, start);
    const type = versionAndType >> 5;
    if (type < TMessageType.Call || type > TMessageType.Oneway) this.fail(`unknown message type ${type}`, start);
    const seqId = this.readVarint32() | 0;
    const name = this.readString();
    return { name, type, seqId };
  }

  override readStructBegin(): void {
    this.enter();
    this.lastFieldIds.push(this.lastFieldId);
    this.lastFieldId = 0;
  }

  override readStructEnd(): void {
    super.readStructEnd();
    this.lastFieldId = this.lastFieldIds.pop() ?? 0;
  }

  readFieldBegin(): TType {
    const at = this.take(1);
    const header = this.bytes[at] as number;
    if (header === 0) return TType.Stop;
    const code = header & 0x0f;
    const type = FROM_COMPACT[code];
    if (type === undefined) this.fail(`unknown field type ${code}`, at);
    const delta = header >> 4;
    this.fieldId = delta === 0 ? zigzag32(this.readVarint32()) : this.lastFieldId + delta;
    this.lastFieldId = this.fieldId;
    if (type === TType.Bool) this.pendingBool = code === 1;
    return type;
  }

  readListBegin(): number {
    const at = this.take(1);
    const header = this.bytes[at] as number;
    const type = FROM_COMPACT[header & 0x0f];
    if (type === undefined) this.fail(`unknown element type ${header & 0x0f}`, at);
    let size = header >> 4;
    if (size === 15) size = this.readSize();
    this.elementType = type;
    this.checkCollection(size, type);
    return size;
  }

  readMapBegin(): number {
    const size = this.readSize();
    if (size === 0) {
      this.keyType = TType.Stop;
      this.valueType = TType.Stop;
    } else {
      const at = this.take(1);
      const types = this.bytes[at] as number;
      const key = FROM_COMPACT[types >> 4];
      const value = FROM_COMPACT[types & 0x0f];
      if (key === undefined || value === undefined) this.fail(`unknown map types 0x${types.toString(16)}`, at);
      this.keyType = key;
      this.valueType = value;
    }
    this.checkCollection(size, this.keyType, this.valueType);
    return size;
  }

  readBool(): boolean {
    const pending = this.pendingBool;
    if (pending !== undefined) {
      this.pendingBool = undefined;
      return pending;
    }
    // Inside collections a boolean is a byte: 1 is true; 2 (and, from old writers, 0) is false.
    return this.bytes[this.take(1)] === 1;
  }

  readByte(): number {
    return this.view.getInt8(this.take(1));
  }

  readI16(): number {
    const value = zigzag32(this.readVarint32());
    if (value < -0x8000 || value > 0x7fff) this.fail(`i16 out of range: ${value}`);
    return value;
  }

  readI32(): number {
    return zigzag32(this.readVarint32());
  }

  readI64(): bigint {
    this.readVarint64();
    const { high, low } = this.unzigzag64();
    return BigInt.asIntN(64, (BigInt(high) << 32n) | BigInt(low));
  }

  readI64Hex(): string {
    this.readVarint64();
    const { high, low } = this.unzigzag64();
    return hex64(high, low);
  }

  readDouble(): number {
    return this.view.getFloat64(this.take(8), true);
  }

  readBinary(): Uint8Array {
    const length = this.readSize();
    const at = this.take(length);
    return this.bytes.subarray(at, at + length);
  }

  protected minSize(type: TType): number {
    if (type === TType.Double) return 8;
    if (type === TType.Uuid) return 16;
    // Every other value, an empty map's header included, takes at least one byte.
    return type === TType.Stop ? 0 : 1;
  }

  /** A non-negative varint length or size that must fit in an i32. */
  private readSize(): number {
    const at = this.pos;
    const size = this.readVarint32();
    if (size > 0x7fffffff) this.fail(`size ${size} out of range`, at);
    return size;
  }

  /** Unsigned varint of at most 32 bits (5 bytes). */
  private readVarint32(): number {
    const start = this.pos;
    let result = 0;
    for (let shift = 0; shift < 35; shift += 7) {
      const b = this.bytes[this.take(1)] as number;
      result |= (b & 0x7f) << shift;
      if (b < 0x80) return result >>> 0;
    }
    this.fail('varint longer than 5 bytes', start);
  }

  private varHigh = 0;
  private varLow = 0;

  /** Unsigned varint of at most 64 bits (10 bytes), left in `varHigh`/`varLow`. */
  private readVarint64(): void {
    const start = this.pos;
    let low = 0;
    let high = 0;
    for (let i = 0; i < 10; i++) {
      const b = this.bytes[this.take(1)] as number;
      const bits = b & 0x7f;
      const shift = i * 7;
      if (shift < 28) low |= bits << shift;
      else if (shift === 28) {
        low |= bits << 28;
        high |= bits >>> 4;
      } else high |= bits << (shift - 32);
      if (b < 0x80) {
        this.varLow = low >>> 0;
        this.varHigh = high >>> 0;
        return;
      }
    }
    this.fail('varint longer than 10 bytes', start);
  }

  private unzigzag64(): { high: number; low: number } {
    const mask = -(this.varLow & 1);
    const low = (((this.varLow >>> 1) | (this.varHigh << 31)) ^ mask) >>> 0;
    const high = ((this.varHigh >>> 1) ^ mask) >>> 0;
    return { high, low };
  }
}

function zigzag32(n: number): number {
  return (n >>> 1) ^ -(n & 1);
}
