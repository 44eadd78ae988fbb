import { utf8Length, writeUtf8 } from './utf8.js';

const scratchFloat = new Float64Array(1);
const scratchBytes = new Uint8Array(scratchFloat.buffer);

/** Strings up to this many UTF-16 units fit in 127 UTF-8 bytes, so their length prefix is one byte. */
const ONE_BYTE_LENGTH_CHARS = 42;

function varintSize(value: number): number {
  if (value < 0x80) return 1;
  if (value < 0x4000) return 2;
  if (value < 0x200000) return 3;
  if (value < 0x10000000) return 4;
  return 5;
}

/**
 * A protobuf wire-format writer over one growable buffer. Nested messages are
 * written in place: `fork()` reserves a guessed number of bytes for the length
 * prefix, `join()` writes it and moves the body when the guess was wrong, so
 * no message is sized twice and no temporary buffers are made.
 */
export class ProtoWriter {
  private bytes: Uint8Array;
  pos = 0;

  constructor(initialCapacity = 1024) {
    this.bytes = new Uint8Array(initialCapacity);
  }

  /** The bytes written so far (a view, not a copy). */
  finish(): Uint8Array {
    return this.bytes.subarray(0, this.pos);
  }

  private ensure(extra: number): void {
    const needed = this.pos + extra;
    if (needed <= this.bytes.length) return;
    let capacity = this.bytes.length * 2;
    while (capacity < needed) capacity *= 2;
    const grown = new Uint8Array(capacity);
    grown.set(this.bytes.subarray(0, this.pos));
    this.bytes = grown;
  }

  tag(fieldNumber: number, wireType: number): void {
    this.uint32((fieldNumber << 3) | wireType);
  }

  uint32(value: number): void {
    this.ensure(5);
    const bytes = this.bytes;
    let v = value >>> 0;
    while (v >= 0x80) {
      bytes[this.pos++] = (v & 0x7f) | 0x80;
      v >>>= 7;
    }
    bytes[this.pos++] = v;
  }

  /** int32 and enums: negative values take ten bytes, sign-extended to 64 bits. */
  int32(value: number): void {
    if (value >= 0) this.uint32(value);
    else this.uint64(BigInt.asUintN(64, BigInt(value)));
  }

  int64(value: bigint): void {
    this.uint64(BigInt.asUintN(64, value));
  }

  uint64(value: bigint): void {
    this.ensure(10);
    const bytes = this.bytes;
    let low: number;
    let high: number;
    if (value >= 0n && value <= 0x1fffffffffffffn) {
      const n = Number(value);
      low = n >>> 0;
      high = Math.floor(n / 0x100000000);
    } else {
      const v = BigInt.asUintN(64, value);
      low = Number(v & 0xffffffffn);
      high = Number(v >> 32n);
    }
    while (high > 0 || low >= 0x80) {
      bytes[this.pos++] = (low & 0x7f) | 0x80;
      low = ((low >>> 7) | (high << 25)) >>> 0;
      high >>>= 7;
    }
    bytes[this.pos++] = low;
  }

  bool(value: boolean): void {
    this.ensure(1);
    this.bytes[this.pos++] = value ? 1 : 0;
  }

  fixed32(value: number): void {
    this.ensure(4);
    const bytes = this.bytes;
    const v = value >>> 0;
    bytes[this.pos++] = v & 0xff;
    bytes[this.pos++] = (v >>> 8) & 0xff;
    bytes[this.pos++] = (v >>> 16) & 0xff;
    bytes[this.pos++] = v >>> 24;
  }

  fixed64(value: bigint): void {
    let low: number;
    let high: number;
    if (value >= 0n && value <= 0x1fffffffffffffn) {
      const n = Number(value);
      low = n >>> 0;
      high = Math.floor(n / 0x100000000);
    } else {
      const v = BigInt.asUintN(64, value);
      low = Number(v & 0xffffffffn);
      high = Number(v >> 32n);
    }
    this.fixed32(low);
    this.fixed32(high);
  }

  double(value: number): void {
    this.ensure(8);
    scratchFloat[0] = value;
    this.bytes.set(scratchBytes, this.pos);
    this.pos += 8;
  }

  bytesField(value: Uint8Array): void {
    this.uint32(value.length);
    this.ensure(value.length);
    this.bytes.set(value, this.pos);
    this.pos += value.length;
  }

  /** Writes raw bytes with no length prefix (e.g. an id already in binary). */
  raw(value: Uint8Array): void {
    this.ensure(value.length);
    this.bytes.set(value, this.pos);
    this.pos += value.length;
  }

  /** Writes `hex` (even length, valid hex) as a length-prefixed bytes field. */
  hexBytes(hex: string): void {
    const length = hex.length >>> 1;
    this.uint32(length);
    this.ensure(length);
    const bytes = this.bytes;
    for (let i = 0; i < length; i++) {
      bytes[this.pos++] = (hexNibble(hex.charCodeAt(2 * i)) << 4) | hexNibble(hex.charCodeAt(2 * i + 1));
    }
  }

  string(value: string): void {
    const chars = value.length;
    if (chars <= ONE_BYTE_LENGTH_CHARS) {
      this.ensure(1 + chars * 3);
      const lengthAt = this.pos++;
      const written = writeUtf8(value, this.bytes, this.pos);
      this.bytes[lengthAt] = written;
      this.pos += written;
      return;
    }
    const length = utf8Length(value);
    this.uint32(length);
    this.ensure(chars * 3);
    this.pos += writeUtf8(value, this.bytes, this.pos);
  }

  /**
   * Starts a length-delimited field body, reserving `reserve` bytes (1 to 5)
   * for its length. Returns the mark to give to `join()`.
   */
  fork(reserve = 1): number {
    this.ensure(reserve);
    const mark = this.pos;
    this.pos += reserve;
    return mark * 8 + reserve;
  }

  /** Ends the field body started by the `fork()` that returned `mark`. */
  join(mark: number): void {
    const reserve = mark % 8;
    const lengthAt = (mark - reserve) / 8;
    const bodyStart = lengthAt + reserve;
    const length = this.pos - bodyStart;
    const size = varintSize(length);
    if (size !== reserve) {
      this.ensure(size - reserve);
      this.bytes.copyWithin(lengthAt + size, bodyStart, this.pos);
      this.pos += size - reserve;
    }
    const bytes = this.bytes;
    let v = length;
    let at = lengthAt;
    while (v >= 0x80) {
      bytes[at++] = (v & 0x7f) | 0x80;
      v >>>= 7;
    }
    bytes[at] = v;
  }
}

function hexNibble(code: number): number {
  if (code >= 48 && code <= 57) return code - 48;
  if (code >= 97 && code <= 102) return code - 87;
  if (code >= 65 && code <= 70) return code - 55;
  return 0;
}
