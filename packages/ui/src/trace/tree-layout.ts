import type { SpanColumns } from './span-columns.js';

/**
 * The tree in depth-first order as typed arrays, one entry per row (a
 * row is a node's index in `SpanTree.nodes`): what the timeline, its folds,
 * its minimap and find read, so that none of them needs a node per span.
 */
export interface TreeRows {
  /** Index in the columns (`SpanColumns`) of the row's span. */
  readonly span: Int32Array;
  /** The row of the parent; -1 for a root. */
  readonly parent: Int32Array;
  readonly depth: Int32Array;
  readonly descendants: Int32Array;
  readonly childCount: Int32Array;
}

/** Why a span is a root though it names a parent (`TreeLayout.flags`). */
export const ORPHAN = 1;
export const CYCLE_BROKEN = 2;

/** A trace's tree worked out from its columns: rows, and per span what the tree made of it. */
export interface TreeLayout {
  readonly rows: TreeRows;
  /** Per span: `ORPHAN`, `CYCLE_BROKEN` or 0. */
  readonly flags: Uint8Array;
  readonly duplicateCount: number;
  readonly orphanCount: number;
  readonly cycleCount: number;
  readonly errorCount: number;
  /** Spans that start before or end after their parent (`isSkewed`). */
  readonly skewCount: number;
  /** Levels of nesting: 1 for a lone span, 0 for an empty trace. */
  readonly levels: number;
  /** Earliest start and latest end of any kept span; 0 and 0 for an empty trace. */
  readonly startTime: number;
  readonly endTime: number;
}

/**
 * Lays out the tree: spans whose parent is missing become roots (`ORPHAN`);
 * a parent cycle is broken at its earliest span (`CYCLE_BROKEN`), so every
 * kept span is on exactly one row. Children and roots keep the columns'
 * start order. A few linear passes over typed arrays, each its own function
 * taking its arrays as arguments (one shape each, which the engine compiles
 * well); no object per span, no recursion (a chain of 100,000 spans must not
 * overflow the stack).
 */
export function layOutTree(columns: SpanColumns): TreeLayout {
  const n = columns.count;
  const { duplicate } = columns;
  const parentOf = new Int32Array(n);
  const flags = new Uint8Array(n);
  const { duplicateCount, orphanCount } = linkParents(columns.parents, duplicate, parentOf, flags);
  const kept = n - duplicateCount;

  let links = childLinks(parentOf, duplicate);
  let walk = depthFirst(parentOf, duplicate, links, kept);
  // Fewer rows than spans: some spans' parents form a cycle, unreachable from any root.
  let cycleCount = 0;
  if (walk.count < kept) {
    cycleCount = breakCycles(walk.rows.span, duplicate, parentOf, flags, links);
    links = childLinks(parentOf, duplicate);
    walk = depthFirst(parentOf, duplicate, links, kept);
  }
  const { rows, levels } = walk;
  countDescendants(rows.parent, rows.descendants);
  const facts = spanFacts(parentOf, duplicate, columns.failed, columns.starts, columns.durations);
  return {
    rows,
    flags,
    duplicateCount,
    orphanCount,
    cycleCount,
    ...facts,
    levels,
  };
}

/** Parents among kept spans; the flag says why a span that names one has none. */
function linkParents(
  parents: Int32Array,
  duplicate: Uint8Array,
  parentOf: Int32Array,
  flags: Uint8Array,
): { duplicateCount: number; orphanCount: number } {
  let duplicateCount = 0;
  let orphanCount = 0;
  for (let i = 0; i < parents.length; i++) {
    parentOf[i] = -1;
    if (duplicate[i] === 1) {
      duplicateCount++;
      continue;
    }
    const at = parents[i] as number;
    if (at >= 0 && at !== i && duplicate[at] !== 1) parentOf[i] = at;
    else if (at === -2 || (at >= 0 && at !== i)) {
      flags[i] = ORPHAN;
      orphanCount++;
    }
  }
  return { duplicateCount, orphanCount };
}

/**
 * Children lists as linked lists in one typed array: `links[2p]` is p's
 * first child, `links[2c + 1]` the child after c (-1 ends); the two halves of
 * a span's entry share a cache line, which for a million spans, visited in an
 * order unlike the columns', is most of the walk's cost. Built from the last
 * span back, so each list is in start order.
 */
function childLinks(parentOf: Int32Array, duplicate: Uint8Array): Int32Array {
  const n = parentOf.length;
  const links = new Int32Array(2 * n).fill(-1);
  for (let i = n - 1; i >= 0; i--) {
    const p = parentOf[i] as number;
    if (p < 0 || duplicate[i] === 1) continue;
    links[2 * i + 1] = links[2 * p] as number;
    links[2 * p] = i;
  }
  return links;
}

/**
 * Pre-order from the roots (kept spans without a parent, in start order),
 * filling each row's span, parent row, depth and child count as it goes.
 * `count` is less than `kept` when some spans are on a cycle, out of reach.
 */
function depthFirst(
  parentOf: Int32Array,
  duplicate: Uint8Array,
  links: Int32Array,
  kept: number,
): { rows: TreeRows; count: number; levels: number } {
  const n = parentOf.length;
  const span = new Int32Array(kept);
  const parent = new Int32Array(kept);
  const depth = new Int32Array(kept);
  const childCount = new Int32Array(kept);
  // Per level: the span to visit next there, and the row last visited there (the parent of the level below).
  const pending = new Int32Array(n + 1);
  const rowAt = new Int32Array(n + 1);
  let count = 0;
  let levels = 0;
  for (let root = 0; root < n; root++) {
    if (parentOf[root] !== -1 || duplicate[root] === 1) continue;
    let top = 0;
    pending[0] = root;
    while (top >= 0) {
      const i = pending[top] as number;
      if (i < 0) {
        top--;
        continue;
      }
      const row = count++;
      span[row] = i;
      depth[row] = top;
      if (top >= levels) levels = top + 1;
      if (top === 0) parent[row] = -1;
      else {
        const up = rowAt[top - 1] as number;
        parent[row] = up;
        childCount[up] = (childCount[up] as number) + 1;
      }
      rowAt[top] = row;
      // What this level visits next: the span's next sibling; a root's are other roots, which the outer loop visits.
      pending[top] = top === 0 ? -1 : (links[2 * i + 1] as number);
      const child = links[2 * i] as number;
      if (child >= 0) pending[++top] = child;
    }
  }
  const descendants = new Int32Array(count);
  const rows: TreeRows =
    count === kept
      ? { span, parent, depth, descendants, childCount }
      : {
          span: span.subarray(0, count),
          parent: parent.subarray(0, count),
          depth: depth.subarray(0, count),
          descendants,
          childCount: childCount.subarray(0, count),
        };
  return { rows, count, levels };
}

/**
 * Makes a root of the earliest span of each cycle (the spans are in start
 * order) and of nothing else: every span still out of reach is below one.
 * Returns how many roots it made.
 */
function breakCycles(
  reachedSpans: Int32Array,
  duplicate: Uint8Array,
  parentOf: Int32Array,
  flags: Uint8Array,
  links: Int32Array,
): number {
  const n = parentOf.length;
  const reached = new Uint8Array(n);
  for (const i of reachedSpans) reached[i] = 1;
  let broken = 0;
  const stack: number[] = [];
  for (let i = 0; i < n; i++) {
    if (reached[i] === 1 || duplicate[i] === 1) continue;
    parentOf[i] = -1;
    flags[i] = CYCLE_BROKEN;
    broken++;
    stack.push(i);
    for (let s = stack.pop(); s !== undefined; s = stack.pop()) {
      if (reached[s] === 1) continue;
      reached[s] = 1;
      for (let c = links[2 * s] as number; c >= 0; c = links[2 * c + 1] as number) {
        if (parentOf[c] === s) stack.push(c);
      }
    }
  }
  return broken;
}

/** Each row's descendants, from the last row up: a subtree's rows follow its root's. */
function countDescendants(parent: Int32Array, descendants: Int32Array): void {
  for (let r = parent.length - 1; r >= 0; r--) {
    const p = parent[r] as number;
    if (p >= 0) descendants[p] = (descendants[p] as number) + 1 + (descendants[r] as number);
  }
}

/** Errors, clock skew and the time span of the kept spans, in one pass in the columns' order. */
function spanFacts(
  parentOf: Int32Array,
  duplicate: Uint8Array,
  failed: Uint8Array,
  starts: Float64Array,
  durations: ArrayLike<number>,
): { errorCount: number; skewCount: number; startTime: number; endTime: number } {
  let errorCount = 0;
  let skewCount = 0;
  let startTime = Number.POSITIVE_INFINITY;
  let endTime = Number.NEGATIVE_INFINITY;
  for (let i = 0; i < parentOf.length; i++) {
    if (duplicate[i] === 1) continue;
    if (failed[i] === 1) errorCount++;
    const start = starts[i] as number;
    const end = start + (durations[i] as number);
    if (start < startTime) startTime = start;
    if (end > endTime) endTime = end;
    const p = parentOf[i] as number;
    if (p >= 0) {
      const parentStart = starts[p] as number;
      if (start < parentStart || end > parentStart + (durations[p] as number)) skewCount++;
    }
  }
  const empty = startTime === Number.POSITIVE_INFINITY;
  return { errorCount, skewCount, startTime: empty ? 0 : startTime, endTime: empty ? 0 : endTime };
}
