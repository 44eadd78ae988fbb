import type { SpanNode } from './build-span-tree.js';

/**
 * Time a span spent on its own: its duration minus the time covered by at
 * least one child (clipped to the span, overlaps counted once). Children come
 * sorted by start time, so one sweep merges them: O(children).
 */
export function selfTime(node: SpanNode): number {
  const start = node.span.startTime;
  const end = start + node.span.duration;
  let covered = 0;
  let runStart = Number.NaN;
  let runEnd = Number.NaN;
  for (const child of node.children) {
    const s = Math.max(child.span.startTime, start);
    const e = Math.min(child.span.startTime + child.span.duration, end);
    if (e <= s) continue;
    if (Number.isNaN(runStart) || s > runEnd) {
      if (!Number.isNaN(runStart)) covered += runEnd - runStart;
      runStart = s;
      runEnd = e;
    } else if (e > runEnd) runEnd = e;
  }
  if (!Number.isNaN(runStart)) covered += runEnd - runStart;
  return Math.max(node.span.duration - covered, 0);
}
