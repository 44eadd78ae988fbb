import { type TMessageType, TType } from './thrift-type.js';
import { ThriftWriter } from './thrift-writer.js';

const utf8 = new TextEncoder();

export class BinaryWriter extends ThriftWriter {
  readonly protocol = 'binary' as const;

  /** Strict framing (version word first) unless `strict` is false, which writes the old framing. */
  writeMessageBegin(name: string, type: TMessageType, seqId: number, strict = true): void {
    if (strict) {
      this.writeI32(0x80010000 | type | 0);
      this.writeString(name);
    } else {
      this.writeBinary(utf8.encode(name));
      this.writeByte(type);
    }
    this.writeI32(seqId);
  }

  writeFieldBegin(type: TType, id: number): void {
    this.writeByte(type);
    this.writeI16(id);
  }

  writeFieldStop(): void {
    this.writeByte(TType.Stop);
  }

  writeListBegin(elementType: TType, size: number): void {
    this.writeByte(elementType);
    this.writeI32(size);
  }

  writeMapBegin(keyType: TType, valueType: TType, size: number): void {
    this.writeByte(keyType);
    this.writeByte(valueType);
    this.writeI32(size);
  }

  writeBool(value: boolean): void {
    this.writeByte(value ? 1 : 0);
  }

  writeI16(value: number): void {
    this.ensure(2);
    this.view.setInt16(this.length, value);
    this.length += 2;
  }

  writeI32(value: number): void {
    this.ensure(4);
    this.view.setInt32(this.length, value);
    this.length += 4;
  }

  writeI64(value: bigint): void {
    this.ensure(8);
    this.view.setBigInt64(this.length, BigInt.asIntN(64, value));
    this.length += 8;
  }

  writeDouble(value: number): void {
    this.ensure(8);
    this.view.setFloat64(this.length, value);
    this.length += 8;
  }

  writeBinary(value: Uint8Array): void {
    this.writeI32(value.length);
    this.writeRaw(value);
  }
}
