/**
 * ClickHouse's RowBinary format, both ways: values back to back, little-endian
 * integers, strings and arrays prefixed by a LEB128 length. Nothing is escaped
 * or quoted, so a 1 MB attribute value is one copy, and ids and nanosecond
 * times go in as the 8 bytes they are (no bigint to decimal text and back).
 */
export class RowBinaryWriter {
  #buffer: Buffer;
  #offset = 0;

  constructor(initialBytes = 1 << 20) {
    this.#buffer = Buffer.allocUnsafe(initialBytes);
  }

  get length(): number {
    return this.#offset;
  }

  /** The bytes written so far (a view: valid until the next write). */
  bytes(): Buffer {
    return this.#buffer.subarray(0, this.#offset);
  }

  #reserve(bytes: number): void {
    if (this.#offset + bytes <= this.#buffer.length) return;
    const grown = Buffer.allocUnsafe(Math.max(this.#buffer.length * 2, this.#offset + bytes));
    this.#buffer.copy(grown, 0, 0, this.#offset);
    this.#buffer = grown;
  }

  uint8(value: number): void {
    this.#reserve(1);
    this.#buffer[this.#offset++] = value;
  }

  uint32(value: number): void {
    this.#reserve(4);
    this.#buffer.writeUInt32LE(value >>> 0, this.#offset);
    this.#offset += 4;
  }

  uint64(value: bigint): void {
    this.#reserve(8);
    this.#buffer.writeBigUInt64LE(value, this.#offset);
    this.#offset += 8;
  }

  /** A UInt64 given as 16 lowercase hex digits (a span id, half a trace id): no bigint on the way. */
  uint64Hex(hex: string, start = 0): void {
    this.#reserve(8);
    this.#buffer.writeUInt32LE(hexWord(hex, start + 8), this.#offset);
    this.#buffer.writeUInt32LE(hexWord(hex, start), this.#offset + 4);
    this.#offset += 8;
  }

  float64(value: number): void {
    this.#reserve(8);
    this.#buffer.writeDoubleLE(value, this.#offset);
    this.#offset += 8;
  }

  varUInt(value: number): void {
    this.#reserve(5);
    let rest = value;
    while (rest >= 0x80) {
      this.#buffer[this.#offset++] = (rest & 0x7f) | 0x80;
      rest >>>= 7;
    }
    this.#buffer[this.#offset++] = rest;
  }

  string(text: string): void {
    const length = text.length;
    if (length < 0x80) {
      // Short ASCII (most names, keys and values) byte by byte: cheaper than a call into native code.
      this.#reserve(length + 1);
      const buffer = this.#buffer;
      const start = this.#offset + 1;
      let i = 0;
      for (; i < length; i++) {
        const code = text.charCodeAt(i);
        if (code >= 0x80) break;
        buffer[start + i] = code;
      }
      if (i === length) {
        buffer[this.#offset] = length;
        this.#offset = start + length;
        return;
      }
    }
    // Written after a one-byte length guess, moved when longer.
    const maxBytes = length * 3;
    this.#reserve(maxBytes + 5);
    const start = this.#offset;
    const written = this.#buffer.write(text, start + 1, maxBytes, 'utf8');
    if (written < 0x80) {
      this.#buffer[start] = written;
      this.#offset = start + 1 + written;
      return;
    }
    let prefix = 1;
    for (let rest = written >>> 7; rest > 0; rest >>>= 7) prefix++;
    this.#buffer.copy(this.#buffer, start + prefix, start + 1, start + 1 + written);
    this.varUInt(written);
    this.#offset = start + prefix + written;
  }

  /** Bytes that are already RowBinary (a cached run of columns). */
  raw(bytes: Uint8Array): void {
    this.#reserve(bytes.length);
    this.#buffer.set(bytes, this.#offset);
    this.#offset += bytes.length;
  }
}

export class RowBinaryReader {
  readonly #buffer: Buffer;
  #offset = 0;

  constructor(buffer: Buffer) {
    this.#buffer = buffer;
  }

  get offset(): number {
    return this.#offset;
  }

  get done(): boolean {
    return this.#offset >= this.#buffer.length;
  }

  #need(bytes: number): void {
    if (this.#offset + bytes > this.#buffer.length) {
      throw new RangeError(`RowBinary answer ends early: ${bytes} bytes needed at ${this.#offset}`);
    }
  }

  uint8(): number {
    this.#need(1);
    return this.#buffer[this.#offset++]!;
  }

  uint32(): number {
    this.#need(4);
    const value = this.#buffer.readUInt32LE(this.#offset);
    this.#offset += 4;
    return value;
  }

  uint64(): bigint {
    this.#need(8);
    const value = this.#buffer.readBigUInt64LE(this.#offset);
    this.#offset += 8;
    return value;
  }

  /** A UInt64 as 16 lowercase hex digits. */
  uint64Hex(): string {
    this.#need(8);
    const low = this.#buffer.readUInt32LE(this.#offset);
    const high = this.#buffer.readUInt32LE(this.#offset + 4);
    this.#offset += 8;
    return high.toString(16).padStart(8, '0') + low.toString(16).padStart(8, '0');
  }

  float64(): number {
    this.#need(8);
    const value = this.#buffer.readDoubleLE(this.#offset);
    this.#offset += 8;
    return value;
  }

  varUInt(): number {
    let value = 0;
    let shift = 0;
    for (;;) {
      const byte = this.uint8();
      value += (byte & 0x7f) * 2 ** shift;
      if (byte < 0x80) return value;
      shift += 7;
      if (shift > 35) throw new RangeError('RowBinary length does not fit');
    }
  }

  string(): string {
    const length = this.varUInt();
    this.#need(length);
    const text = this.#buffer.toString('utf8', this.#offset, this.#offset + length);
    this.#offset += length;
    return text;
  }

  /** The raw bytes of a string value, without decoding (a cache key). */
  stringBytes(): Buffer {
    const length = this.varUInt();
    this.#need(length);
    const bytes = this.#buffer.subarray(this.#offset, this.#offset + length);
    this.#offset += length;
    return bytes;
  }

  /** The bytes between two offsets already read (a run of columns to cache by content). */
  slice(from: number, to: number): Buffer {
    return this.#buffer.subarray(from, to);
  }
}

/** Eight hex digits (0-9, a-f) as a 32-bit number. */
function hexWord(hex: string, start: number): number {
  let value = 0;
  for (let i = start; i < start + 8; i++) {
    const code = hex.charCodeAt(i);
    value = value * 16 + (code <= 57 ? code - 48 : code - 87);
  }
  return value;
}
