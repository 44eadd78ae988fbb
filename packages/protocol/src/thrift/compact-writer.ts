import { type TMessageType, TType } from './thrift-type.js';
import { ThriftWriter } from './thrift-writer.js';

/** `TType` to the compact protocol's type codes (booleans as BOOLEAN_TRUE in collections). */
const TO_COMPACT: Partial<Record<TType, number>> = {
  [TType.Bool]: 1,
  [TType.Byte]: 3,
  [TType.I16]: 4,
  [TType.I32]: 5,
  [TType.I64]: 6,
  [TType.Double]: 7,
  [TType.String]: 8,
  [TType.List]: 9,
  [TType.Set]: 10,
  [TType.Map]: 11,
  [TType.Struct]: 12,
  [TType.Uuid]: 13,
};

function compactType(type: TType): number {
  const code = TO_COMPACT[type];
  if (code === undefined) throw new TypeError(`no compact code for thrift type ${type}`);
  return code;
}

export class CompactWriter extends ThriftWriter {
  readonly protocol = 'compact' as const;
  private readonly lastFieldIds: number[] = [];
  private lastFieldId = 0;
  /** A boolean field's header is written together with its value. */
  private pendingBoolField: number | undefined;

  writeMessageBegin(name: string, type: TMessageType, seqId: number): void {
    this.writeByte(0x82);
    this.writeByte((type << 5) | 1);
    this.writeVarint(seqId >>> 0);
    this.writeString(name);
  }

  override writeStructBegin(): void {
    this.lastFieldIds.push(this.lastFieldId);
    this.lastFieldId = 0;
  }

  override writeStructEnd(): void {
    this.lastFieldId = this.lastFieldIds.pop() ?? 0;
  }

  writeFieldBegin(type: TType, id: number): void {
    if (type === TType.Bool) {
      this.pendingBoolField = id;
      return;
    }
    this.writeFieldHeader(compactType(type), id);
  }

  writeFieldStop(): void {
    this.writeByte(0);
  }

  writeListBegin(elementType: TType, size: number): void {
    const code = compactType(elementType);
    if (size < 15) this.writeByte((size << 4) | code);
    else {
      this.writeByte(0xf0 | code);
      this.writeVarint(size);
    }
  }

  writeMapBegin(keyType: TType, valueType: TType, size: number): void {
    this.writeVarint(size);
    if (size > 0) this.writeByte((compactType(keyType) << 4) | compactType(valueType));
  }

  writeBool(value: boolean): void {
    const field = this.pendingBoolField;
    if (field !== undefined) {
      this.pendingBoolField = undefined;
      this.writeFieldHeader(value ? 1 : 2, field);
    } else this.writeByte(value ? 1 : 2);
  }

  writeI16(value: number): void {
    this.writeVarint(((value << 1) ^ (value >> 31)) >>> 0);
  }

  writeI32(value: number): void {
    this.writeVarint(((value << 1) ^ (value >> 31)) >>> 0);
  }

  writeI64(value: bigint): void {
    const signed = BigInt.asIntN(64, value);
    let n = BigInt.asUintN(64, (signed << 1n) ^ (signed >> 63n));
    this.ensure(10);
    while (n >= 0x80n) {
      this.view.setUint8(this.length++, Number(n & 0x7fn) | 0x80);
      n >>= 7n;
    }
    this.view.setUint8(this.length++, Number(n));
  }

  writeDouble(value: number): void {
    this.ensure(8);
    this.view.setFloat64(this.length, value, true);
    this.length += 8;
  }

  writeBinary(value: Uint8Array): void {
    this.writeVarint(value.length);
    this.writeRaw(value);
  }

  /** Unsigned varint of a value below 2^32. */
  writeVarint(value: number): void {
    this.ensure(5);
    let n = value >>> 0;
    while (n >= 0x80) {
      this.view.setUint8(this.length++, (n & 0x7f) | 0x80);
      n >>>= 7;
    }
    this.view.setUint8(this.length++, n);
  }

  private writeFieldHeader(code: number, id: number): void {
    const delta = id - this.lastFieldId;
    if (delta > 0 && delta <= 15) this.writeByte((delta << 4) | code);
    else {
      this.writeByte(code);
      this.writeI16(id);
    }
    this.lastFieldId = id;
  }
}
