/**
 * Trace and span ids as lowercase hex, for decoders that see the same ids again
 * and again: the spans of one trace share a trace id, and a parent's span id
 * comes back as its children's parent id (before or after it, depending on the
 * order a client exports in). Each id is looked up in a small direct-mapped
 * table of recent ids first, so a repeated id costs a few compares and no new
 * string; a new one is built in one `String.fromCharCode` call from a 256-entry
 * table, which is cheaper than a call into native code for 8 or 16 bytes.
 */
const c = String.fromCharCode as (...codes: (number | undefined)[]) => string;
const DIGITS = '0123456789abcdef';
/** The char codes of each byte's two hex digits. */
const HIGH = new Uint8Array(256);
const LOW = new Uint8Array(256);
for (let i = 0; i < 256; i++) {
  HIGH[i] = DIGITS.charCodeAt(i >>> 4);
  LOW[i] = DIGITS.charCodeAt(i & 15);
}

const SPAN_SLOTS = 1024;
const spanWords = new Int32Array(SPAN_SLOTS * 2);
const spanStrings: string[] = new Array<string>(SPAN_SLOTS).fill('');
const TRACE_SLOTS = 256;
const traceWords = new Int32Array(TRACE_SLOTS * 4);
const traceStrings: string[] = new Array<string>(TRACE_SLOTS).fill('');

function word(b: Uint8Array, i: number): number {
  return (b[i] as number) | ((b[i + 1] as number) << 8) | ((b[i + 2] as number) << 16) | ((b[i + 3] as number) << 24);
}

/** Hex of the 8 bytes at `bytes[start]`; the caller has checked that they are there. */
export function spanIdHex(b: Uint8Array, i: number): string {
  const w0 = word(b, i);
  const w1 = word(b, i + 4);
  // Ids are random, so a multiplicative hash of their bits spreads them well.
  const slot = Math.imul(w0 ^ Math.imul(w1, 0x27d4eb2f), 0x9e3779b1) >>> 22;
  const at = slot * 2;
  // '' marks an empty slot: the words of a fresh table (zeros) would otherwise match an all-zero id.
  if (spanWords[at] === w0 && spanWords[at + 1] === w1 && spanStrings[slot] !== '') return spanStrings[slot] as string;
  const h = HIGH;
  const l = LOW;
  // biome-ignore format: two digits per byte, a line per two bytes
  const text = c(
    h[w0 & 0xff], l[w0 & 0xff], h[(w0 >>> 8) & 0xff], l[(w0 >>> 8) & 0xff],
    h[(w0 >>> 16) & 0xff], l[(w0 >>> 16) & 0xff], h[w0 >>> 24], l[w0 >>> 24],
    h[w1 & 0xff], l[w1 & 0xff], h[(w1 >>> 8) & 0xff], l[(w1 >>> 8) & 0xff],
    h[(w1 >>> 16) & 0xff], l[(w1 >>> 16) & 0xff], h[w1 >>> 24], l[w1 >>> 24],
  );
  spanWords[at] = w0;
  spanWords[at + 1] = w1;
  spanStrings[slot] = text;
  return text;
}

/** Hex of the 16 bytes at `bytes[start]`; the caller has checked that they are there. */
export function traceIdHex(b: Uint8Array, i: number): string {
  const w0 = word(b, i);
  const w1 = word(b, i + 4);
  const w2 = word(b, i + 8);
  const w3 = word(b, i + 12);
  const slot = Math.imul(w0 ^ Math.imul(w1 ^ Math.imul(w2 ^ w3, 0x27d4eb2f), 0x165667b1), 0x9e3779b1) >>> 24;
  const at = slot * 4;
  if (
    traceWords[at] === w0 &&
    traceWords[at + 1] === w1 &&
    traceWords[at + 2] === w2 &&
    traceWords[at + 3] === w3 &&
    traceStrings[slot] !== ''
  ) {
    return traceStrings[slot] as string;
  }
  const h = HIGH;
  const l = LOW;
  // biome-ignore format: two digits per byte, a line per two bytes
  const text = c(
    h[w0 & 0xff], l[w0 & 0xff], h[(w0 >>> 8) & 0xff], l[(w0 >>> 8) & 0xff],
    h[(w0 >>> 16) & 0xff], l[(w0 >>> 16) & 0xff], h[w0 >>> 24], l[w0 >>> 24],
    h[w1 & 0xff], l[w1 & 0xff], h[(w1 >>> 8) & 0xff], l[(w1 >>> 8) & 0xff],
    h[(w1 >>> 16) & 0xff], l[(w1 >>> 16) & 0xff], h[w1 >>> 24], l[w1 >>> 24],
    h[w2 & 0xff], l[w2 & 0xff], h[(w2 >>> 8) & 0xff], l[(w2 >>> 8) & 0xff],
    h[(w2 >>> 16) & 0xff], l[(w2 >>> 16) & 0xff], h[w2 >>> 24], l[w2 >>> 24],
    h[w3 & 0xff], l[w3 & 0xff], h[(w3 >>> 8) & 0xff], l[(w3 >>> 8) & 0xff],
    h[(w3 >>> 16) & 0xff], l[(w3 >>> 16) & 0xff], h[w3 >>> 24], l[w3 >>> 24],
  );
  traceWords[at] = w0;
  traceWords[at + 1] = w1;
  traceWords[at + 2] = w2;
  traceWords[at + 3] = w3;
  traceStrings[slot] = text;
  return text;
}
