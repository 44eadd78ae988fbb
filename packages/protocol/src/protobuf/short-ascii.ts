/**
 * Short ASCII strings (attribute keys and values, names) are most of the text in
 * tracing data. One `String.fromCharCode` call of exactly the right arity builds
 * a flat one-byte string without a call into native code: for 8 to 20 bytes it
 * took about half the CPU time of Buffer's `utf8Slice` in a micro-benchmark
 * (TextDecoder and `fromCharCode.apply` were slower still). A loop of `+=` is no
 * cheaper, and past 12 characters V8 builds a rope that every later hash or
 * compare must flatten first.
 *
 * The bytes are read four at a time through a DataView, which TurboFan turns
 * into one bounds-checked load, so the ASCII check is an OR of a few words and
 * each character a shift and a mask. A length that is not a multiple of four
 * takes its last characters from a word that ends exactly at the string's end
 * (overlapping the one before), so no read goes past it.
 */
const c = String.fromCharCode as (...codes: number[]) => string;
const F = 0xff;
const HIGH_BITS = 0x80808080;

/** The longest string `shortAscii` builds; longer ones amortize a native decoder's call. */
export const SHORT_ASCII_MAX = 32;

/**
 * The `length` bytes at offset `i` of `v` as a string when they are all ASCII
 * and `length <= SHORT_ASCII_MAX`, `undefined` otherwise. The caller has
 * checked that the range lies inside the view.
 */
export function shortAscii(v: DataView, i: number, length: number): string | undefined {
  // biome-ignore format: one exact-arity call per length, a line of arguments per word
  switch (length) {
    case 0: return '';
    case 1: {
      const b0 = v.getUint8(i);
      return b0 < 0x80 ? c(b0) : undefined;
    }
    case 2: {
      const b0 = v.getUint8(i), b1 = v.getUint8(i + 1);
      return (b0 | b1) < 0x80 ? c(b0, b1) : undefined;
    }
    case 3: {
      const b0 = v.getUint8(i), b1 = v.getUint8(i + 1), b2 = v.getUint8(i + 2);
      return (b0 | b1 | b2) < 0x80 ? c(b0, b1, b2) : undefined;
    }
    case 4: {
      const w0 = v.getInt32(i, true);
      if ((w0 & HIGH_BITS) !== 0) return undefined;
      return c(
        w0 & F, (w0 >> 8) & F, (w0 >> 16) & F, w0 >>> 24,
      );
    }
    case 5: {
      const w0 = v.getInt32(i, true), t = v.getInt32(i + 1, true);
      if (((w0 | t) & HIGH_BITS) !== 0) return undefined;
      return c(
        w0 & F, (w0 >> 8) & F, (w0 >> 16) & F, w0 >>> 24,
        t >>> 24,
      );
    }
    case 6: {
      const w0 = v.getInt32(i, true), t = v.getInt32(i + 2, true);
      if (((w0 | t) & HIGH_BITS) !== 0) return undefined;
      return c(
        w0 & F, (w0 >> 8) & F, (w0 >> 16) & F, w0 >>> 24,
        (t >> 16) & F, t >>> 24,
      );
    }
    case 7: {
      const w0 = v.getInt32(i, true), t = v.getInt32(i + 3, true);
      if (((w0 | t) & HIGH_BITS) !== 0) return undefined;
      return c(
        w0 & F, (w0 >> 8) & F, (w0 >> 16) & F, w0 >>> 24,
        (t >> 8) & F, (t >> 16) & F, t >>> 24,
      );
    }
    case 8: {
      const w0 = v.getInt32(i, true), w1 = v.getInt32(i + 4, true);
      if (((w0 | w1) & HIGH_BITS) !== 0) return undefined;
      return c(
        w0 & F, (w0 >> 8) & F, (w0 >> 16) & F, w0 >>> 24,
        w1 & F, (w1 >> 8) & F, (w1 >> 16) & F, w1 >>> 24,
      );
    }
    case 9: {
      const w0 = v.getInt32(i, true), w1 = v.getInt32(i + 4, true), t = v.getInt32(i + 5, true);
      if (((w0 | w1 | t) & HIGH_BITS) !== 0) return undefined;
      return c(
        w0 & F, (w0 >> 8) & F, (w0 >> 16) & F, w0 >>> 24,
        w1 & F, (w1 >> 8) & F, (w1 >> 16) & F, w1 >>> 24,
        t >>> 24,
      );
    }
    case 10: {
      const w0 = v.getInt32(i, true), w1 = v.getInt32(i + 4, true), t = v.getInt32(i + 6, true);
      if (((w0 | w1 | t) & HIGH_BITS) !== 0) return undefined;
      return c(
        w0 & F, (w0 >> 8) & F, (w0 >> 16) & F, w0 >>> 24,
        w1 & F, (w1 >> 8) & F, (w1 >> 16) & F, w1 >>> 24,
        (t >> 16) & F, t >>> 24,
      );
    }
    case 11: {
      const w0 = v.getInt32(i, true), w1 = v.getInt32(i + 4, true), t = v.getInt32(i + 7, true);
      if (((w0 | w1 | t) & HIGH_BITS) !== 0) return undefined;
      return c(
        w0 & F, (w0 >> 8) & F, (w0 >> 16) & F, w0 >>> 24,
        w1 & F, (w1 >> 8) & F, (w1 >> 16) & F, w1 >>> 24,
        (t >> 8) & F, (t >> 16) & F, t >>> 24,
      );
    }
    case 12: {
      const w0 = v.getInt32(i, true), w1 = v.getInt32(i + 4, true), w2 = v.getInt32(i + 8, true);
      if (((w0 | w1 | w2) & HIGH_BITS) !== 0) return undefined;
      return c(
        w0 & F, (w0 >> 8) & F, (w0 >> 16) & F, w0 >>> 24,
        w1 & F, (w1 >> 8) & F, (w1 >> 16) & F, w1 >>> 24,
        w2 & F, (w2 >> 8) & F, (w2 >> 16) & F, w2 >>> 24,
      );
    }
    case 13: {
      const w0 = v.getInt32(i, true), w1 = v.getInt32(i + 4, true), w2 = v.getInt32(i + 8, true), t = v.getInt32(i + 9, true);
      if (((w0 | w1 | w2 | t) & HIGH_BITS) !== 0) return undefined;
      return c(
        w0 & F, (w0 >> 8) & F, (w0 >> 16) & F, w0 >>> 24,
        w1 & F, (w1 >> 8) & F, (w1 >> 16) & F, w1 >>> 24,
        w2 & F, (w2 >> 8) & F, (w2 >> 16) & F, w2 >>> 24,
        t >>> 24,
      );
    }
    case 14: {
      const w0 = v.getInt32(i, true), w1 = v.getInt32(i + 4, true), w2 = v.getInt32(i + 8, true), t = v.getInt32(i + 10, true);
      if (((w0 | w1 | w2 | t) & HIGH_BITS) !== 0) return undefined;
      return c(
        w0 & F, (w0 >> 8) & F, (w0 >> 16) & F, w0 >>> 24,
        w1 & F, (w1 >> 8) & F, (w1 >> 16) & F, w1 >>> 24,
        w2 & F, (w2 >> 8) & F, (w2 >> 16) & F, w2 >>> 24,
        (t >> 16) & F, t >>> 24,
      );
    }
    case 15: {
      const w0 = v.getInt32(i, true), w1 = v.getInt32(i + 4, true), w2 = v.getInt32(i + 8, true), t = v.getInt32(i + 11, true);
      if (((w0 | w1 | w2 | t) & HIGH_BITS) !== 0) return undefined;
      return c(
        w0 & F, (w0 >> 8) & F, (w0 >> 16) & F, w0 >>> 24,
        w1 & F, (w1 >> 8) & F, (w1 >> 16) & F, w1 >>> 24,
        w2 & F, (w2 >> 8) & F, (w2 >> 16) & F, w2 >>> 24,
        (t >> 8) & F, (t >> 16) & F, t >>> 24,
      );
    }
    case 16: {
      const w0 = v.getInt32(i, true), w1 = v.getInt32(i + 4, true), w2 = v.getInt32(i + 8, true), w3 = v.getInt32(i + 12, true);
      if (((w0 | w1 | w2 | w3) & HIGH_BITS) !== 0) return undefined;
      return c(
        w0 & F, (w0 >> 8) & F, (w0 >> 16) & F, w0 >>> 24,
        w1 & F, (w1 >> 8) & F, (w1 >> 16) & F, w1 >>> 24,
        w2 & F, (w2 >> 8) & F, (w2 >> 16) & F, w2 >>> 24,
        w3 & F, (w3 >> 8) & F, (w3 >> 16) & F, w3 >>> 24,
      );
    }
    case 17: {
      const w0 = v.getInt32(i, true), w1 = v.getInt32(i + 4, true), w2 = v.getInt32(i + 8, true), w3 = v.getInt32(i + 12, true), t = v.getInt32(i + 13, true);
      if (((w0 | w1 | w2 | w3 | t) & HIGH_BITS) !== 0) return undefined;
      return c(
        w0 & F, (w0 >> 8) & F, (w0 >> 16) & F, w0 >>> 24,
        w1 & F, (w1 >> 8) & F, (w1 >> 16) & F, w1 >>> 24,
        w2 & F, (w2 >> 8) & F, (w2 >> 16) & F, w2 >>> 24,
        w3 & F, (w3 >> 8) & F, (w3 >> 16) & F, w3 >>> 24,
        t >>> 24,
      );
    }
    case 18: {
      const w0 = v.getInt32(i, true), w1 = v.getInt32(i + 4, true), w2 = v.getInt32(i + 8, true), w3 = v.getInt32(i + 12, true), t = v.getInt32(i + 14, true);
      if (((w0 | w1 | w2 | w3 | t) & HIGH_BITS) !== 0) return undefined;
      return c(
        w0 & F, (w0 >> 8) & F, (w0 >> 16) & F, w0 >>> 24,
        w1 & F, (w1 >> 8) & F, (w1 >> 16) & F, w1 >>> 24,
        w2 & F, (w2 >> 8) & F, (w2 >> 16) & F, w2 >>> 24,
        w3 & F, (w3 >> 8) & F, (w3 >> 16) & F, w3 >>> 24,
        (t >> 16) & F, t >>> 24,
      );
    }
    case 19: {
      const w0 = v.getInt32(i, true), w1 = v.getInt32(i + 4, true), w2 = v.getInt32(i + 8, true), w3 = v.getInt32(i + 12, true), t = v.getInt32(i + 15, true);
      if (((w0 | w1 | w2 | w3 | t) & HIGH_BITS) !== 0) return undefined;
      return c(
        w0 & F, (w0 >> 8) & F, (w0 >> 16) & F, w0 >>> 24,
        w1 & F, (w1 >> 8) & F, (w1 >> 16) & F, w1 >>> 24,
        w2 & F, (w2 >> 8) & F, (w2 >> 16) & F, w2 >>> 24,
        w3 & F, (w3 >> 8) & F, (w3 >> 16) & F, w3 >>> 24,
        (t >> 8) & F, (t >> 16) & F, t >>> 24,
      );
    }
    case 20: {
      const w0 = v.getInt32(i, true), w1 = v.getInt32(i + 4, true), w2 = v.getInt32(i + 8, true), w3 = v.getInt32(i + 12, true), w4 = v.getInt32(i + 16, true);
      if (((w0 | w1 | w2 | w3 | w4) & HIGH_BITS) !== 0) return undefined;
      return c(
        w0 & F, (w0 >> 8) & F, (w0 >> 16) & F, w0 >>> 24,
        w1 & F, (w1 >> 8) & F, (w1 >> 16) & F, w1 >>> 24,
        w2 & F, (w2 >> 8) & F, (w2 >> 16) & F, w2 >>> 24,
        w3 & F, (w3 >> 8) & F, (w3 >> 16) & F, w3 >>> 24,
        w4 & F, (w4 >> 8) & F, (w4 >> 16) & F, w4 >>> 24,
      );
    }
    case 21: {
      const w0 = v.getInt32(i, true), w1 = v.getInt32(i + 4, true), w2 = v.getInt32(i + 8, true), w3 = v.getInt32(i + 12, true), w4 = v.getInt32(i + 16, true), t = v.getInt32(i + 17, true);
      if (((w0 | w1 | w2 | w3 | w4 | t) & HIGH_BITS) !== 0) return undefined;
      return c(
        w0 & F, (w0 >> 8) & F, (w0 >> 16) & F, w0 >>> 24,
        w1 & F, (w1 >> 8) & F, (w1 >> 16) & F, w1 >>> 24,
        w2 & F, (w2 >> 8) & F, (w2 >> 16) & F, w2 >>> 24,
        w3 & F, (w3 >> 8) & F, (w3 >> 16) & F, w3 >>> 24,
        w4 & F, (w4 >> 8) & F, (w4 >> 16) & F, w4 >>> 24,
        t >>> 24,
      );
    }
    case 22: {
      const w0 = v.getInt32(i, true), w1 = v.getInt32(i + 4, true), w2 = v.getInt32(i + 8, true), w3 = v.getInt32(i + 12, true), w4 = v.getInt32(i + 16, true), t = v.getInt32(i + 18, true);
      if (((w0 | w1 | w2 | w3 | w4 | t) & HIGH_BITS) !== 0) return undefined;
      return c(
        w0 & F, (w0 >> 8) & F, (w0 >> 16) & F, w0 >>> 24,
        w1 & F, (w1 >> 8) & F, (w1 >> 16) & F, w1 >>> 24,
        w2 & F, (w2 >> 8) & F, (w2 >> 16) & F, w2 >>> 24,
        w3 & F, (w3 >> 8) & F, (w3 >> 16) & F, w3 >>> 24,
        w4 & F, (w4 >> 8) & F, (w4 >> 16) & F, w4 >>> 24,
        (t >> 16) & F, t >>> 24,
      );
    }
    case 23: {
      const w0 = v.getInt32(i, true), w1 = v.getInt32(i + 4, true), w2 = v.getInt32(i + 8, true), w3 = v.getInt32(i + 12, true), w4 = v.getInt32(i + 16, true), t = v.getInt32(i + 19, true);
      if (((w0 | w1 | w2 | w3 | w4 | t) & HIGH_BITS) !== 0) return undefined;
      return c(
        w0 & F, (w0 >> 8) & F, (w0 >> 16) & F, w0 >>> 24,
        w1 & F, (w1 >> 8) & F, (w1 >> 16) & F, w1 >>> 24,
        w2 & F, (w2 >> 8) & F, (w2 >> 16) & F, w2 >>> 24,
        w3 & F, (w3 >> 8) & F, (w3 >> 16) & F, w3 >>> 24,
        w4 & F, (w4 >> 8) & F, (w4 >> 16) & F, w4 >>> 24,
        (t >> 8) & F, (t >> 16) & F, t >>> 24,
      );
    }
    case 24: {
      const w0 = v.getInt32(i, true), w1 = v.getInt32(i + 4, true), w2 = v.getInt32(i + 8, true), w3 = v.getInt32(i + 12, true), w4 = v.getInt32(i + 16, true), w5 = v.getInt32(i + 20, true);
      if (((w0 | w1 | w2 | w3 | w4 | w5) & HIGH_BITS) !== 0) return undefined;
      return c(
        w0 & F, (w0 >> 8) & F, (w0 >> 16) & F, w0 >>> 24,
        w1 & F, (w1 >> 8) & F, (w1 >> 16) & F, w1 >>> 24,
        w2 & F, (w2 >> 8) & F, (w2 >> 16) & F, w2 >>> 24,
        w3 & F, (w3 >> 8) & F, (w3 >> 16) & F, w3 >>> 24,
        w4 & F, (w4 >> 8) & F, (w4 >> 16) & F, w4 >>> 24,
        w5 & F, (w5 >> 8) & F, (w5 >> 16) & F, w5 >>> 24,
      );
    }
    case 25: {
      const w0 = v.getInt32(i, true), w1 = v.getInt32(i + 4, true), w2 = v.getInt32(i + 8, true), w3 = v.getInt32(i + 12, true), w4 = v.getInt32(i + 16, true), w5 = v.getInt32(i + 20, true), t = v.getInt32(i + 21, true);
      if (((w0 | w1 | w2 | w3 | w4 | w5 | t) & HIGH_BITS) !== 0) return undefined;
      return c(
        w0 & F, (w0 >> 8) & F, (w0 >> 16) & F, w0 >>> 24,
        w1 & F, (w1 >> 8) & F, (w1 >> 16) & F, w1 >>> 24,
        w2 & F, (w2 >> 8) & F, (w2 >> 16) & F, w2 >>> 24,
        w3 & F, (w3 >> 8) & F, (w3 >> 16) & F, w3 >>> 24,
        w4 & F, (w4 >> 8) & F, (w4 >> 16) & F, w4 >>> 24,
        w5 & F, (w5 >> 8) & F, (w5 >> 16) & F, w5 >>> 24,
        t >>> 24,
      );
    }
    case 26: {
      const w0 = v.getInt32(i, true), w1 = v.getInt32(i + 4, true), w2 = v.getInt32(i + 8, true), w3 = v.getInt32(i + 12, true), w4 = v.getInt32(i + 16, true), w5 = v.getInt32(i + 20, true), t = v.getInt32(i + 22, true);
      if (((w0 | w1 | w2 | w3 | w4 | w5 | t) & HIGH_BITS) !== 0) return undefined;
      return c(
        w0 & F, (w0 >> 8) & F, (w0 >> 16) & F, w0 >>> 24,
        w1 & F, (w1 >> 8) & F, (w1 >> 16) & F, w1 >>> 24,
        w2 & F, (w2 >> 8) & F, (w2 >> 16) & F, w2 >>> 24,
        w3 & F, (w3 >> 8) & F, (w3 >> 16) & F, w3 >>> 24,
        w4 & F, (w4 >> 8) & F, (w4 >> 16) & F, w4 >>> 24,
        w5 & F, (w5 >> 8) & F, (w5 >> 16) & F, w5 >>> 24,
        (t >> 16) & F, t >>> 24,
      );
    }
    case 27: {
      const w0 = v.getInt32(i, true), w1 = v.getInt32(i + 4, true), w2 = v.getInt32(i + 8, true), w3 = v.getInt32(i + 12, true), w4 = v.getInt32(i + 16, true), w5 = v.getInt32(i + 20, true), t = v.getInt32(i + 23, true);
      if (((w0 | w1 | w2 | w3 | w4 | w5 | t) & HIGH_BITS) !== 0) return undefined;
      return c(
        w0 & F, (w0 >> 8) & F, (w0 >> 16) & F, w0 >>> 24,
        w1 & F, (w1 >> 8) & F, (w1 >> 16) & F, w1 >>> 24,
        w2 & F, (w2 >> 8) & F, (w2 >> 16) & F, w2 >>> 24,
        w3 & F, (w3 >> 8) & F, (w3 >> 16) & F, w3 >>> 24,
        w4 & F, (w4 >> 8) & F, (w4 >> 16) & F, w4 >>> 24,
        w5 & F, (w5 >> 8) & F, (w5 >> 16) & F, w5 >>> 24,
        (t >> 8) & F, (t >> 16) & F, t >>> 24,
      );
    }
    case 28: {
      const w0 = v.getInt32(i, true), w1 = v.getInt32(i + 4, true), w2 = v.getInt32(i + 8, true), w3 = v.getInt32(i + 12, true), w4 = v.getInt32(i + 16, true), w5 = v.getInt32(i + 20, true), w6 = v.getInt32(i + 24, true);
      if (((w0 | w1 | w2 | w3 | w4 | w5 | w6) & HIGH_BITS) !== 0) return undefined;
      return c(
        w0 & F, (w0 >> 8) & F, (w0 >> 16) & F, w0 >>> 24,
        w1 & F, (w1 >> 8) & F, (w1 >> 16) & F, w1 >>> 24,
        w2 & F, (w2 >> 8) & F, (w2 >> 16) & F, w2 >>> 24,
        w3 & F, (w3 >> 8) & F, (w3 >> 16) & F, w3 >>> 24,
        w4 & F, (w4 >> 8) & F, (w4 >> 16) & F, w4 >>> 24,
        w5 & F, (w5 >> 8) & F, (w5 >> 16) & F, w5 >>> 24,
        w6 & F, (w6 >> 8) & F, (w6 >> 16) & F, w6 >>> 24,
      );
    }
    case 29: {
      const w0 = v.getInt32(i, true), w1 = v.getInt32(i + 4, true), w2 = v.getInt32(i + 8, true), w3 = v.getInt32(i + 12, true), w4 = v.getInt32(i + 16, true), w5 = v.getInt32(i + 20, true), w6 = v.getInt32(i + 24, true), t = v.getInt32(i + 25, true);
      if (((w0 | w1 | w2 | w3 | w4 | w5 | w6 | t) & HIGH_BITS) !== 0) return undefined;
      return c(
        w0 & F, (w0 >> 8) & F, (w0 >> 16) & F, w0 >>> 24,
        w1 & F, (w1 >> 8) & F, (w1 >> 16) & F, w1 >>> 24,
        w2 & F, (w2 >> 8) & F, (w2 >> 16) & F, w2 >>> 24,
        w3 & F, (w3 >> 8) & F, (w3 >> 16) & F, w3 >>> 24,
        w4 & F, (w4 >> 8) & F, (w4 >> 16) & F, w4 >>> 24,
        w5 & F, (w5 >> 8) & F, (w5 >> 16) & F, w5 >>> 24,
        w6 & F, (w6 >> 8) & F, (w6 >> 16) & F, w6 >>> 24,
        t >>> 24,
      );
    }
    case 30: {
      const w0 = v.getInt32(i, true), w1 = v.getInt32(i + 4, true), w2 = v.getInt32(i + 8, true), w3 = v.getInt32(i + 12, true), w4 = v.getInt32(i + 16, true), w5 = v.getInt32(i + 20, true), w6 = v.getInt32(i + 24, true), t = v.getInt32(i + 26, true);
      if (((w0 | w1 | w2 | w3 | w4 | w5 | w6 | t) & HIGH_BITS) !== 0) return undefined;
      return c(
        w0 & F, (w0 >> 8) & F, (w0 >> 16) & F, w0 >>> 24,
        w1 & F, (w1 >> 8) & F, (w1 >> 16) & F, w1 >>> 24,
        w2 & F, (w2 >> 8) & F, (w2 >> 16) & F, w2 >>> 24,
        w3 & F, (w3 >> 8) & F, (w3 >> 16) & F, w3 >>> 24,
        w4 & F, (w4 >> 8) & F, (w4 >> 16) & F, w4 >>> 24,
        w5 & F, (w5 >> 8) & F, (w5 >> 16) & F, w5 >>> 24,
        w6 & F, (w6 >> 8) & F, (w6 >> 16) & F, w6 >>> 24,
        (t >> 16) & F, t >>> 24,
      );
    }
    case 31: {
      const w0 = v.getInt32(i, true), w1 = v.getInt32(i + 4, true), w2 = v.getInt32(i + 8, true), w3 = v.getInt32(i + 12, true), w4 = v.getInt32(i + 16, true), w5 = v.getInt32(i + 20, true), w6 = v.getInt32(i + 24, true), t = v.getInt32(i + 27, true);
      if (((w0 | w1 | w2 | w3 | w4 | w5 | w6 | t) & HIGH_BITS) !== 0) return undefined;
      return c(
        w0 & F, (w0 >> 8) & F, (w0 >> 16) & F, w0 >>> 24,
        w1 & F, (w1 >> 8) & F, (w1 >> 16) & F, w1 >>> 24,
        w2 & F, (w2 >> 8) & F, (w2 >> 16) & F, w2 >>> 24,
        w3 & F, (w3 >> 8) & F, (w3 >> 16) & F, w3 >>> 24,
        w4 & F, (w4 >> 8) & F, (w4 >> 16) & F, w4 >>> 24,
        w5 & F, (w5 >> 8) & F, (w5 >> 16) & F, w5 >>> 24,
        w6 & F, (w6 >> 8) & F, (w6 >> 16) & F, w6 >>> 24,
        (t >> 8) & F, (t >> 16) & F, t >>> 24,
      );
    }
    case 32: {
      const w0 = v.getInt32(i, true), w1 = v.getInt32(i + 4, true), w2 = v.getInt32(i + 8, true), w3 = v.getInt32(i + 12, true), w4 = v.getInt32(i + 16, true), w5 = v.getInt32(i + 20, true), w6 = v.getInt32(i + 24, true), w7 = v.getInt32(i + 28, true);
      if (((w0 | w1 | w2 | w3 | w4 | w5 | w6 | w7) & HIGH_BITS) !== 0) return undefined;
      return c(
        w0 & F, (w0 >> 8) & F, (w0 >> 16) & F, w0 >>> 24,
        w1 & F, (w1 >> 8) & F, (w1 >> 16) & F, w1 >>> 24,
        w2 & F, (w2 >> 8) & F, (w2 >> 16) & F, w2 >>> 24,
        w3 & F, (w3 >> 8) & F, (w3 >> 16) & F, w3 >>> 24,
        w4 & F, (w4 >> 8) & F, (w4 >> 16) & F, w4 >>> 24,
        w5 & F, (w5 >> 8) & F, (w5 >> 16) & F, w5 >>> 24,
        w6 & F, (w6 >> 8) & F, (w6 >> 16) & F, w6 >>> 24,
        w7 & F, (w7 >> 8) & F, (w7 >> 16) & F, w7 >>> 24,
      );
    }
    default: return undefined;
  }
}
