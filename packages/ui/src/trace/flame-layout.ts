import type { SpanTree } from './build-span-tree.js';

/**
 * Where each span sits in a flame graph (time left to right, depth top to
 * bottom), as fractions of the trace's extent, by row (`tree.nodes` order).
 * Typed arrays read from the tree's rows and the trace's columns: a million
 * spans lay out without a node each, and drawing reads them straight into a
 * canvas.
 */
export interface FlameLayout {
  readonly x: Float64Array;
  readonly width: Float64Array;
  readonly depth: Uint32Array;
  readonly maxDepth: number;
}

export function flameLayout(tree: SpanTree): FlameLayout {
  const { span: rowSpan, depth: rowDepth } = tree.rows;
  const { starts, durations } = tree.columns;
  const n = rowSpan.length;
  const x = new Float64Array(n);
  const width = new Float64Array(n);
  const depth = new Uint32Array(n);
  const extent = tree.endTime - tree.startTime;
  let maxDepth = 0;
  for (let r = 0; r < n; r++) {
    const s = rowSpan[r] as number;
    x[r] = extent > 0 ? ((starts[s] as number) - tree.startTime) / extent : 0;
    width[r] = extent > 0 ? (durations[s] as number) / extent : 1;
    const d = rowDepth[r] as number;
    depth[r] = d;
    if (d > maxDepth) maxDepth = d;
  }
  return { x, width, depth, maxDepth };
}

/** The span under a point of the flame graph (fractions across, row down), or -1: the last drawn wins, as on screen. */
export function flameHitTest(layout: FlameLayout, fx: number, row: number, minWidth = 0): number {
  for (let i = layout.x.length - 1; i >= 0; i--) {
    if (layout.depth[i] !== row) continue;
    const left = layout.x[i] as number;
    const w = Math.max(layout.width[i] as number, minWidth);
    if (fx >= left && fx <= left + w) return i;
  }
  return -1;
}
