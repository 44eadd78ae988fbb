/**
 * A Bloom filter over a block's (random) trace ids, three of their 32-bit
 * words as the hashes, 16 bits a trace (rounded up to a power of two): most
 * blocks answer "not here" to a trace lookup without their trace index. It
 * stays with the open block (2 to 4 bytes a trace) while the index is
 * loaded on demand (`TraceIndex`).
 */
export class TraceIdBloom {
  readonly #bits: Uint32Array;
  readonly #mask: number;

  /** From the sorted id column of a trace index: 16 bytes a trace. */
  constructor(ids: Buffer, count: number) {
    const bits = 2 ** Math.max(6, Math.ceil(Math.log2(count * 16)));
    this.#bits = new Uint32Array(bits / 32);
    this.#mask = bits - 1;
    for (let i = 0; i < count; i++) {
      for (let word = 0; word < 3; word++) {
        const bit = ids.readUInt32BE(i * 16 + word * 4) & this.#mask;
        this.#bits[bit >>> 5]! |= 1 << (bit & 31);
      }
    }
  }

  /** False when no id of the block has this key (`bloomKey`); true when one may. */
  mayContainKey(key: readonly number[]): boolean {
    for (const word of key) {
      const bit = word & this.#mask;
      if ((this.#bits[bit >>> 5]! & (1 << (bit & 31))) === 0) return false;
    }
    return true;
  }

  get memoryBytes(): number {
    return this.#bits.byteLength;
  }
}

/** The three 32-bit words of a trace id that the blocks' Bloom filters hash with. */
export function bloomKey(traceId: string): number[] {
  return [0, 1, 2].map((word) => Number.parseInt(traceId.slice(word * 8, word * 8 + 8), 16));
}
