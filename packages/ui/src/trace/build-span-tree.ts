import type { JaegerProcess, JaegerSpan, JaegerTrace } from '@ariadne/protocol';
import { columnsOfTrace, type SpanColumns, spanIndexOf } from './span-columns.js';
import { CYCLE_BROKEN, layOutTree, ORPHAN, type TreeRows } from './tree-layout.js';

export type { TreeRows } from './tree-layout.js';

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
  /** Spans that start before or end after their parent (`isSkewed`), counted without a node each. */
  readonly skewCount: number;
  /** Number of nodes (rows). */
  readonly size: number;
  readonly columns: SpanColumns;
  readonly rows: TreeRows;
  /** The node of a row; the same object every time. */
  nodeAt(row: number): SpanNode;
  /** The row of the span with this id; undefined when the trace has none. */
  rowOf(spanId: string): number | undefined;
}

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
  const layout = layOutTree(columns);
  const { rows, flags } = layout;
  // A span's row, for lookups by id: made on the first one (a pass over every row).
  let rowOfSpan: Int32Array | undefined;
  const { span: rowSpan, descendants } = rows;
  const size = rowSpan.length;

  // Nodes made on demand: a sparse map until every node is asked for at once.
  let all: TreeNode[] | undefined;
  const made = new Map<number, TreeNode>();
  const nodeAt = (row: number): TreeNode => {
    if (!(row >= 0 && row < size)) throw new RangeError(`no row ${row} in a tree of ${size}`);
    if (all !== undefined) return all[row] as TreeNode;
    let node = made.get(row);
    if (node === undefined) {
      node = new TreeNode(tree, row, flags[rowSpan[row] as number] as number);
      made.set(row, node);
    }
    return node;
  };
  let roots: TreeNode[] | undefined;
  let byId: Map<string, SpanNode> | undefined;
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
    startTime: layout.startTime,
    endTime: layout.endTime,
    depth: layout.levels,
    duplicateCount: layout.duplicateCount,
    errorCount: layout.errorCount,
    orphanCount: layout.orphanCount,
    cycleCount: layout.cycleCount,
    skewCount: layout.skewCount,
    size,
    columns,
    rows,
    nodeAt,
    rowOf(spanId) {
      if (byId !== undefined) return byId.get(spanId)?.index;
      const i = spanIndexOf(columns, spanId);
      if (i === undefined) return undefined;
      if (rowOfSpan === undefined) {
        rowOfSpan = new Int32Array(columns.count).fill(-1);
        for (let r = 0; r < size; r++) rowOfSpan[rowSpan[r] as number] = r;
      }
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
