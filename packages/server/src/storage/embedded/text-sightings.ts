/** 2^23 bits: at a head of 50,000 spans with ten new texts each, about 1 % of new texts look met. */
const HEAD_BITS = 1 << 23;

/**
 * The texts met so far, as a Bloom filter of a 32-bit hash of each: a head's
 * (of the texts written in place, by their dictionary hash `hashUtf8`), so
 * that a text met a second time goes into its dictionary and values that
 * repeat across batches but not within one are stored once; and a batch
 * encoder's, so that a text goes in place only the first time. A false
 * positive only puts a text in a dictionary, which is never wrong. Fixed
 * size (1 MiB for a head): nothing is kept per text.
 */
export class TextSightings {
  readonly #words: Int32Array;
  readonly #mask: number;

  /** `bits`: a power of two, at least 32. */
  constructor(bits: number = HEAD_BITS) {
    this.#words = new Int32Array(bits >>> 5);
    this.#mask = bits - 1;
  }

  /** Enough bits for `texts` texts to look met in about 2 % of cases (at most a head's). */
  static sizedFor(texts: number): TextSightings {
    let bits = 1 << 12;
    while (bits < texts * 8 && bits < HEAD_BITS) bits *= 2;
    return new TextSightings(bits);
  }

  /** Notes the text with this hash as met; true when it (probably) was met before. */
  sight(hash: number): boolean {
    const mask = this.#mask;
    const first = hash & mask;
    const second = (Math.imul(hash ^ (hash >>> 16), 0x9e3779b1) >>> 7) & mask;
    const words = this.#words;
    const firstBit = 1 << (first & 31);
    const secondBit = 1 << (second & 31);
    const met = (words[first >>> 5]! & firstBit) !== 0 && (words[second >>> 5]! & secondBit) !== 0;
    words[first >>> 5]! |= firstBit;
    words[second >>> 5]! |= secondBit;
    return met;
  }
}
