/** A number column of a `BoundedHashTable`: one value per slot. */
export type Column = Uint8Array | Uint16Array | Uint32Array;
export type ColumnType = Uint8ArrayConstructor | Uint16ArrayConstructor | Uint32ArrayConstructor;

const FIRST_SLOTS = 1024;

/** One generation: open addressing with linear probing, keys as two u32 per slot (0, 0: empty), never deleting. */
class Generation {
  keys: Uint32Array;
  columns: Column[];
  size = 0;
  mask: number;

  constructor(
    readonly types: readonly ColumnType[],
    slots: number,
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

  #grow(): void {
    const { keys, columns } = this;
    const slots = (this.mask + 1) * 2;
    this.keys = new Uint32Array(slots * 2);
    this.columns = this.types.map((Type) => new Type(slots));
    this.mask = slots - 1;
    this.size = 0;
    for (let old = 0; old < keys.length / 2; old++) {
      const a = keys[old * 2]!;
      const b = keys[old * 2 + 1]!;
      if (a === 0 && b === 0) continue;
      const slot = this.add(a, b);
      for (let c = 0; c < columns.length; c++) this.columns[c]![slot] = columns[c]![old]!;
    }
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
 * in at most 2 × 2 × the next power of two above `limit` slots (a load of
 * at most one half), each of 8 bytes of key plus the columns' bytes.
 *
 * Entries are named by handles (slot · 2 + generation) that stay valid
 * until the next `add`.
 */
export class BoundedHashTable {
  #newer: Generation;
  #older: Generation | undefined;

  constructor(
    readonly limit: number,
    readonly types: readonly ColumnType[],
  ) {
    if (!(limit >= 1)) throw new RangeError('a bounded hash table needs a limit of at least 1');
    this.#newer = new Generation(types, FIRST_SLOTS);
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
      this.add(a, b);
      return true;
    }
    return this.#newer.addIfAbsent(a, b);
  }

  /** Adds an entry (its columns 0); returns its handle. */
  add(a: number, b: number): number {
    if (this.#newer.size >= this.limit) {
      this.#older = this.#newer;
      this.#newer = new Generation(this.types, FIRST_SLOTS);
    }
    return this.#newer.add(a, b) * 2;
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
    this.#newer = new Generation(this.types, FIRST_SLOTS);
  }

  #generation(handle: number): Generation {
    const generation = (handle & 1) === 0 ? this.#newer : this.#older;
    if (generation === undefined) throw new RangeError('stale hash table handle');
    return generation;
  }
}
