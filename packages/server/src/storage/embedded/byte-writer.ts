/** An append-only byte buffer with the primitives the embedded store's formats use. */
export class ByteWriter {
  #buffer: Buffer;
  #length = 0;

  constructor(initialSize = 64 * 1024) {
    this.#buffer = Buffer.allocUnsafe(initialSize);
  }

  get length(): number {
    return this.#length;
  }

  /** Empties the writer, keeping its buffer for reuse. */
  reset(): void {
    this.#length = 0;
  }

  /** The byte at `offset` of those written. */
  byteAt(offset: number): number {
    return this.#buffer[offset]!;
  }

  /** Drops what was written after the first `length` bytes. */
  truncate(length: number): void {
    if (length < 0 || length > this.#length) throw new RangeError(`cannot truncate ${this.#length} bytes to ${length}`);
    this.#length = length;
  }

  /** The bytes written so far (a view, valid until the next write). */
  bytes(): Buffer {
    return this.#buffer.subarray(0, this.#length);
  }

  #ensure(extra: number): void {
    const needed = this.#length + extra;
    if (needed <= this.#buffer.length) return;
    const grown = Buffer.allocUnsafe(Math.max(needed, this.#buffer.length * 2));
    this.#buffer.copy(grown, 0, 0, this.#length);
    this.#buffer = grown;
  }

  u8(value: number): void {
    this.#ensure(1);
    this.#buffer[this.#length++] = value;
  }

  u32(value: number): void {
    this.#ensure(4);
    this.#buffer.writeUInt32LE(value, this.#length);
    this.#length += 4;
  }

  i64(value: bigint): void {
    this.#ensure(8);
    this.#buffer.writeBigInt64LE(BigInt.asIntN(64, value), this.#length);
    this.#length += 8;
  }

  f64(value: number): void {
    this.#ensure(8);
    this.#buffer.writeDoubleLE(value, this.#length);
    this.#length += 8;
  }

  /** Unsigned LEB128 of a safe integer. */
  varUint(value: number): void {
    this.#ensure(10);
    if (value < 0x80) {
      this.#buffer[this.#length++] = value;
      return;
    }
    let rest = value;
    while (rest >= 0x80) {
      this.#buffer[this.#length++] = (rest % 0x80) | 0x80;
      rest = Math.floor(rest / 0x80);
    }
    this.#buffer[this.#length++] = rest;
  }

  /** Zig-zag LEB128 of a 64-bit signed integer: small magnitudes stay small. */
  varInt64(value: bigint): void {
    // Deltas and durations are small: zig-zag them as plain numbers, without BigInt arithmetic.
    if (value > -SAFE_HALF && value < SAFE_HALF) {
      const number = Number(value);
      this.varUint(number >= 0 ? number * 2 : -number * 2 - 1);
      return;
    }
    let rest = BigInt.asUintN(64, (value << 1n) ^ (value >> 63n));
    this.#ensure(10);
    while (rest >= 0x80n) {
      this.#buffer[this.#length++] = Number(rest & 0x7fn) | 0x80;
      rest >>= 7n;
    }
    this.#buffer[this.#length++] = Number(rest);
  }

  raw(bytes: Uint8Array): void {
    this.#ensure(bytes.length);
    this.#buffer.set(bytes, this.#length);
    this.#length += bytes.length;
  }

  /** Bytes `start` to `end` of `source`, without a view object per call. */
  copyFrom(source: Buffer, start: number, end: number): void {
    const count = end - start;
    this.#ensure(count);
    // A native copy costs more than a short loop: span bodies copy many runs of a few bytes.
    if (count <= 32) {
      const buffer = this.#buffer;
      let at = this.#length;
      for (let i = start; i < end; i++) buffer[at++] = source[i]!;
    } else source.copy(this.#buffer, this.#length, start, end);
    this.#length += count;
  }

  /**
   * A lowercase hex id of at most 32 bytes as `u8 byte length` then the bytes;
   * false, with nothing written, for any other text. Parsed here rather than by
   * a regular expression and `Buffer.write`: ids are most of the per-span calls.
   */
  hexId(value: string): boolean {
    const length = value.length;
    if (length > 64 || length % 2 !== 0) return false;
    this.#ensure(1 + length / 2);
    const buffer = this.#buffer;
    let at = this.#length + 1;
    for (let i = 0; i < length; i += 2) {
      const high = HEX_VALUES[value.charCodeAt(i)] ?? -1;
      const low = HEX_VALUES[value.charCodeAt(i + 1)] ?? -1;
      if (high < 0 || low < 0) return false;
      buffer[at++] = (high << 4) | low;
    }
    buffer[this.#length] = length / 2;
    this.#length = at;
    return true;
  }

  /** Length-prefixed UTF-8. */
  string(value: string): void {
    // Short ASCII (most attribute values) is copied code unit by code unit: two calls into
    // native code per string (byte length, write) cost more than the copy.
    const length = value.length;
    if (length < 0x80) {
      this.#ensure(1 + length);
      const buffer = this.#buffer;
      const at = this.#length + 1;
      let i = 0;
      for (; i < length; i++) {
        const code = value.charCodeAt(i);
        if (code >= 0x80) break;
        buffer[at + i] = code;
      }
      if (i === length) {
        buffer[this.#length] = length;
        this.#length = at + length;
        return;
      }
    }
    const byteLength = Buffer.byteLength(value);
    this.varUint(byteLength);
    this.#ensure(byteLength);
    this.#buffer.write(value, this.#length, 'utf8');
    this.#length += byteLength;
  }
}

const SAFE_HALF = 2n ** 52n;

/** The value of each lowercase hex digit by character code; -1 for any other character below 128. */
const HEX_VALUES = Int8Array.from({ length: 128 }, (_, code) =>
  code >= 48 && code <= 57 ? code - 48 : code >= 97 && code <= 102 ? code - 87 : -1,
);

/** Reads what a `ByteWriter` wrote. Throws a RangeError on truncated input. */
export class ByteReader {
  offset = 0;
  constructor(readonly buffer: Buffer) {}

  #need(count: number): void {
    if (this.offset + count > this.buffer.length) throw new RangeError('truncated data');
  }

  u8(): number {
    this.#need(1);
    return this.buffer[this.offset++]!;
  }

  u32(): number {
    this.#need(4);
    const value = this.buffer.readUInt32LE(this.offset);
    this.offset += 4;
    return value;
  }

  i64(): bigint {
    this.#need(8);
    const value = this.buffer.readBigInt64LE(this.offset);
    this.offset += 8;
    return value;
  }

  f64(): number {
    this.#need(8);
    const value = this.buffer.readDoubleLE(this.offset);
    this.offset += 8;
    return value;
  }

  varUint(): number {
    // Off the buffer itself, a one-byte value first: most are (a page's columns hold millions).
    const buffer = this.buffer;
    let at = this.offset;
    let byte = buffer[at++];
    if (byte === undefined) throw new RangeError('truncated data');
    let value = byte & 0x7f;
    for (let scale = 0x80; byte >= 0x80; scale *= 0x80) {
      byte = buffer[at++];
      if (byte === undefined) throw new RangeError('truncated data');
      value += (byte & 0x7f) * scale;
    }
    this.offset = at;
    return value;
  }

  varInt64(): bigint {
    return BigInt(this.varIntNumber() ?? this.#bigVarInt64());
  }

  /**
   * A zig-zag varint as a number when its magnitude is below 2^52 (what the
   * writer's fast path produces); otherwise undefined, with nothing consumed.
   */
  varIntNumber(): number | undefined {
    const buffer = this.buffer;
    let at = this.offset;
    let value = 0;
    for (let scale = 1; ; ) {
      const byte = buffer[at++];
      if (byte === undefined) throw new RangeError('truncated data');
      value += (byte & 0x7f) * scale;
      if (byte < 0x80) break;
      scale *= 0x80;
      if (scale > 2 ** 49) return undefined;
    }
    if (value >= 2 ** 53) return undefined;
    this.offset = at;
    return value % 2 === 0 ? value / 2 : -(value + 1) / 2;
  }

  #bigVarInt64(): bigint {
    let value = 0n;
    let shift = 0n;
    for (;;) {
      const byte = this.u8();
      value |= BigInt(byte & 0x7f) << shift;
      if (byte < 0x80) break;
      shift += 7n;
    }
    return BigInt.asIntN(64, (value >> 1n) ^ -(value & 1n));
  }

  raw(count: number): Buffer {
    this.#need(count);
    const bytes = this.buffer.subarray(this.offset, this.offset + count);
    this.offset += count;
    return bytes;
  }

  string(): string {
    const length = this.varUint();
    this.#need(length);
    const value = this.buffer.toString('utf8', this.offset, this.offset + length);
    this.offset += length;
    return value;
  }
}
