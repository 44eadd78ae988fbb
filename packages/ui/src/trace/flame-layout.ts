import type { SpanTree } from './build-span-tree.js';

/**
 * Where each span sits in a flame graph (time left to right, depth top to
 * bottom), as fractions of the trace's extent, in `tree.nodes` order. Typed
 * arrays: 100,000 spans lay out without 100,000 objects, and drawing reads
 * them straight into a canvas.
 */
export interface FlameLayout {
  readonly x: Float64Array;
  readonly width: Float64Array;
  readonly depth: Uint32Array;
  readonly maxDepth: number;
}

export function flameLayout(tree: SpanTree): FlameLayout {
  const n = tree.nodes.length;
  const x = new Float64Array(n);
  const width = new Float64Array(n);
  const depth = new Uint32Array(n);
  const extent = tree.endTime - tree.startTime;
  let maxDepth = 0;
  for (let i = 0; i < n; i++) {
    const node = tree.nodes[i];
    if (node === undefined) continue;
    x[i] = extent > 0 ? (node.span.startTime - tree.startTime) / extent : 0;
    width[i] = extent > 0 ? node.span.duration / extent : 1;
    depth[i] = node.depth;
    if (node.depth > maxDepth) maxDepth = node.depth;
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
