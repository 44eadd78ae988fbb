import type { SpanTree } from './build-span-tree.js';
import { indexInSorted } from './row-set.js';

/**
 * Which rows of a tree are collapsed: one flag per row (a row is a node's
 * index in depth-first order). Never changed once made: a fold makes a new
 * one, so React sees the change. A copy of the flags costs a byte per span,
 * far less than a set of span ids once thousands are collapsed.
 */
export class CollapsedRows {
  constructor(
    private readonly flags: Uint8Array,
    /** How many rows are collapsed. */
    readonly size: number,
  ) {}

  has(row: number): boolean {
    return this.flags[row] === 1;
  }

  /** A copy of the flags for a tree of `rows` rows, to change before making the next state. */
  copyFlags(rows: number): Uint8Array {
    const copy = new Uint8Array(rows);
    copy.set(this.flags.subarray(0, rows));
    return copy;
  }
}

export const NOTHING_COLLAPSED = new CollapsedRows(new Uint8Array(0), 0);

/**
 * The rows a timeline shows, in order: `at(k)` is the row shown k-th.
 * `positionOf` is the inverse (-1 for a hidden row).
 */
export interface VisibleRows {
  readonly length: number;
  at(position: number): number;
  positionOf(row: number): number;
}

/**
 * The rows a timeline shows: the tree's depth-first order minus the
 * descendants of collapsed spans. A collapsed span's subtree is one contiguous
 * run of `descendantCount` rows in that order, so it is skipped in one step:
 * the cost is the number of visible rows, whatever is hidden, and nothing
 * collapsed costs nothing.
 */
export function visibleRows(tree: SpanTree, collapsed: CollapsedRows): VisibleRows {
  const size = tree.size;
  if (collapsed.size === 0) {
    return { length: size, at: (k) => k, positionOf: (row) => (row >= 0 && row < size ? row : -1) };
  }
  const descendants = tree.rows.descendants;
  const shown = new Int32Array(size);
  let count = 0;
  for (let r = 0; r < size; ) {
    shown[count++] = r;
    r += collapsed.has(r) ? 1 + (descendants[r] as number) : 1;
  }
  const list = shown.subarray(0, count);
  return {
    length: count,
    at: (k) => list[k] as number,
    // The shown rows are in increasing order: a binary search.
    positionOf: (row) => indexInSorted(list, row),
  };
}

/** Every row that has children collapsed: "collapse all", one pass over a typed column. */
export function collapseAll(tree: SpanTree): CollapsedRows {
  const flags = new Uint8Array(tree.size);
  const childCount = tree.rows.childCount;
  let count = 0;
  for (let r = 0; r < flags.length; r++) {
    if ((childCount[r] as number) > 0) {
      flags[r] = 1;
      count++;
    }
  }
  return new CollapsedRows(flags, count);
}

/** Collapse state after toggling one row. */
export function toggleCollapsed(tree: SpanTree, collapsed: CollapsedRows, row: number): CollapsedRows {
  const flags = collapsed.copyFlags(tree.size);
  const was = flags[row] === 1;
  flags[row] = was ? 0 : 1;
  return new CollapsedRows(flags, collapsed.size + (was ? -1 : 1));
}

/** Expands every ancestor of a row, so a row selected from elsewhere (a link, the URL, find) is on screen. */
export function revealRow(tree: SpanTree, collapsed: CollapsedRows, row: number): CollapsedRows {
  if (collapsed.size === 0) return collapsed;
  const parent = tree.rows.parent;
  let flags: Uint8Array | undefined;
  let size = collapsed.size;
  for (let r = parent[row] ?? -1; r >= 0; r = parent[r] as number) {
    if (collapsed.has(r)) {
      flags ??= collapsed.copyFlags(tree.size);
      flags[r] = 0;
      size--;
    }
  }
  return flags === undefined ? collapsed : new CollapsedRows(flags, size);
}
