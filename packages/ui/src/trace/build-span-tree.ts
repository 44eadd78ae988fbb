import type { JaegerProcess, JaegerSpan, JaegerTrace } from '@ariadne/protocol';
import { columnsOfTrace, type SpanColumns, spanIndexOf } from './span-columns.js';

export interface SpanNode {
  readonly span: JaegerSpan;
  readonly spanId: string;
  readonly serviceName: string;
  /** `undefined` when the span's processID names no process of the trace. */
  readonly process: JaegerProcess | undefined;
  /** 0 for roots. */
  readonly depth: number;
  readonly parent: SpanNode | undefined;
  /** Sorted by start time, then span id. */
  readonly children: readonly SpanNode[];
  /** Spans below this one, all generations. */
  readonly descendantCount: number;
  /** Position in `SpanTree.nodes` (depth-first order): the node's row. */
  readonly index: number;
  readonly hasError: boolean;
  /** A root only because its parent is not in the trace (not received, or dropped). */
  readonly orphan: boolean;
  /** A root only because its ancestors formed a cycle, which had to be broken somewhere. */
  readonly cycleBroken: boolean;
}

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

export interface SpanTree {
  /** Sorted by start time, then span id. */
  readonly roots: readonly SpanNode[];
  /**
   * Every node in depth-first order: the rows of a fully expanded timeline.
   * Made on first use: the timeline asks `nodeAt` for the rows it draws.
   */
  readonly nodes: readonly SpanNode[];
  readonly byId: ReadonlyMap<string, SpanNode>;
  /** Microseconds since the epoch: earliest start and latest end of any span. */
  readonly startTime: number;
  readonly endTime: number;
  /** Levels of nesting: 1 for a lone span, 0 for an empty trace. */
  readonly depth: number;
  /** Spans left out because an earlier span had the same id (stores may keep a span twice). */
  readonly duplicateCount: number;
  readonly errorCount: number;
  /** Roots whose parent is missing, and roots made by breaking a cycle. */
  readonly orphanCount: number;
  readonly cycleCount: number;
  /** Number of nodes (rows). */
  readonly size: number;
  readonly columns: SpanColumns;
  readonly rows: TreeRows;
  /** The node of a row; the same object every time. */
  nodeAt(row: number): SpanNode;
  /** The row of the span with this id; undefined when the trace has none. */
  rowOf(spanId: string): number | undefined;
}

const ORPHAN = 1;
const CYCLE_BROKEN = 2;

/**
 * Builds the span tree of a trace. Spans whose parent is missing become roots
 * (marked `orphan`); a parent cycle is broken at its earliest span (marked
 * `cycleBroken`), so every span appears exactly once. Children and roots are
 * sorted by start time. Iterative throughout: a chain of 100,000 spans must
 * not overflow the stack. Typed arrays throughout: O(n) with no object per
 * span (beyond a sort when a whole trace's spans are not in start order);
 * nodes are made as they are asked for. With a skeleton's `columns`
 * (`readTraceSkeleton`), its parents and duplicates are taken as it says.
 */
export function buildSpanTree(trace: JaegerTrace, given?: SpanColumns): SpanTree {
  const columns = given ?? columnsOfTrace(trace);
  const n = columns.count;
  const { duplicate, failed, starts, durations } = columns;

  // Parents among kept spans; the flag says why a span without one has none.
  const parentOf = new Int32Array(n);
  const flags = new Uint8Array(n);
  let duplicateCount = 0;
  for (let i = 0; i < n; i++) {
    if (duplicate[i] === 1) {
      duplicateCount++;
      parentOf[i] = -1;
      continue;
    }
    const at = columns.parents[i] as number;
    if (at >= 0 && at !== i && duplicate[at] !== 1) parentOf[i] = at;
    else {
      parentOf[i] = -1;
      if (at === -2 || (at >= 0 && at !== i)) flags[i] = ORPHAN;
    }
  }

  let { first, next } = childLists(parentOf, duplicate);
  let rowSpan = depthFirst(parentOf, duplicate, first, next, n - duplicateCount);
  // Fewer rows than spans: some spans' parents form a cycle, unreachable from any root.
  let cycleCount = 0;
  if (rowSpan.length < n - duplicateCount) {
    const reached = new Uint8Array(n);
    for (const i of rowSpan) reached[i] = 1;
    for (let i = 0; i < n; i++) {
      if (reached[i] === 1 || duplicate[i] === 1) continue;
      // Broken at its earliest span: the spans are in start order.
      parentOf[i] = -1;
      flags[i] = CYCLE_BROKEN;
      cycleCount++;
      markReached(i, parentOf, first, next, reached);
    }
    ({ first, next } = childLists(parentOf, duplicate));
    rowSpan = depthFirst(parentOf, duplicate, first, next, n - duplicateCount);
  }

  const size = rowSpan.length;
  const rowOfSpan = new Int32Array(n).fill(-1);
  for (let r = 0; r < size; r++) rowOfSpan[rowSpan[r] as number] = r;
  const rowParent = new Int32Array(size);
  const depth = new Int32Array(size);
  const descendants = new Int32Array(size);
  const childCount = new Int32Array(size);
  let maxDepth = -1;
  let orphanCount = 0;
  let errorCount = 0;
  let startTime = Number.POSITIVE_INFINITY;
  let endTime = Number.NEGATIVE_INFINITY;
  for (let r = 0; r < size; r++) {
    const i = rowSpan[r] as number;
    const p = parentOf[i] as number;
    const parentRow = p < 0 ? -1 : (rowOfSpan[p] as number);
    rowParent[r] = parentRow;
    const d = parentRow < 0 ? 0 : (depth[parentRow] as number) + 1;
    depth[r] = d;
    if (d > maxDepth) maxDepth = d;
    if (parentRow >= 0) childCount[parentRow] = (childCount[parentRow] as number) + 1;
    if (flags[i] === ORPHAN) orphanCount++;
    if (failed[i] === 1) errorCount++;
    const start = starts[i] as number;
    if (start < startTime) startTime = start;
    const end = start + (durations[i] as number);
    if (end > endTime) endTime = end;
  }
  for (let r = size - 1; r >= 0; r--) {
    const p = rowParent[r] as number;
    if (p >= 0) descendants[p] = (descendants[p] as number) + 1 + (descendants[r] as number);
  }
  const rows: TreeRows = { span: rowSpan, parent: rowParent, depth, descendants, childCount };

  // Nodes made on demand: a sparse map until every node is asked for at once.
  let all: TreeNode[] | undefined;
  const made = new Map<number, TreeNode>();
  const nodeAt = (row: number): TreeNode => {
    if (all !== undefined) return all[row] as TreeNode;
    let node = made.get(row);
    if (node === undefined) {
      if (!(row >= 0 && row < size)) throw new RangeError(`no row ${row} in a tree of ${size}`);
      node = new TreeNode(tree, row, flags[rowSpan[row] as number] as number);
      made.set(row, node);
    }
    return node;
  };
  let roots: TreeNode[] | undefined;
  let byId: Map<string, SpanNode> | undefined;
  const empty = size === 0;
  const tree: SpanTree = {
    get roots() {
      if (roots === undefined) {
        roots = [];
        for (let r = 0; r < size; r += 1 + (descendants[r] as number)) roots.push(nodeAt(r));
      }
      return roots;
    },
    get nodes() {
      if (all === undefined) {
        const list: TreeNode[] = [];
        for (let r = 0; r < size; r++) list.push(nodeAt(r));
        all = list;
        made.clear();
      }
      return all;
    },
    get byId() {
      if (byId === undefined) {
        byId = new Map();
        for (const node of tree.nodes) byId.set(node.spanId, node);
      }
      return byId;
    },
    startTime: empty ? 0 : startTime,
    endTime: empty ? 0 : endTime,
    depth: maxDepth + 1,
    duplicateCount,
    errorCount,
    orphanCount,
    cycleCount,
    size,
    columns,
    rows,
    nodeAt,
    rowOf(spanId) {
      if (byId !== undefined) return byId.get(spanId)?.index;
      const i = spanIndexOf(columns, spanId);
      if (i === undefined) return undefined;
      const row = rowOfSpan[i] as number;
      return row < 0 ? undefined : row;
    },
  };
  return tree;
}

/** A node read from the tree's rows and the trace's columns. */
class TreeNode implements SpanNode {
  #children: SpanNode[] | undefined;
  constructor(
    private readonly tree: SpanTree,
    readonly index: number,
    private readonly flags: number,
  ) {}
  private get at(): number {
    return this.tree.rows.span[this.index] as number;
  }
  get span(): JaegerSpan {
    return this.tree.columns.spanAt(this.at);
  }
  get spanId(): string {
    return this.tree.columns.spanIdAt(this.at);
  }
  get serviceName(): string {
    const { columns } = this.tree;
    return (columns.processes[columns.processOf[this.at] as number] as { serviceName: string }).serviceName;
  }
  get process(): JaegerProcess | undefined {
    const { columns } = this.tree;
    return columns.processes[columns.processOf[this.at] as number]?.process;
  }
  get depth(): number {
    return this.tree.rows.depth[this.index] as number;
  }
  get parent(): SpanNode | undefined {
    const p = this.tree.rows.parent[this.index] as number;
    return p < 0 ? undefined : this.tree.nodeAt(p);
  }
  get children(): readonly SpanNode[] {
    if (this.#children === undefined) {
      const { rows } = this.tree;
      const count = rows.childCount[this.index] as number;
      if (count === 0) this.#children = NO_CHILDREN;
      else {
        const list: SpanNode[] = [];
        const end = this.index + 1 + (rows.descendants[this.index] as number);
        for (let r = this.index + 1; r < end; r += 1 + (rows.descendants[r] as number)) list.push(this.tree.nodeAt(r));
        this.#children = list;
      }
    }
    return this.#children;
  }
  get descendantCount(): number {
    return this.tree.rows.descendants[this.index] as number;
  }
  get hasError(): boolean {
    return this.tree.columns.failed[this.at] === 1;
  }
  get orphan(): boolean {
    return this.flags === ORPHAN;
  }
  get cycleBroken(): boolean {
    return this.flags === CYCLE_BROKEN;
  }
}

const NO_CHILDREN: SpanNode[] = [];

/**
 * Children lists as linked lists in typed arrays: `first[p]` is p's first
 * child, `next[c]` the child after c (-1 ends). Built from the last span
 * back, so each list is in start order.
 */
function childLists(parentOf: Int32Array, duplicate: Uint8Array): { first: Int32Array; next: Int32Array } {
  const n = parentOf.length;
  const first = new Int32Array(n).fill(-1);
  const next = new Int32Array(n).fill(-1);
  for (let i = n - 1; i >= 0; i--) {
    if (duplicate[i] === 1) continue;
    const p = parentOf[i] as number;
    if (p < 0) continue;
    next[i] = first[p] as number;
    first[p] = i;
  }
  return { first, next };
}

/** Span indexes in pre-order from the roots (spans without a parent, in start order). */
function depthFirst(
  parentOf: Int32Array,
  duplicate: Uint8Array,
  first: Int32Array,
  next: Int32Array,
  kept: number,
): Int32Array {
  const n = parentOf.length;
  const out = new Int32Array(kept);
  let count = 0;
  // The stack holds the next sibling to visit at each level; at most one entry per level.
  const stack = new Int32Array(n + 1);
  for (let root = 0; root < n; root++) {
    if (duplicate[root] === 1 || parentOf[root] !== -1) continue;
    let top = 0;
    stack[0] = root;
    while (top >= 0) {
      const i = stack[top] as number;
      if (i < 0) {
        top--;
        continue;
      }
      out[count++] = i;
      // What this level visits next: the span's next sibling; a root's are other roots, which the outer loop visits.
      stack[top] = top === 0 ? -1 : (next[i] as number);
      const child = first[i] as number;
      if (child >= 0) stack[++top] = child;
    }
  }
  return count === kept ? out : out.subarray(0, count);
}

function markReached(from: number, parentOf: Int32Array, first: Int32Array, next: Int32Array, reached: Uint8Array) {
  const stack = [from];
  for (let i = stack.pop(); i !== undefined; i = stack.pop()) {
    if (reached[i] === 1) continue;
    reached[i] = 1;
    for (let c = first[i] as number; c >= 0; c = next[c] as number) if (parentOf[c] === i) stack.push(c);
  }
}
