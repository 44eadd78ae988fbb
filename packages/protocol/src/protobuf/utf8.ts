/**
 * UTF-8 helpers shared by the protobuf reader and writer. Short ASCII strings
 * (most keys and values in tracing data) are built in JavaScript
 * (`shortAscii`, and a char loop when encoding), which is cheaper than a call
 * into native code; everything else goes through Node's native decoder or
 * TextDecoder/TextEncoder. Invalid UTF-8 decodes to U+FFFD (never a throw).
 */
import { shortAscii } from './short-ascii.js';

const decoder = new TextDecoder('utf-8', { fatal: false, ignoreBOM: true });

/** Node's native slice decoder: faster than TextDecoder for short strings, slower than `shortAscii` for ASCII ones. */
export interface NativeUtf8 extends Uint8Array {
  utf8Slice(start: number, end: number): string;
  /** Lowercase hex of the bytes, as one flat string (ids). */
  hexSlice(start: number, end: number): string;
}

/**
 * A view of `bytes` that decodes UTF-8 natively, when the platform has one
 * (Node's Buffer); `undefined` elsewhere (browsers), where `decodeUtf8` is used.
 */
export function nativeUtf8View(bytes: Uint8Array): NativeUtf8 | undefined {
  const NodeBuffer = (globalThis as { Buffer?: typeof Buffer }).Buffer;
  if (NodeBuffer === undefined || typeof NodeBuffer.prototype.utf8Slice !== 'function') return undefined;
  return NodeBuffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength) as unknown as NativeUtf8;
}
const encoder = new TextEncoder();

export function decodeUtf8(bytes: Uint8Array, start: number, end: number): string {
  return shortAscii(bytes, start, end - start) ?? decoder.decode(bytes.subarray(start, end));
}

/** Exact number of UTF-8 bytes `text` encodes to (lone surrogates count as U+FFFD, 3 bytes, as TextEncoder writes them). */
export function utf8Length(text: string): number {
  let length = text.length;
  for (let i = 0; i < text.length; i++) {
    const code = text.charCodeAt(i);
    if (code < 0x80) continue;
    if (code < 0x800) length += 1;
    else if (code >= 0xd800 && code <= 0xdbff && i + 1 < text.length) {
      const next = text.charCodeAt(i + 1);
      if (next >= 0xdc00 && next <= 0xdfff) {
        // A surrogate pair is two UTF-16 units and four UTF-8 bytes.
        length += 2;
        i++;
      } else length += 2;
    } else length += 2;
  }
  return length;
}

/**
 * Writes `text` as UTF-8 into `bytes` at `offset`, which must have room for
 * `text.length * 3` bytes. Returns the number of bytes written.
 */
export function writeUtf8(text: string, bytes: Uint8Array, offset: number): number {
  const length = text.length;
  let i = 0;
  for (; i < length; i++) {
    const code = text.charCodeAt(i);
    if (code >= 0x80) break;
    bytes[offset + i] = code;
  }
  if (i === length) return length;
  return i + encoder.encodeInto(text.slice(i), bytes.subarray(offset + i)).written;
}

/** Strings up to this many bytes go through the intern table. */
export const INTERN_MAX_BYTES = 40;
const INTERN_SLOTS = 4096;
const internStrings: string[] = new Array<string>(INTERN_SLOTS).fill('');
/** The UTF-8 bytes of each slot's string, so that a lookup compares bytes with bytes. */
const internBytes = new Uint8Array(INTERN_SLOTS * INTERN_MAX_BYTES);
const internLengths = new Int32Array(INTERN_SLOTS).fill(-1);

/**
 * Decodes a short UTF-8 string through a direct-mapped table of recent
 * strings. Tracing data repeats short strings a lot (attribute keys, methods,
 * hosts, scope names), and returning the string made last time for the same
 * bytes saves both the decode and the allocation. `end - start` must be at
 * most `INTERN_MAX_BYTES`.
 */
export function decodeUtf8Interned(
  bytes: Uint8Array,
  start: number,
  end: number,
  native: NativeUtf8 | undefined,
): string {
  const length = end - start;
  // The hash samples a few bytes only (the comparison below checks them all): the length, the
  // first and middle bytes, and the last four, where counters and ids in values tend to differ.
  let hash = length;
  if (length > 0) {
    hash = Math.imul(hash ^ (bytes[start] as number), 0x01000193);
    hash = Math.imul(hash ^ (bytes[start + (length >>> 1)] as number), 0x01000193);
    for (let i = end - 1, stop = Math.max(start, end - 4); i >= stop; i--) {
      hash = Math.imul(hash ^ (bytes[i] as number), 0x01000193);
    }
  }
  const slot = (hash ^ (hash >>> 13)) & (INTERN_SLOTS - 1);
  const base = slot * INTERN_MAX_BYTES;
  if (internLengths[slot] === length) {
    let i = 0;
    while (i < length && internBytes[base + i] === bytes[start + i]) i++;
    if (i === length) return internStrings[slot] as string;
  }
  const text =
    shortAscii(bytes, start, length) ??
    (native !== undefined ? native.utf8Slice(start, end) : decodeUtf8(bytes, start, end));
  internStrings[slot] = text;
  internLengths[slot] = length;
  for (let i = 0; i < length; i++) internBytes[base + i] = bytes[start + i] as number;
  return text;
}
