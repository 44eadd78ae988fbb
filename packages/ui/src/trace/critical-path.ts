import type { SpanNode, SpanTree } from './build-span-tree.js';

/** A stretch of time during which this span itself (not a child) was what the trace waited on. */
export interface CriticalSegment {
  readonly spanId: string;
  /** Microseconds since the epoch. */
  readonly start: number;
  readonly end: number;
}

export interface CriticalPath {
  /** Latest first, as the walk finds them. */
  readonly segments: readonly CriticalSegment[];
  /** Every span the path goes through (a span whose children cover all of it has no segment of its own). */
  readonly spanIds: ReadonlySet<string>;
}

interface Frame {
  /** Children ordered by (clamped) end time, latest first. */
  readonly byEnd: readonly SpanNode[];
  /** Next candidate in `byEnd`: the bound only ever moves earlier, so the scan never goes back. */
  next: number;
}

/**
 * The critical path (Jaeger's definition): walking back from the end of the
 * root, at each moment the span that was last to finish among the children
 * still running, recursively; a span's own time counts where no child was
 * ending later. Children are clamped to their parent's interval, so a skewed
 * child cannot stretch the path. Iterative, and each child list is sorted once
 * and scanned once: O(n log n) even for 100,000 siblings or a chain that deep.
 */
export function criticalPath(tree: SpanTree): CriticalPath {
  const segments: CriticalSegment[] = [];
  const spanIds = new Set<string>();
  const root = longestRoot(tree);
  if (root === undefined) return { segments, spanIds };
  const frames = new Map<SpanNode, Frame>();
  const push = (spanId: string, start: number, end: number) => {
    if (end > start) segments.push({ spanId, start, end });
  };

  let node: SpanNode = root;
  // The end of the window still to explain in `node`; the span's own end on arrival.
  let bound = endOf(node);
  for (;;) {
    let frame = frames.get(node);
    if (frame === undefined) {
      spanIds.add(node.spanId);
      frame = { byEnd: [...node.children].sort((a, b) => clampedEnd(b) - clampedEnd(a)), next: 0 };
      frames.set(node, frame);
    }
    while (frame.next < frame.byEnd.length && clampedEnd(frame.byEnd[frame.next] as SpanNode) > bound) frame.next++;
    const child = frame.byEnd[frame.next];
    if (child !== undefined && clampedEnd(child) > clampedStart(child, node)) {
      frame.next++;
      push(node.spanId, clampedEnd(child), bound);
      node = child;
      bound = clampedEnd(child);
      continue;
    }
    if (child !== undefined) {
      // A zero-length child explains nothing; skip it and look again.
      frame.next++;
      continue;
    }
    const parent = node.parent;
    const start = parent === undefined || node === root ? node.span.startTime : clampedStart(node, parent);
    push(node.spanId, Math.min(start, bound), bound);
    if (parent === undefined || node === root) break;
    bound = start;
    node = parent;
  }
  return { segments, spanIds };
}

function endOf(node: SpanNode): number {
  return node.span.startTime + node.span.duration;
}

function clampedEnd(node: SpanNode): number {
  const parent = node.parent;
  const end = endOf(node);
  return parent === undefined ? end : Math.max(Math.min(end, endOf(parent)), parent.span.startTime);
}

function clampedStart(node: SpanNode, parent: SpanNode): number {
  return Math.min(Math.max(node.span.startTime, parent.span.startTime), endOf(parent));
}

/** The trace's main root: a true root before an orphan, then the one that lasts longest. */
function longestRoot(tree: SpanTree): SpanNode | undefined {
  let best: SpanNode | undefined;
  for (const root of tree.roots) {
    if (
      best === undefined ||
      (best.orphan && !root.orphan) ||
      (best.orphan === root.orphan && root.span.duration > best.span.duration)
    )
      best = root;
  }
  return best;
}
