/** 2^23 bits: at a head of 50,000 spans with ten new texts each, about 1 % of new texts look met. */
const BITS = 1 << 23;
const MASK = BITS - 1;

/**
 * The texts a head has met written in place, as a Bloom filter of their
 * dictionary hashes (`hashUtf8`). A text met in place a second time goes
 * into the head's dictionary, so values that repeat across batches but not
 * within one are stored once, not in every span; a value new in every span
 * costs two bits and no string. A false positive only puts a text in the
 * dictionary. Fixed size (1 MiB a head): nothing is kept per text.
 */
export class TextSightings {
  readonly #words = new Int32Array(BITS >>> 5);

  /** Notes the text with this hash as met; true when it (probably) was met before. */
  sight(hash: number): boolean {
    const first = hash & MASK;
    const second = Math.imul(hash ^ (hash >>> 16), 0x9e3779b1) >>> 9;
    const words = this.#words;
    const firstBit = 1 << (first & 31);
    const secondBit = 1 << (second & 31);
    const met = (words[first >>> 5]! & firstBit) !== 0 && (words[second >>> 5]! & secondBit) !== 0;
    words[first >>> 5]! |= firstBit;
    words[second >>> 5]! |= secondBit;
    return met;
  }
}
