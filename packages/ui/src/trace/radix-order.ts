/** Whether this platform stores a 32-bit word's low byte first (every browser does; checked, not assumed). */
const LITTLE_ENDIAN = new Uint8Array(new Uint32Array([1]).buffer)[0] === 1;

/**
 * The indexes of `keys` in ascending order of key, ties in index order (a
 * stable sort): a least-significant-digit radix sort on the keys' bits,
 * eight passes of 8 bits (those where all keys share the digit skipped). For a million keys, tens of milliseconds, where a
 * sort of a million indexes with a comparator takes about half a second of
 * one frame. Keys are any numbers: each is turned into a word pair that
 * orders as unsigned integers as the numbers do (negative numbers with
 * every bit flipped, others with the sign bit set).
 */
export function ascendingOrder(keys: Float64Array): Int32Array {
  const n = keys.length;
  const words = new Uint32Array(new Float64Array(keys).buffer);
  const low = LITTLE_ENDIAN ? 0 : 1;
  const high = 1 - low;
  for (let i = 0; i < n; i++) {
    const h = words[2 * i + high] as number;
    if (h & 0x80000000) {
      words[2 * i + high] = ~h >>> 0;
      words[2 * i + low] = ~(words[2 * i + low] as number) >>> 0;
    } else words[2 * i + high] = (h | 0x80000000) >>> 0;
  }
  // The words travel with their index, so each pass reads in order; 8-bit digits keep the
  // scattered writes to 256 places at once, which caches hold.
  let lows = new Uint32Array(n);
  let highs = new Uint32Array(n);
  let order = new Int32Array(n);
  for (let i = 0; i < n; i++) {
    lows[i] = words[2 * i + low] as number;
    highs[i] = words[2 * i + high] as number;
    order[i] = i;
  }
  let nextLows = new Uint32Array(n);
  let nextHighs = new Uint32Array(n);
  let nextOrder = new Int32Array(n);
  const counts = new Int32Array(257);
  for (let pass = 0; pass < 8; pass++) {
    const from = pass < 4 ? lows : highs;
    const shift = (pass % 4) * 8;
    // Every key has the same digit here: this pass would not move anything (whole numbers have
    // only zeros in their low bits, so most of a duration's passes are skipped).
    if (!startsOfDigits(from, shift, counts)) continue;
    scatter(from, shift, counts, lows, highs, order, nextLows, nextHighs, nextOrder);
    [lows, nextLows] = [nextLows, lows];
    [highs, nextHighs] = [nextHighs, highs];
    [order, nextOrder] = [nextOrder, order];
  }
  return order;
}

/**
 * Where each digit's keys start in the next order (`counts[d]`); false when
 * every key has the same digit. Small functions, each one loop: the engine
 * optimizes them after their first call, rather than one long function
 * part-way through its first.
 */
function startsOfDigits(from: Uint32Array, shift: number, counts: Int32Array): boolean {
  const n = from.length;
  counts.fill(0);
  for (let i = 0; i < n; i++) {
    const digit = ((from[i] as number) >>> shift) & 0xff;
    counts[digit + 1] = (counts[digit + 1] as number) + 1;
  }
  let single = false;
  for (let d = 1; d <= 256; d++) {
    if (counts[d] === n) single = true;
    counts[d] = (counts[d] as number) + (counts[d - 1] as number);
  }
  return !single;
}

function scatter(
  from: Uint32Array,
  shift: number,
  counts: Int32Array,
  lows: Uint32Array,
  highs: Uint32Array,
  order: Int32Array,
  nextLows: Uint32Array,
  nextHighs: Uint32Array,
  nextOrder: Int32Array,
): void {
  for (let i = 0; i < from.length; i++) {
    const digit = ((from[i] as number) >>> shift) & 0xff;
    const to = counts[digit] as number;
    counts[digit] = to + 1;
    nextLows[to] = lows[i] as number;
    nextHighs[to] = highs[i] as number;
    nextOrder[to] = order[i] as number;
  }
}
