import { AriadneError } from '../errors.js';
import { bytesToHex } from '../model/ids.js';
import { shortAscii } from './short-ascii.js';
import { decodeUtf8, decodeUtf8Interned, INTERN_MAX_BYTES, nativeUtf8View } from './utf8.js';

/** Groups inside groups deeper than this are treated as hostile rather than recursed into. */
const MAX_GROUP_DEPTH = 64;

// Protobuf doubles are little-endian, as is every platform Node runs on in practice.
const scratchFloat = new Float64Array(1);
const scratchBytes = new Uint8Array(scratchFloat.buffer);

/** The high half of the last large fixed64 read, and its value as a BigInt shifted into place. */
let lastHigh = -1;
let lastHighBig = 0n;

/**
 * A protobuf wire-format reader over one buffer. Decoders drive it field by
 * field: `readTag()`, then the read method that matches the field's type, and
 * `skip(wireType)` for fields they do not know. Nested messages are read in
 * place: `readLength()` returns the length and the decoder loops while
 * `pos < end`, so no sub-buffers or closures are created.
 *
 * Every length is checked against the end of the buffer before use, so an
 * untrusted length never drives an allocation or a read past the end. All
 * failures throw `AriadneError('InvalidPayload')` naming the byte offset.
 */
export class ProtoReader {
  pos: number;
  readonly bytes: Uint8Array;
  readonly end: number;
  /** The same bytes, for reading four at a time. */
  readonly view: DataView;
  private readonly native: ReturnType<typeof nativeUtf8View>;
  /** The halves of the last 64-bit varint, so that its BigInt is made once, by the method that knows its sign. */
  private low = 0;
  private high = 0;

  constructor(bytes: Uint8Array, start = 0, end = bytes.length) {
    this.bytes = bytes;
    this.view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
    this.native = nativeUtf8View(bytes);
    this.pos = start;
    this.end = end;
  }

  fail(message: string, offset = this.pos): never {
    throw new AriadneError('InvalidPayload', `protobuf: ${message} at byte ${offset}`);
  }

  /**
   * Reads a field tag and returns it whole (`fieldNumber << 3 | wireType`), so
   * decoders can switch on constants like `(9 << 3) | 2`. Field number 0 and
   * wire types 6 and 7 are rejected here.
   */
  readTag(): number {
    const start = this.pos;
    const tag = this.readVarint32();
    const fieldNumber = tag >>> 3;
    const wireType = tag & 7;
    if (fieldNumber === 0) this.fail('field number 0', start);
    if (wireType > 5) this.fail(`invalid wire type ${wireType}`, start);
    return tag;
  }

  /** A varint truncated to its low 32 bits, unsigned (uint32, and tags). Up to 10 bytes are accepted. */
  readVarint32(): number {
    const bytes = this.bytes;
    let pos = this.pos;
    if (pos < this.end) {
      const first = bytes[pos] as number;
      if (first < 0x80) {
        this.pos = pos + 1;
        return first;
      }
    }
    const start = pos;
    let result = 0;
    for (let shift = 0; shift < 70; shift += 7) {
      if (pos >= this.end) this.fail('truncated varint', start);
      const byte = bytes[pos++] as number;
      if (shift < 32) result |= (byte & 0x7f) << shift;
      if (byte < 0x80) {
        this.pos = pos;
        return result >>> 0;
      }
    }
    return this.fail('varint longer than 10 bytes', start);
  }

  /** int32 and enums: negative values arrive as 10-byte varints. */
  readInt32(): number {
    return this.readVarint32() | 0;
  }

  /** A varint as a signed 64-bit integer (int64). */
  readInt64(): bigint {
    this.readVarint64();
    const low = this.low;
    const high = this.high;
    // Most values fit a double exactly (|value| <= 2^53): one BigInt made from it, no 64-bit BigInt arithmetic.
    if (high < 0x200000) return BigInt(high * 0x100000000 + low);
    if (high >= 0xffe00000) return BigInt((high - 0x100000000) * 0x100000000 + low);
    return BigInt.asIntN(64, (BigInt(high) << 32n) | BigInt(low));
  }

  /** A varint as an unsigned 64-bit integer (uint64). */
  readUint64(): bigint {
    this.readVarint64();
    const low = this.low;
    const high = this.high;
    if (high < 0x200000) return BigInt(high * 0x100000000 + low);
    return (BigInt(high) << 32n) | BigInt(low);
  }

  /** Reads a varint into `low` and `high`, its unsigned 32-bit halves. */
  private readVarint64(): void {
    const bytes = this.bytes;
    const start = this.pos;
    let pos = start;
    let low = 0;
    let high = 0;
    let byte = 0x80;
    // The low 28 bits, then the middle 7 bits split across the two halves, then the high part.
    for (let shift = 0; shift < 28 && byte >= 0x80; shift += 7) {
      if (pos >= this.end) this.fail('truncated varint', start);
      byte = bytes[pos++] as number;
      low |= (byte & 0x7f) << shift;
    }
    if (byte >= 0x80) {
      if (pos >= this.end) this.fail('truncated varint', start);
      byte = bytes[pos++] as number;
      low |= (byte & 0x0f) << 28;
      high = (byte & 0x7f) >> 4;
      for (let shift = 3; shift < 32 && byte >= 0x80; shift += 7) {
        if (pos >= this.end) this.fail('truncated varint', start);
        byte = bytes[pos++] as number;
        high |= (byte & 0x7f) << shift;
      }
      if (byte >= 0x80) this.fail('varint longer than 10 bytes', start);
    }
    this.pos = pos;
    this.low = low >>> 0;
    this.high = high >>> 0;
  }

  readBool(): boolean {
    return this.readVarint32() !== 0;
  }

  readFixed32(): number {
    const pos = this.pos;
    if (this.end - pos < 4) this.fail('truncated fixed32');
    const bytes = this.bytes;
    this.pos = pos + 4;
    return (
      ((bytes[pos] as number) |
        ((bytes[pos + 1] as number) << 8) |
        ((bytes[pos + 2] as number) << 16) |
        ((bytes[pos + 3] as number) << 24)) >>>
      0
    );
  }

  /** fixed64, unsigned (timestamps in nanoseconds). */
  readFixed64(): bigint {
    const pos = this.pos;
    if (this.end - pos < 8) this.fail('truncated fixed64');
    const low = this.readFixed32();
    const high = this.readFixed32();
    if (high < 0x200000) return BigInt(high * 0x100000000 + low);
    // Timestamps are past 2^53, so the high half needs a BigInt of its own; it changes
    // once every 4.3 seconds, so it is kept from the last call rather than made again.
    if (high !== lastHigh) {
      lastHigh = high;
      lastHighBig = BigInt(high) << 32n;
    }
    return lastHighBig + BigInt(low);
  }

  readSfixed64(): bigint {
    return BigInt.asIntN(64, this.readFixed64());
  }

  readDouble(): number {
    const pos = this.pos;
    if (this.end - pos < 8) this.fail('truncated double');
    this.pos = pos + 8;
    // A scratch copy avoids a DataView allocation per value (and is correct on any alignment).
    for (let i = 0; i < 8; i++) scratchBytes[i] = this.bytes[pos + i] as number;
    return scratchFloat[0] as number;
  }

  /** Reads a length prefix and checks that that many bytes follow; returns the end offset of the field. */
  readLength(): number {
    const start = this.pos;
    if (start < this.end) {
      const first = this.bytes[start] as number;
      if (first < 0x80) {
        if (first > this.end - start - 1) {
          this.fail(`length ${first} runs past the end of the message (${this.end - start - 1} bytes left)`, start);
        }
        this.pos = start + 1;
        return start + 1 + first;
      }
    }
    const length = this.readVarint32Strict();
    if (length > this.end - this.pos) {
      this.fail(`length ${length} runs past the end of the message (${this.end - this.pos} bytes left)`, start);
    }
    return this.pos + length;
  }

  /** A string field; invalid UTF-8 becomes U+FFFD. */
  readString(): string {
    const end = this.readLength();
    const start = this.pos;
    this.pos = end;
    return this.stringAt(start, end);
  }

  /**
   * A string field that is unlikely to repeat (attribute values, which are often ids,
   * paths or statements): decoded directly, without the intern table, whose lookups and
   * updates cost more than they save when most values miss. Invalid UTF-8 becomes U+FFFD.
   */
  readUncommonString(): string {
    const end = this.readLength();
    const start = this.pos;
    this.pos = end;
    return this.uncommonStringAt(start, end);
  }

  /**
   * The string in `bytes[start..end]`, through the intern table, for decoders that have
   * already checked the field's framing themselves; `end` must not pass `this.end`.
   */
  stringAt(start: number, end: number): string {
    if (start === end) return '';
    if (end - start <= INTERN_MAX_BYTES) return decodeUtf8Interned(this.bytes, this.view, start, end, this.native);
    const native = this.native;
    return native !== undefined ? native.utf8Slice(start, end) : decodeUtf8(this.bytes, start, end);
  }

  /** As `stringAt`, without the intern table (see `readUncommonString`). */
  uncommonStringAt(start: number, end: number): string {
    const ascii = shortAscii(this.view, start, end - start);
    if (ascii !== undefined) return ascii;
    const native = this.native;
    return native !== undefined ? native.utf8Slice(start, end) : decodeUtf8(this.bytes, start, end);
  }

  /** Lowercase hex of `bytes[start..end]` (trace and span ids), natively when the platform can. */
  hexOf(start: number, end: number): string {
    const native = this.native;
    return native !== undefined ? native.hexSlice(start, end) : bytesToHex(this.bytes, start, end - start);
  }

  /** A bytes field as a view into the input (no copy): valid until the caller's buffer is reused. */
  readBytesView(): Uint8Array {
    const end = this.readLength();
    const start = this.pos;
    this.pos = end;
    return this.bytes.subarray(start, end);
  }

  /** A bytes field as a copy the caller may keep. */
  readBytes(): Uint8Array {
    const end = this.readLength();
    const start = this.pos;
    this.pos = end;
    return this.bytes.slice(start, end);
  }

  /** Skips the value of a field whose tag was just read. */
  skip(tag: number): void {
    switch (tag & 7) {
      case 0:
        this.skipVarint();
        return;
      case 1:
        if (this.end - this.pos < 8) this.fail('truncated fixed64');
        this.pos += 8;
        return;
      case 2:
        this.pos = this.readLength();
        return;
      case 3:
        this.skipGroup(tag >>> 3);
        return;
      case 4:
        this.fail(`unexpected end-group for field ${tag >>> 3}`);
        return;
      case 5:
        if (this.end - this.pos < 4) this.fail('truncated fixed32');
        this.pos += 4;
        return;
      default:
        this.fail(`invalid wire type ${tag & 7}`);
    }
  }

  /** Checks that a decoder stopped exactly where its message ends (a field overran it otherwise). */
  expectEnd(end: number): void {
    if (this.pos !== end) this.fail(`field overruns its enclosing message ending at byte ${end}`);
  }

  /** Lengths are uint32 on the wire in practice; a varint with high bits set is hostile, not large. */
  private readVarint32Strict(): number {
    const start = this.pos;
    const bytes = this.bytes;
    let pos = start;
    let result = 0;
    // A running factor rather than `2 ** shift`, which V8 computes with a call to pow.
    for (let shift = 0, factor = 1; shift < 35; shift += 7, factor *= 128) {
      if (pos >= this.end) this.fail('truncated length', start);
      const byte = bytes[pos++] as number;
      result += (byte & 0x7f) * factor;
      if (byte < 0x80) {
        this.pos = pos;
        return result;
      }
    }
    return this.fail('length prefix longer than 5 bytes', start);
  }

  private skipVarint(): void {
    const start = this.pos;
    const bytes = this.bytes;
    for (let i = 0; i < 10; i++) {
      if (this.pos >= this.end) this.fail('truncated varint', start);
      if ((bytes[this.pos++] as number) < 0x80) return;
    }
    this.fail('varint longer than 10 bytes', start);
  }

  /** Skips a (deprecated) group iteratively up to its matching end-group tag. */
  private skipGroup(fieldNumber: number): void {
    const start = this.pos;
    const open: number[] = [fieldNumber];
    while (open.length > 0) {
      if (this.pos >= this.end) this.fail(`unterminated group for field ${open[open.length - 1]}`, start);
      const tag = this.readTag();
      const wireType = tag & 7;
      if (wireType === 3) {
        if (open.length >= MAX_GROUP_DEPTH) this.fail(`groups nested deeper than ${MAX_GROUP_DEPTH} levels`);
        open.push(tag >>> 3);
      } else if (wireType === 4) {
        const expected = open.pop();
        if (expected !== tag >>> 3) this.fail(`end-group for field ${tag >>> 3} closes group ${expected}`);
      } else this.skip(tag);
    }
  }
}
