import { hashSlot } from './span-ids.js';

/** A lookup of `joinSpanIds` that found no span with the id. */
export const NOT_FOUND = -1;

/**
 * Checks that no two spans share an id and looks ids up among them, for a
 * trace of up to millions of spans: `ids` holds two words per span, `wanted`
 * two per lookup. Returns undefined when an id repeats; else, per lookup,
 * the index of the span with that id or `NOT_FOUND`.
 *
 * Past `ONE_TABLE_SPANS`, by partitions: spans and lookups are scattered by
 * a hash of the id into partitions of about `PARTITION_SPANS`, each joined
 * with a table that stays in the processor's caches. One table over a
 * million ids made nearly every insert and probe a miss to memory; the
 * scatter passes read and write in order (on the 1,000,000-span deep trace,
 * 82 ms where one table took 142; on 200,000 spans, one table is faster).
 */
export function joinSpanIds(ids: Uint32Array, wanted: Uint32Array): Int32Array | undefined {
  const n = ids.length / 2;
  const bits = n > ONE_TABLE_SPANS ? Math.ceil(Math.log2(n / PARTITION_SPANS)) : 0;
  const spans = scatter(ids, bits);
  const lookups = scatter(wanted, bits);
  const found = new Int32Array(wanted.length / 2).fill(NOT_FOUND);
  let size = 16;
  while (size < 2 * spans.largest) size *= 2;
  const table = new Int32Array(size);
  for (let part = 0; part < 2 ** bits; part++) {
    const from = spans.starts[part] as number;
    const to = spans.starts[part + 1] as number;
    // The partition's table: at least twice its span count, 1 + a position in the partition per slot.
    let slots = 16;
    while (slots < 2 * (to - from)) slots *= 2;
    const mask = slots - 1;
    table.fill(0, 0, slots);
    for (let at = from; at < to; at++) {
      const high = spans.high[at] as number;
      const low = spans.low[at] as number;
      for (let slot = hashSlot(high, low, mask); ; slot = (slot + 1) & mask) {
        const other = (table[slot] as number) - 1;
        if (other === -1) {
          table[slot] = at - from + 1;
          break;
        }
        if (spans.high[from + other] === high && spans.low[from + other] === low) return undefined;
      }
    }
    for (let at = lookups.starts[part] as number; at < (lookups.starts[part + 1] as number); at++) {
      const high = lookups.high[at] as number;
      const low = lookups.low[at] as number;
      for (let slot = hashSlot(high, low, mask); ; slot = (slot + 1) & mask) {
        const other = (table[slot] as number) - 1;
        if (other === -1) break;
        if (spans.high[from + other] === high && spans.low[from + other] === low) {
          found[lookups.index[at] as number] = spans.index[from + other] as number;
          break;
        }
      }
    }
  }
  return found;
}

/** Spans up to which one table (about 2 MB with the ids) is joined faster than partitions. */
const ONE_TABLE_SPANS = 262_144;
/** Spans per partition, about: its table (twice as many slots) and words fit a processor's L2 cache. */
const PARTITION_SPANS = 4096;

interface Scattered {
  /** Where each partition's entries start; one more for the end. */
  readonly starts: Int32Array;
  readonly high: Uint32Array;
  readonly low: Uint32Array;
  /** Each entry's index in the words given. */
  readonly index: Int32Array;
  /** Entries of the largest partition. */
  readonly largest: number;
}

/** Words (two per entry) grouped by partition: the top `bits` of a hash of the id, other bits than a table's slot. */
function scatter(words: Uint32Array, bits: number): Scattered {
  const n = words.length / 2;
  const partitions = 2 ** bits;
  const partOf = (high: number, low: number) =>
    bits === 0 ? 0 : Math.imul(high ^ Math.imul(low, 0x27d4eb2f), 0x165667b1) >>> (32 - bits);
  const starts = new Int32Array(partitions + 1);
  for (let i = 0; i < n; i++) {
    const part = partOf(words[2 * i] as number, words[2 * i + 1] as number) + 1;
    starts[part] = (starts[part] as number) + 1;
  }
  let largest = 0;
  for (let part = 0; part < partitions; part++) {
    largest = Math.max(largest, starts[part + 1] as number);
    starts[part + 1] = (starts[part + 1] as number) + (starts[part] as number);
  }
  const next = starts.slice(0, partitions);
  const high = new Uint32Array(n);
  const low = new Uint32Array(n);
  const index = new Int32Array(n);
  for (let i = 0; i < n; i++) {
    const h = words[2 * i] as number;
    const l = words[2 * i + 1] as number;
    const part = partOf(h, l);
    const at = next[part] as number;
    next[part] = at + 1;
    high[at] = h;
    low[at] = l;
    index[at] = i;
  }
  return { starts, high, low, index, largest };
}
