/**
 * Strings shared by many spans: a head (and the block cut from it) keeps one
 * dictionary, so a value used by many spans is stored once.
 *
 * An open-addressing table of typed arrays keyed by a hash computed here,
 * rather than a Map: heads take a million distinct values (random ids in
 * attributes), and a Map that large cost about a microsecond a lookup on
 * this machine, most of it in growing and in the garbage collector; this
 * table costs a third of that (`string-dictionary.test.ts` checks it agrees
 * with a Map; the embedded README has the figures).
 */
export class StringDictionary {
  readonly strings: string[] = [];
  /** Set once a bytes, array or key-value list value was encoded with this dictionary. */
  sawNonTextValue = false;
  /** Slot -> index + 1 (0: empty). */
  #slots = new Int32Array(1 << 12);
  /** Index -> hash, so growing rehashes without reading the strings again. */
  #hashes = new Int32Array(1 << 11);

  indexOf(text: string): number {
    const hash = hashText(text);
    const slots = this.#slots;
    const mask = slots.length - 1;
    const strings = this.strings;
    let slot = hash & mask;
    for (;;) {
      const entry = slots[slot]!;
      if (entry === 0) break;
      const index = entry - 1;
      if (this.#hashes[index] === hash && strings[index] === text) return index;
      slot = (slot + 1) & mask;
    }
    const index = strings.length;
    strings.push(text);
    if (index >= this.#hashes.length) {
      const hashes = new Int32Array(this.#hashes.length * 2);
      hashes.set(this.#hashes);
      this.#hashes = hashes;
    }
    this.#hashes[index] = hash;
    slots[slot] = index + 1;
    // At most half full: probes stay short.
    if (strings.length * 2 > slots.length) this.#grow();
    return index;
  }

  #grow(): void {
    const slots = new Int32Array(this.#slots.length * 2);
    const mask = slots.length - 1;
    const hashes = this.#hashes;
    for (let index = 0; index < this.strings.length; index++) {
      let slot = hashes[index]! & mask;
      while (slots[slot] !== 0) slot = (slot + 1) & mask;
      slots[slot] = index + 1;
    }
    this.#slots = slots;
  }
}

/** FNV-1a over UTF-16 code units, then a finalizer that spreads the low bits (the slot comes from them). */
function hashText(text: string): number {
  let hash = 0x811c9dc5;
  for (let i = 0; i < text.length; i++) hash = Math.imul(hash ^ text.charCodeAt(i), 0x01000193);
  hash ^= hash >>> 16;
  hash = Math.imul(hash, 0x85ebca6b);
  hash ^= hash >>> 13;
  return hash;
}
