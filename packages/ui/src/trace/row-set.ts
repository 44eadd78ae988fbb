import type { SpanTree } from './build-span-tree.js';

/**
 * A set of a tree's rows (depth-first indexes) as a sorted typed array: what
 * find matched. In tree order as it is, so "next match" is the next entry,
 * and a million-span trace's matches cost four bytes each, not a string.
 */
export class RowSet {
  static readonly EMPTY = new RowSet(new Int32Array(0));

  /** `rows` must be sorted and without repeats. */
  constructor(readonly rows: Int32Array) {}

  get size(): number {
    return this.rows.length;
  }

  has(row: number): boolean {
    return indexInSorted(this.rows, row) >= 0;
  }

  /** Both sets' rows, merged in order. */
  union(other: RowSet): RowSet {
    if (other.size === 0) return this;
    if (this.size === 0) return other;
    const a = this.rows;
    const b = other.rows;
    const out = new Int32Array(a.length + b.length);
    let i = 0;
    let j = 0;
    let n = 0;
    while (i < a.length || j < b.length) {
      const x = i < a.length ? (a[i] as number) : Number.POSITIVE_INFINITY;
      const y = j < b.length ? (b[j] as number) : Number.POSITIVE_INFINITY;
      const next = Math.min(x, y);
      if (x === next) i++;
      if (y === next) j++;
      out[n++] = next;
    }
    return new RowSet(out.slice(0, n));
  }
}

/** Lookups by id above this many: one pass over every row instead. */
const LOOKUPS = 32;

/** The rows of the spans with these ids (a search's answer); ids not in the trace are left out. */
export function rowsOfSpanIds(tree: SpanTree, ids: ReadonlySet<string>): RowSet {
  if (ids.size === 0) return RowSet.EMPTY;
  const found: number[] = [];
  if (ids.size <= LOOKUPS) {
    for (const id of ids) {
      const row = tree.rowOf(id);
      if (row !== undefined) found.push(row);
    }
    found.sort((a, b) => a - b);
  } else {
    const { columns, rows } = tree;
    for (let r = 0; r < tree.size; r++) if (ids.has(columns.spanIdAt(rows.span[r] as number))) found.push(r);
  }
  return new RowSet(Int32Array.from(new Set(found)));
}

/** The span ids of a set of rows, for the views that take ids. */
export function spanIdsOfRows(tree: SpanTree, set: RowSet): Set<string> {
  const ids = new Set<string>();
  for (const row of set.rows) ids.add(tree.columns.spanIdAt(tree.rows.span[row] as number));
  return ids;
}

/** Where `value` is in a sorted list (a binary search); -1 when it is not there. */
export function indexInSorted(list: Int32Array, value: number): number {
  let lo = 0;
  let hi = list.length - 1;
  while (lo <= hi) {
    const mid = (lo + hi) >>> 1;
    const at = list[mid] as number;
    if (at === value) return mid;
    if (at < value) lo = mid + 1;
    else hi = mid - 1;
  }
  return -1;
}
