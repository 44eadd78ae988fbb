/** A number column of a `BoundedHashTable`: one value per slot. */
export type Column = Uint8Array | Uint16Array | Uint32Array;
export type ColumnType = Uint8ArrayConstructor | Uint16ArrayConstructor | Uint32ArrayConstructor;

const FIRST_SLOTS = 4096;

/** One generation: open addressing with linear probing, keys as two u32 per slot (0, 0: empty), never deleting. */
class Generation {
  keys: Uint32Array;
  columns: Column[];
  size = 0;
  mask: number;

  constructor(
    readonly types: readonly ColumnType[],
    slots: number,
    readonly maxSlots: number,
  ) {
    this.keys = new Uint32Array(slots * 2);
    this.columns = types.map((Type) => new Type(slots));
    this.mask = slots - 1;
  }

  /** The slot after `after` (or the key's home) holding the key, or -1 at the end of its probe run. */
  find(a: number, b: number, after: number): number {
    const keys = this.keys;
    const mask = this.mask;
    for (let slot = after === -1 ? home(a, mask) : (after + 1) & mask; ; slot = (slot + 1) & mask) {
      const x = keys[slot * 2]!;
      const y = keys[slot * 2 + 1]!;
      if (x === a && y === b) return slot;
      if (x === 0 && y === 0) return -1;
    }
  }

  /** A new slot for the key (an equal key already there stays: the table is a multimap). */
  add(a: number, b: number): number {
    if ((this.size + 1) * 2 > this.mask + 1) this.#grow();
    const keys = this.keys;
    const mask = this.mask;
    let slot = home(a, mask);
    while (keys[slot * 2] !== 0 || keys[slot * 2 + 1] !== 0) slot = (slot + 1) & mask;
    keys[slot * 2] = a;
    keys[slot * 2 + 1] = b;
    this.size++;
    return slot;
  }

  /** `add` when no slot holds the key; true when it added. */
  addIfAbsent(a: number, b: number): boolean {
    if ((this.size + 1) * 2 > this.mask + 1) this.#grow();
    const keys = this.keys;
    const mask = this.mask;
    let slot = home(a, mask);
    for (;;) {
      const x = keys[slot * 2]!;
      const y = keys[slot * 2 + 1]!;
      if (x === a && y === b) return false;
      if (x === 0 && y === 0) break;
      slot = (slot + 1) & mask;
    }
    keys[slot * 2] = a;
    keys[slot * 2 + 1] = b;
    this.size++;
    return true;
  }

  /** Empties the generation, keeping its arrays. */
  clear(): void {
    this.keys.fill(0);
    for (const column of this.columns) column.fill(0);
    this.size = 0;
  }

  #grow(): void {
    const { keys, columns, size } = this;
    // By four: a growing table moves each entry a third of a time on average, not once.
    const slots = Math.min((this.mask + 1) * 4, this.maxSlots);
    this.keys = new Uint32Array(slots * 2);
    this.columns = this.types.map((Type) => new Type(slots));
    this.mask = slots - 1;
    const newKeys = this.keys;
    const newColumns = this.columns;
    const mask = this.mask;
    // Old slot i moves to about slot i or i + old size: the writes run along the new table.
    for (let old = 0; old < keys.length / 2; old++) {
      const a = keys[old * 2]!;
      const b = keys[old * 2 + 1]!;
      if (a === 0 && b === 0) continue;
      let slot = home(a, mask);
      while (newKeys[slot * 2] !== 0 || newKeys[slot * 2 + 1] !== 0) slot = (slot + 1) & mask;
      newKeys[slot * 2] = a;
      newKeys[slot * 2 + 1] = b;
      for (let c = 0; c < columns.length; c++) newColumns[c]![slot] = columns[c]![old]!;
    }
    this.size = size;
  }
}

function home(a: number, mask: number): number {
  return a & mask;
}

/**
 * A hash multimap of 64-bit keys with typed-array columns and bounded memory:
 * two generations, the newer taking additions; once it holds `limit`
 * entries it becomes the older and the older is dropped. So the table
 * always knows the last `limit` entries added (and at most twice as many),
 * in two generations of at most the power of two at or above 2 × `limit`
 * slots each (a load of at most one half), a slot being 8 bytes of key plus
 * the columns' bytes. The first generation grows from 4,096 slots; once
 * one has filled, the next is allocated whole (in the dropped one's arrays).
 *
 * Entries are named by handles (slot · 2 + generation) that stay valid
 * until the next `add`.
 */
export class BoundedHashTable {
  #newer: Generation;
  #older: Generation | undefined;
  /** Slots of a full generation: the power of two at or above 2 × limit (a load of at most one half). */
  readonly #full: number;

  constructor(
    readonly limit: number,
    readonly types: readonly ColumnType[],
  ) {
    if (!(limit >= 1)) throw new RangeError('a bounded hash table needs a limit of at least 1');
    this.#full = 2 ** Math.ceil(Math.log2(limit * 2));
    this.#newer = new Generation(types, Math.min(FIRST_SLOTS, this.#full), this.#full);
  }

  /** Entries held (both generations). */
  get size(): number {
    return this.#newer.size + (this.#older?.size ?? 0);
  }

  /**
   * The next entry of the key after the handle `after` (-1: the first),
   * newer generation first; -1 when there is none.
   */
  find(a: number, b: number, after = -1): number {
    if (after === -1 || (after & 1) === 0) {
      const slot = this.#newer.find(a, b, after === -1 ? -1 : after >>> 1);
      if (slot !== -1) return slot * 2;
      after = -1;
    }
    const older = this.#older;
    if (older === undefined) return -1;
    const slot = older.find(a, b, after === -1 ? -1 : after >>> 1);
    return slot === -1 ? -1 : slot * 2 + 1;
  }

  /** Adds the key unless either generation holds it; true when it was added (a set's one probe). */
  addIfAbsent(a: number, b: number): boolean {
    if (this.#older !== undefined && this.#older.find(a, b, -1) !== -1) return false;
    if (this.#newer.size >= this.limit) {
      if (this.#newer.find(a, b, -1) !== -1) return false;
      this.#rotate();
    }
    return this.#newer.addIfAbsent(a, b);
  }

  /** Adds an entry (its columns 0); returns its handle. */
  add(a: number, b: number): number {
    if (this.#newer.size >= this.limit) this.#rotate();
    return this.#newer.add(a, b) * 2;
  }

  /**
   * The newer generation becomes the older; the new one is as large as a full
   * generation needs at once (a store that filled one fills the next), in the
   * arrays of the one dropped when they are that large: no growing, no garbage.
   */
  #rotate(): void {
    const dropped = this.#older;
    this.#older = this.#newer;
    const full = this.#full;
    if (dropped !== undefined && dropped.mask + 1 === full) {
      dropped.clear();
      this.#newer = dropped;
    } else this.#newer = new Generation(this.types, full, full);
  }

  get(handle: number, column: number): number {
    return this.#generation(handle).columns[column]![handle >>> 1]!;
  }

  set(handle: number, column: number, value: number): void {
    this.#generation(handle).columns[column]![handle >>> 1] = value;
  }

  /** Every key, two words each, the older generation's first. */
  keys(): Uint32Array {
    const out = new Uint32Array(this.size * 2);
    let at = 0;
    for (const generation of [this.#older, this.#newer]) {
      const keys = generation?.keys ?? new Uint32Array(0);
      for (let slot = 0; slot < keys.length; slot += 2) {
        if (keys[slot] === 0 && keys[slot + 1] === 0) continue;
        out[at++] = keys[slot]!;
        out[at++] = keys[slot + 1]!;
      }
    }
    return out;
  }

  /** Forgets everything. */
  clear(): void {
    this.#older = undefined;
    this.#newer = new Generation(this.types, Math.min(FIRST_SLOTS, this.#full), this.#full);
  }

  #generation(handle: number): Generation {
    const generation = (handle & 1) === 0 ? this.#newer : this.#older;
    if (generation === undefined) throw new RangeError('stale hash table handle');
    return generation;
  }
}
