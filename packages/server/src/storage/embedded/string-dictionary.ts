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

  /**
   * The index of the text whose UTF-8 bytes are `bytes[start, end)` and
   * whose hash (`hashUtf8`) is `hash`, or -1: a lookup that adds nothing and
   * makes no string (ASCII texts are compared byte by byte).
   */
  findUtf8(hash: number, bytes: Uint8Array, start: number, end: number): number {
    const slots = this.#slots;
    const mask = slots.length - 1;
    const strings = this.strings;
    for (let slot = hash & mask; ; slot = (slot + 1) & mask) {
      const entry = slots[slot]!;
      if (entry === 0) return -1;
      const index = entry - 1;
      if (this.#hashes[index] === hash && equalsUtf8(strings[index]!, bytes, start, end)) return index;
    }
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

/** The hash `indexOf` gives the text whose UTF-8 bytes these are; from the bytes themselves when they are ASCII. */
export function hashUtf8(bytes: Uint8Array, start: number, end: number): number {
  let hash = 0x811c9dc5;
  let any = 0;
  for (let i = start; i < end; i++) {
    const byte = bytes[i]!;
    any |= byte;
    hash = Math.imul(hash ^ byte, 0x01000193);
  }
  // Beyond ASCII, UTF-8 bytes are not UTF-16 code units: hash the text.
  if (any >= 0x80) return hashText(utf8Text(bytes, start, end));
  return finish(hash);
}

function equalsUtf8(text: string, bytes: Uint8Array, start: number, end: number): boolean {
  // ASCII on both sides: one byte per code unit.
  if (text.length === end - start) {
    let i = 0;
    for (; i < text.length; i++) {
      const byte = bytes[start + i]!;
      if (byte >= 0x80 || text.charCodeAt(i) !== byte) break;
    }
    if (i === text.length) return true;
  }
  for (let i = start; i < end; i++) if (bytes[i]! >= 0x80) return utf8Text(bytes, start, end) === text;
  return false;
}

function utf8Text(bytes: Uint8Array, start: number, end: number): string {
  return Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength).toString('utf8', start, end);
}

/** FNV-1a over UTF-16 code units, then a finalizer that spreads the low bits (the slot comes from them). */
function hashText(text: string): number {
  let hash = 0x811c9dc5;
  for (let i = 0; i < text.length; i++) hash = Math.imul(hash ^ text.charCodeAt(i), 0x01000193);
  return finish(hash);
}

function finish(value: number): number {
  let hash = value;
  hash ^= hash >>> 16;
  hash = Math.imul(hash, 0x85ebca6b);
  hash ^= hash >>> 13;
  return hash;
}
