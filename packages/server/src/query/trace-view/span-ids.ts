/**
 * A trace's span ids as numbers, for ordering and looking them up: a Map of
 * 100,000 id strings (and sorting by them) is most of the time of building a
 * skeleton, while ids of 16 lowercase hex digits, nearly all of them, are two
 * 32-bit numbers that compare in the same order as their text and hash into
 * a flat table. Any other id (a store keeps what it was sent) sends the whole
 * trace down the plain path: text comparison and a Map.
 */
const repeating = new WeakMap<readonly string[], boolean>();

/**
 * Whether two of the ids are equal (of one trace: ids of different traces may
 * be equal without harm). Remembered per list: the readers wrapped around a
 * store (`readSpansOnce`, `readUniqueSpanIds`) each ask it of the same
 * outline, a million ids for the largest traces.
 */
export function repeatsAnId(spanIds: readonly string[]): boolean {
  let known = repeating.get(spanIds);
  if (known === undefined) {
    const ids = new SpanIds(spanIds);
    known = false;
    for (let i = 0; i < spanIds.length && !known; i++) if (ids.keep(i) !== i) known = true;
    repeating.set(spanIds, known);
  }
  return known;
}

export class SpanIds {
  readonly #ids: readonly string[];
  /** Both halves of every id, when every id is 16 hex digits; else undefined. */
  readonly #high: Uint32Array | undefined;
  readonly #low: Uint32Array | undefined;
  /** Open addressing: 1 + the index of the span whose id hashes there, 0 for an empty slot. */
  #slots: Int32Array | undefined;
  #mask = 0;
  #map: Map<string, number> | undefined;

  constructor(ids: readonly string[]) {
    this.#ids = ids;
    const n = ids.length;
    const high = new Uint32Array(n);
    const low = new Uint32Array(n);
    for (let i = 0; i < n; i++) {
      const id = ids[i] as string;
      const h = id.length === 16 ? hexWord(id, 0) : -1;
      const l = h === -1 ? -1 : hexWord(id, 8);
      if (l === -1) return;
      high[i] = h;
      low[i] = l;
    }
    this.#high = high;
    this.#low = low;
  }

  /** Orders span indexes by id, as their text compares. */
  compare(a: number, b: number): number {
    const high = this.#high;
    const low = this.#low;
    if (high !== undefined && low !== undefined) {
      return (high[a] as number) - (high[b] as number) || (low[a] as number) - (low[b] as number);
    }
    const x = this.#ids[a] as string;
    const y = this.#ids[b] as string;
    return x < y ? -1 : x > y ? 1 : 0;
  }

  /**
   * Each span's place in id order (ties by index), when the ids are numbers
   * and there are at most 2^17 of them; else undefined. Two native sorts of
   * packed numbers, where a comparator on ids would be called a million
   * times for 100,000 spans.
   */
  ranks(): Int32Array | undefined {
    const high = this.#high;
    const low = this.#low;
    const n = this.#ids.length;
    if (high === undefined || low === undefined || n > RANK_LIMIT) return undefined;
    // By high word (the index below it keeps the sort's ties in index order).
    const keys = new Float64Array(n);
    for (let i = 0; i < n; i++) keys[i] = (high[i] as number) * RANK_LIMIT + i;
    keys.sort();
    const byRank = new Int32Array(n);
    for (let r = 0; r < n; r++) byRank[r] = (keys[r] as number) % RANK_LIMIT;
    // Equal high words (rare for random ids; all for sequential ones): by low word, then index.
    for (let r = 0; r < n; ) {
      const h = high[byRank[r] as number];
      let end = r + 1;
      while (end < n && high[byRank[end] as number] === h) end++;
      if (end - r > 1) byRank.subarray(r, end).sort((a, b) => (low[a] as number) - (low[b] as number) || a - b);
      r = end;
    }
    const rank = new Int32Array(n);
    for (let r = 0; r < n; r++) rank[byRank[r] as number] = r;
    return rank;
  }

  /**
   * Remembers span `index` under its id unless a span already is; returns the
   * index now kept for the id (`index`, or the earlier one).
   */
  keep(index: number): number {
    const high = this.#high;
    const low = this.#low;
    if (high === undefined || low === undefined) {
      this.#map ??= new Map();
      const id = this.#ids[index] as string;
      const kept = this.#map.get(id);
      if (kept !== undefined) return kept;
      this.#map.set(id, index);
      return index;
    }
    const slots = this.#table();
    const h = high[index] as number;
    const l = low[index] as number;
    for (let slot = hashSlot(h, l, this.#mask); ; slot = (slot + 1) & this.#mask) {
      const at = (slots[slot] as number) - 1;
      if (at === -1) {
        slots[slot] = index + 1;
        return index;
      }
      if (high[at] === h && low[at] === l) return at;
    }
  }

  /** The index kept for an id (`keep`), or -1. */
  find(id: string): number {
    const high = this.#high;
    const low = this.#low;
    if (high === undefined || low === undefined) return this.#map?.get(id) ?? -1;
    const h = id.length === 16 ? hexWord(id, 0) : -1;
    const l = h === -1 ? -1 : hexWord(id, 8);
    // Every kept id is hex: another text names none of them.
    if (l === -1 || this.#slots === undefined) return -1;
    const slots = this.#slots;
    for (let slot = hashSlot(h, l, this.#mask); ; slot = (slot + 1) & this.#mask) {
      const at = (slots[slot] as number) - 1;
      if (at === -1) return -1;
      if (high[at] === h && low[at] === l) return at;
    }
  }

  #table(): Int32Array {
    if (this.#slots === undefined) {
      let size = 16;
      while (size < this.#ids.length * 2) size *= 2;
      this.#slots = new Int32Array(size);
      this.#mask = size - 1;
    }
    return this.#slots;
  }
}

/** Indexes packed under a 32-bit word in one double stay exact below this many. */
const RANK_LIMIT = 2 ** 17;

/** The value of each lowercase hex digit by character code; -1 for any other character below 128. */
const HEX_VALUES = Int8Array.from({ length: 128 }, (_, code) =>
  code >= 48 && code <= 57 ? code - 48 : code >= 97 && code <= 102 ? code - 87 : -1,
);

/** Eight hex digits from `from` as an unsigned 32-bit number; -1 when one is not a lowercase hex digit. */
export function hexWord(text: string, from: number): number {
  let value = 0;
  for (let i = from; i < from + 8; i++) {
    const digit = HEX_VALUES[text.charCodeAt(i)] ?? -1;
    if (digit === -1) return -1;
    value = value * 16 + digit;
  }
  return value;
}

/** A slot of a table of `mask + 1` slots for an id's two words. */
export function hashSlot(high: number, low: number, mask: number): number {
  // Ids are random, mostly; the mix (MurmurHash3's finaliser) keeps sequential ones (tests, some SDKs) apart too.
  let x = Math.imul(high ^ Math.imul(low, 0x9e3779b1), 0x85ebca6b);
  x ^= x >>> 13;
  x = Math.imul(x, 0xc2b2ae35);
  x ^= x >>> 16;
  return x & mask;
}
