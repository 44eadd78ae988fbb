import type { ThriftProtocol, TMessageType, TType } from './thrift-type.js';

const utf8 = new TextEncoder();

/**
 * The write side of the Thrift protocols, used to build known payloads in
 * tests and by anything that needs to speak Jaeger's agent protocol. Structs
 * are written field by field: `writeFieldBegin`, the value, and finally
 * `writeFieldStop` before `writeStructEnd`.
 */
export abstract class ThriftWriter {
  abstract readonly protocol: ThriftProtocol;
  private buffer = new Uint8Array(256);
  protected view = new DataView(this.buffer.buffer);
  protected length = 0;

  abstract writeMessageBegin(name: string, type: TMessageType, seqId: number): void;
  abstract writeFieldBegin(type: TType, id: number): void;
  abstract writeFieldStop(): void;
  abstract writeListBegin(elementType: TType, size: number): void;
  abstract writeMapBegin(keyType: TType, valueType: TType, size: number): void;
  abstract writeBool(value: boolean): void;
  abstract writeI16(value: number): void;
  abstract writeI32(value: number): void;
  abstract writeI64(value: bigint): void;
  abstract writeDouble(value: number): void;
  abstract writeBinary(value: Uint8Array): void;

  writeStructBegin(): void {}
  writeStructEnd(): void {}

  writeSetBegin(elementType: TType, size: number): void {
    this.writeListBegin(elementType, size);
  }

  /** One byte; -128..255 are all accepted (the low 8 bits are written). */
  writeByte(value: number): void {
    this.ensure(1);
    this.view.setUint8(this.length++, value & 0xff);
  }

  writeString(value: string): void {
    this.writeBinary(utf8.encode(value));
  }

  /** Raw bytes, for tests that need to craft invalid input. */
  writeRaw(bytes: Uint8Array | readonly number[]): void {
    this.ensure(bytes.length);
    this.buffer.set(bytes, this.length);
    this.length += bytes.length;
  }

  /** The bytes written so far (a copy). */
  finish(): Uint8Array {
    return this.buffer.slice(0, this.length);
  }

  protected ensure(extra: number): void {
    if (this.length + extra <= this.buffer.length) return;
    let size = this.buffer.length * 2;
    while (size < this.length + extra) size *= 2;
    const next = new Uint8Array(size);
    next.set(this.buffer.subarray(0, this.length));
    this.buffer = next;
    this.view = new DataView(next.buffer);
  }
}
