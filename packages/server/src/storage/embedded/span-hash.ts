/**
 * 64-bit hashes of spans for the store's bounded memory of recent spans
 * (`recent-spans.ts`, `dependency-index.ts`), as two 32-bit halves written
 * to `SPAN_HASH[0]` and `SPAN_HASH[1]` (no object per call; never both 0).
 *
 * They hash contents, never the head's dictionary indexes: a head's
 * dictionary starts anew at every cut, so an index names different strings
 * before and after one. Each half runs its own multiply-xor over every word
 * (FNV-1a and a murmur-style step) and ends with murmur3's avalanche, each
 * half stirred with the other. Strings are hashed character by character,
 * preceded by their length. Two different inputs collide with a chance of
 * about 2^-64, as with Jaeger's 64-bit span hash.
 */
export const SPAN_HASH = new Uint32Array(2);

const I64 = new BigInt64Array(1);
const F64 = new Float64Array(1);
const I64_WORDS = new Uint32Array(I64.buffer);
const F64_WORDS = new Uint32Array(F64.buffer);

/** A running hash of a sequence of words, strings and numbers. */
export class ContentHash {
  #a = 0x811c9dc5;
  #b = 0x9747b28c;

  /** Continues from where another hash is (a common prefix hashed once). */
  copyFrom(other: ContentHash): void {
    this.#a = other.#a;
    this.#b = other.#b;
  }

  reset(): void {
    this.#a = 0x811c9dc5;
    this.#b = 0x9747b28c;
  }

  word(value: number): void {
    this.#a = Math.imul(this.#a ^ value, 0x01000193);
    const b = Math.imul(this.#b ^ value, 0x5bd1e995);
    this.#b = b ^ (b >>> 15);
  }

  text(value: string): void {
    const n = value.length;
    this.word(n);
    let a = this.#a;
    let b = this.#b;
    for (let i = 0; i < n; i++) {
      const c = value.charCodeAt(i);
      a = Math.imul(a ^ c, 0x01000193);
      b = Math.imul(b ^ c, 0x5bd1e995);
      b ^= b >>> 15;
    }
    this.#a = a;
    this.#b = b;
  }

  int64(value: bigint): void {
    I64[0] = value;
    this.word(I64_WORDS[0]!);
    this.word(I64_WORDS[1]!);
  }

  f64(value: number): void {
    F64[0] = value;
    this.word(F64_WORDS[0]!);
    this.word(F64_WORDS[1]!);
  }

  /** Writes the hash so far to `SPAN_HASH`. */
  finish(): void {
    let x = this.#a ^ Math.imul(this.#b, 0x85ebca6b);
    let y = this.#b ^ Math.imul(this.#a, 0xc2b2ae35);
    x ^= x >>> 16;
    x = Math.imul(x, 0x85ebca6b);
    x ^= x >>> 13;
    x = Math.imul(x, 0xc2b2ae35);
    x ^= x >>> 16;
    y ^= y >>> 16;
    y = Math.imul(y, 0x85ebca6b);
    y ^= y >>> 13;
    y = Math.imul(y, 0xc2b2ae35);
    y ^= y >>> 16;
    SPAN_HASH[0] = x;
    // 0, 0 marks an empty slot in the tables these hashes go into.
    SPAN_HASH[1] = x === 0 && y === 0 ? 1 : y;
  }
}

const keyHash = new ContentHash();
const tracePrefix = new ContentHash();
let prefixOf = '';

/**
 * The hash of a (trace id, span id) pair: the key a span, or a child waiting
 * for it, is found by. Calls for one trace in a row hash its id once.
 */
export function hashSpanKey(traceId: string, spanId: string): void {
  if (traceId !== prefixOf) {
    tracePrefix.reset();
    tracePrefix.text(traceId);
    prefixOf = traceId;
  }
  keyHash.copyFrom(tracePrefix);
  keyHash.text(spanId);
  keyHash.finish();
}
