import type { JaegerProcess, JaegerSpan, JaegerTrace } from '@ariadne/protocol';
import { parentSpanIdOf } from './span-references.js';
import { isErrorSpan } from './span-tags.js';
import type { TraceShape } from './trace-shape.js';

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
  /** Position in `SpanTree.nodes` (depth-first order). */
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
  /** Every node in depth-first order: the rows of a fully expanded timeline. */
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
}

interface MutableNode {
  span: JaegerSpan;
  spanId: string;
  serviceName: string;
  process: JaegerProcess | undefined;
  depth: number;
  parent: MutableNode | undefined;
  children: MutableNode[];
  descendantCount: number;
  index: number;
  hasError: boolean;
  orphan: boolean;
  cycleBroken: boolean;
}

/**
 * Builds the span tree of a trace. Spans whose parent is missing become roots
 * (marked `orphan`); a parent cycle is broken at its earliest span (marked
 * `cycleBroken`), so every span appears exactly once. Children and roots are
 * sorted by start time. Iterative throughout: a chain of 100,000 spans must
 * not overflow the stack. O(n log n) for the sort, O(n) otherwise. With the
 * `shape` a skeleton came with (`readTraceSkeleton`), its spans are taken as
 * sorted, parents and duplicates as it says, and `byId` is built on first use.
 */
export function buildSpanTree(trace: JaegerTrace, shape?: TraceShape): SpanTree {
  const linked = shape === undefined ? linkById(trace) : linkByShape(trace, shape);
  const { all } = linked;
  let roots = linked.roots;

  let nodes = depthFirst(roots);
  // Fewer nodes than spans reached from the roots: some spans' parents form a cycle.
  if (nodes.length < all.length) {
    const reached = new Set<MutableNode>();
    markReachable(roots, reached);
    for (const node of all) {
      if (reached.has(node)) continue;
      const parent = node.parent;
      if (parent !== undefined) parent.children.splice(parent.children.indexOf(node), 1);
      node.parent = undefined;
      node.cycleBroken = true;
      roots.push(node);
      markReachable([node], reached);
    }
    roots = roots.sort((a, b) => byStartThenId(a.span, b.span));
    nodes = depthFirst(roots);
  }

  let maxDepth = -1;
  for (let i = nodes.length - 1; i >= 0; i--) {
    const node = nodes[i] as MutableNode;
    node.index = i;
    if (node.depth > maxDepth) maxDepth = node.depth;
    if (node.parent !== undefined) node.parent.descendantCount += 1 + node.descendantCount;
  }

  let startTime = Number.POSITIVE_INFINITY;
  let endTime = Number.NEGATIVE_INFINITY;
  let errorCount = 0;
  for (const node of all) {
    const span = node.span;
    if (span.startTime < startTime) startTime = span.startTime;
    if (span.startTime + span.duration > endTime) endTime = span.startTime + span.duration;
    if (node.hasError) errorCount++;
  }
  const empty = all.length === 0;
  let byId = linked.byId;
  return {
    roots,
    nodes,
    get byId() {
      if (byId === undefined) {
        byId = new Map();
        for (const node of all) byId.set(node.spanId, node);
      }
      return byId;
    },
    startTime: empty ? 0 : startTime,
    endTime: empty ? 0 : endTime,
    depth: maxDepth + 1,
    duplicateCount: linked.duplicateCount,
    errorCount,
  };
}

/** Nodes (in start order) with parents and children linked, before cycles are broken. */
interface Linked {
  readonly all: MutableNode[];
  readonly roots: MutableNode[];
  readonly byId: Map<string, MutableNode> | undefined;
  readonly duplicateCount: number;
}

function newNode(trace: JaegerTrace, span: JaegerSpan, hasError: boolean): MutableNode {
  const process = trace.processes[span.processID];
  return {
    span,
    spanId: span.spanID,
    serviceName: process?.serviceName ?? 'unknown service',
    process,
    depth: 0,
    parent: undefined,
    children: NO_CHILDREN,
    descendantCount: 0,
    index: 0,
    hasError,
    orphan: false,
    cycleBroken: false,
  };
}

/** `all` is in start order, so pushing keeps every children list sorted. */
function adopt(parent: MutableNode, node: MutableNode): void {
  node.parent = parent;
  // Most spans are leaves: they share one empty list rather than each owning one.
  if (parent.children === NO_CHILDREN) parent.children = [node];
  else parent.children.push(node);
}

function linkById(trace: JaegerTrace): Linked {
  // Servers usually send spans in this order already (the Jaeger API and the skeleton do): check before sorting.
  const sorted = isSorted(trace.spans) ? trace.spans : [...trace.spans].sort(byStartThenId);
  const byId = new Map<string, MutableNode>();
  const all: MutableNode[] = [];
  let duplicateCount = 0;
  for (const span of sorted) {
    if (byId.has(span.spanID)) {
      duplicateCount++;
      continue;
    }
    const node = newNode(trace, span, isErrorSpan(span));
    byId.set(span.spanID, node);
    all.push(node);
  }
  const roots: MutableNode[] = [];
  for (const node of all) {
    const parentId = parentSpanIdOf(node.span);
    const parent = parentId === undefined ? undefined : byId.get(parentId);
    if (parent === undefined || parent === node) {
      node.orphan = parentId !== undefined && parent === undefined;
      roots.push(node);
    } else adopt(parent, node);
  }
  return { all, roots, byId, duplicateCount };
}

/** The skeleton's way: parents by index, no id looked up. */
function linkByShape(trace: JaegerTrace, shape: TraceShape): Linked {
  const spans = trace.spans;
  const n = spans.length;
  const { parents, duplicate, failed } = shape;
  if (parents.length !== n || duplicate.length !== n || failed.length !== n) {
    throw new RangeError(`a trace shape of ${parents.length} spans for a trace of ${n}`);
  }
  // Filled in order from empty: \`new Array(n)\` past 100,000 entries is a slow dictionary in V8.
  const nodeAt: (MutableNode | undefined)[] = [];
  const all: MutableNode[] = [];
  let duplicateCount = 0;
  for (let i = 0; i < n; i++) {
    if (duplicate[i] === 1) {
      nodeAt.push(undefined);
      duplicateCount++;
      continue;
    }
    const node = newNode(trace, spans[i] as JaegerSpan, failed[i] === 1);
    nodeAt.push(node);
    all.push(node);
  }
  const roots: MutableNode[] = [];
  for (let i = 0; i < n; i++) {
    const node = nodeAt[i];
    if (node === undefined) continue;
    const at = parents[i] as number;
    const parent = at >= 0 ? nodeAt[at] : undefined;
    if (parent === undefined || parent === node) {
      node.orphan = at === -2 || (at >= 0 && parent === undefined);
      roots.push(node);
    } else adopt(parent, node);
  }
  return { all, roots, byId: undefined, duplicateCount };
}

const NO_CHILDREN: MutableNode[] = [];

function isSorted(spans: readonly JaegerSpan[]): boolean {
  for (let i = 1; i < spans.length; i++) {
    if (byStartThenId(spans[i - 1] as JaegerSpan, spans[i] as JaegerSpan) > 0) return false;
  }
  return true;
}

function byStartThenId(a: JaegerSpan, b: JaegerSpan): number {
  if (a.startTime !== b.startTime) return a.startTime - b.startTime;
  return a.spanID < b.spanID ? -1 : a.spanID > b.spanID ? 1 : 0;
}

function markReachable(from: readonly MutableNode[], reached: Set<MutableNode>): void {
  const stack = [...from];
  for (let node = stack.pop(); node !== undefined; node = stack.pop()) {
    if (reached.has(node)) continue;
    reached.add(node);
    for (const child of node.children) stack.push(child);
  }
}

/** Pre-order with depths set; children pushed in reverse so they pop in start order. */
function depthFirst(roots: readonly MutableNode[]): MutableNode[] {
  const out: MutableNode[] = [];
  const stack: MutableNode[] = [];
  for (let i = roots.length - 1; i >= 0; i--) stack.push(roots[i] as MutableNode);
  for (let node = stack.pop(); node !== undefined; node = stack.pop()) {
    node.depth = node.parent === undefined ? 0 : node.parent.depth + 1;
    out.push(node);
    for (let i = node.children.length - 1; i >= 0; i--) stack.push(node.children[i] as MutableNode);
  }
  return out;
}
