import { bytesToHex } from '../model/ids.js';
import { decodeUtf8, ThriftReader } from './thrift-reader.js';
import { type ThriftMessageHeader, TMessageType, TType } from './thrift-type.js';

const VERSION_MASK = 0xffff0000 | 0;
const VERSION_1 = 0x80010000 | 0;

/** Thrift's binary protocol: big-endian fixed-width integers, i32 lengths. */
export class BinaryReader extends ThriftReader {
  readonly protocol = 'binary' as const;

  readMessageBegin(): ThriftMessageHeader {
    const start = this.pos;
    const first = this.readI32();
    let name: string;
    let type: number;
    if (first < 0) {
      if ((first & VERSION_MASK) !== VERSION_1)
        this.fail(`unsupported message version 0x${(first >>> 0).toString(16)}`, start);
      type = first & 0xff;
      name = this.readString();
    } else {
      // Old, non-strict framing: the name's length comes first, then the type.
      name = decodeUtf8(this.bytes.subarray(this.take(first), this.pos));
      type = this.readByte();
    }
    if (type < TMessageType.Call || type > TMessageType.Oneway) this.fail(`unknown message type ${type}`, start);
    const seqId = this.readI32();
    return { name, type, seqId };
  }

  readFieldBegin(): TType {
    const at = this.take(1);
    const type = this.bytes[at] as number;
    if (type === TType.Stop) return TType.Stop;
    this.fieldId = this.readI16();
    if (!isValueType(type)) this.fail(`unknown field type ${type}`, at);
    return type;
  }

  readListBegin(): number {
    const at = this.take(5);
    const type = this.bytes[at] as number;
    if (!isValueType(type)) this.fail(`unknown element type ${type}`, at);
    const size = this.view.getInt32(at + 1);
    this.elementType = type;
    this.checkCollection(size, type);
    return size;
  }

  readMapBegin(): number {
    const at = this.take(6);
    const key = this.bytes[at] as number;
    const value = this.bytes[at + 1] as number;
    const size = this.view.getInt32(at + 2);
    if (size !== 0 && !(isValueType(key) && isValueType(value))) this.fail(`unknown map types ${key}/${value}`, at);
    this.keyType = key;
    this.valueType = value;
    this.checkCollection(size, key, value);
    return size;
  }

  readBool(): boolean {
    return this.bytes[this.take(1)] !== 0;
  }

  readByte(): number {
    return this.view.getInt8(this.take(1));
  }

  readI16(): number {
    return this.view.getInt16(this.take(2));
  }

  readI32(): number {
    return this.view.getInt32(this.take(4));
  }

  readI64(): bigint {
    return this.view.getBigInt64(this.take(8));
  }

  readI64Hex(): string {
    return bytesToHex(this.bytes, this.take(8), 8);
  }

  readDouble(): number {
    return this.view.getFloat64(this.take(8));
  }

  readBinary(): Uint8Array {
    const length = this.readI32();
    const at = this.take(length);
    return this.bytes.subarray(at, at + length);
  }

  protected minSize(type: TType): number {
    switch (type) {
      case TType.I16:
        return 2;
      case TType.I32:
      case TType.String:
        return 4;
      case TType.I64:
      case TType.Double:
        return 8;
      case TType.List:
      case TType.Set:
        return 5;
      case TType.Map:
        return 6;
      case TType.Uuid:
        return 16;
      default:
        return 1;
    }
  }
}

function isValueType(type: number): type is TType {
  switch (type) {
    case TType.Bool:
    case TType.Byte:
    case TType.Double:
    case TType.I16:
    case TType.I32:
    case TType.I64:
    case TType.String:
    case TType.Struct:
    case TType.Map:
    case TType.Set:
    case TType.List:
    case TType.Uuid:
      return true;
    default:
      return false;
  }
}
