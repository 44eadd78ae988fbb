import type { SpanNode, SpanTree } from './build-span-tree.js';

export interface ClockSkew {
  readonly spanId: string;
  readonly parentId: string;
  /** Microseconds the child starts before its parent (0 when it does not). */
  readonly startsEarlyBy: number;
  /** Microseconds the child ends after its parent (0 when it does not). */
  readonly endsLateBy: number;
}

/**
 * Children that start before their parent or end after it: on one clock that
 * cannot happen for a synchronous call, so it usually means the two hosts'
 * clocks disagree (or the child is asynchronous work that outlived the
 * caller, which the page then says as a possibility).
 */
export function findClockSkew(tree: SpanTree): ClockSkew[] {
  const out: ClockSkew[] = [];
  for (const node of tree.nodes) {
    const skew = clockSkewOf(node);
    if (skew !== undefined) out.push(skew);
  }
  return out;
}

/** One span's skew against its parent; undefined when it has none (or no parent). */
export function clockSkewOf(node: SpanNode): ClockSkew | undefined {
  const parent = node.parent;
  if (parent === undefined) return undefined;
  const startsEarlyBy = Math.max(parent.span.startTime - node.span.startTime, 0);
  const endsLateBy = Math.max(
    node.span.startTime + node.span.duration - (parent.span.startTime + parent.span.duration),
    0,
  );
  if (startsEarlyBy === 0 && endsLateBy === 0) return undefined;
  return { spanId: node.spanId, parentId: parent.spanId, startsEarlyBy, endsLateBy };
}

/** Whether `clockSkewOf` finds skew, without building its answer. */
export function isSkewed(node: SpanNode): boolean {
  const parent = node.parent;
  if (parent === undefined) return false;
  const { startTime, duration } = node.span;
  return startTime < parent.span.startTime || startTime + duration > parent.span.startTime + parent.span.duration;
}
