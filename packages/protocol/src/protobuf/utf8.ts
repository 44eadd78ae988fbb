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

/** Decodes with TextDecoder, where Node's native decoder is missing (browsers). */
export function decodeUtf8(bytes: Uint8Array, start: number, end: number): string {
  return decoder.decode(bytes.subarray(start, end));
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

/** Strings up to this many bytes go through the intern table (a multiple of 4). */
export const INTERN_MAX_BYTES = 40;
const INTERN_WORDS = INTERN_MAX_BYTES / 4;
const INTERN_SLOT_BITS = 12;
const INTERN_SLOTS = 1 << INTERN_SLOT_BITS;
const internStrings: string[] = new Array<string>(INTERN_SLOTS).fill('');
/**
 * The UTF-8 bytes of each slot's string as little-endian words, so that a lookup
 * compares four bytes at a time: the words at 0, 4, 8... and, as the last one, the
 * word that ends at the string's end (overlapping its neighbour when the length is
 * not a multiple of four). Strings under 4 bytes are packed into one word.
 */
const internWords = new Int32Array(INTERN_SLOTS * INTERN_WORDS);
const internLengths = new Int32Array(INTERN_SLOTS).fill(-1);

/**
 * Decodes a short UTF-8 string through a direct-mapped table of recent
 * strings. Tracing data repeats short strings a lot (attribute keys, methods,
 * hosts, scope names), and returning the string made last time for the same
 * bytes saves both the decode and the allocation. `view` covers the same bytes
 * as `bytes`; `end - start` must be between 1 and `INTERN_MAX_BYTES`.
 */
export function decodeUtf8Interned(
  bytes: Uint8Array,
  view: DataView,
  start: number,
  end: number,
  native: NativeUtf8 | undefined,
): string {
  const length = end - start;
  let first: number;
  let last: number;
  let middle: number;
  if (length >= 4) {
    first = view.getInt32(start, true);
    last = view.getInt32(end - 4, true);
    middle = view.getInt32(start + ((length - 4) >>> 1), true);
  } else {
    first = bytes[start] as number;
    if (length > 1) first |= (bytes[start + 1] as number) << 8;
    if (length > 2) first |= (bytes[start + 2] as number) << 16;
    last = first;
    middle = first;
  }
  // The hash samples three words only (the comparison below checks them all): the first, the
  // middle and the last, where counters and ids in values tend to differ.
  let hash = Math.imul(first ^ length, 0x9e3779b1) ^ Math.imul(middle, 0x85ebca77) ^ last;
  // A product's low bits depend only on its inputs' low bits: mix, and take the slot from the top.
  hash = Math.imul(hash ^ (hash >>> 16), 0xc2b2ae35);
  const slot = (hash ^ (hash >>> 13)) >>> (32 - INTERN_SLOT_BITS);
  const base = slot * INTERN_WORDS;
  const lastWord = (length - 1) >>> 2;
  if (internLengths[slot] === length && internWords[base + lastWord] === last) {
    let k = 0;
    while (k < lastWord && internWords[base + k] === view.getInt32(start + 4 * k, true)) k++;
    if (k === lastWord) return internStrings[slot] as string;
  }
  const text =
    shortAscii(view, start, length) ??
    (native !== undefined ? native.utf8Slice(start, end) : decodeUtf8(bytes, start, end));
  internStrings[slot] = text;
  internLengths[slot] = length;
  for (let k = 0; k < lastWord; k++) internWords[base + k] = view.getInt32(start + 4 * k, true);
  internWords[base + lastWord] = last;
  return text;
}
