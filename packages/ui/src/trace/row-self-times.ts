import type { SpanTree } from './build-span-tree.js';

/**
 * Every row's self time (`selfTime`'s rule: the span's duration less the
 * union of its children's time clipped to it), from the tree's rows and the
 * columns in one pass: a child's rows follow its parent's, and children are
 * in start order, so each row is swept once as a child. A million spans take
 * one typed array, not a node each.
 */
export function selfTimesOfRows(tree: SpanTree): Float64Array {
  const { span, descendants } = tree.rows;
  const { starts, durations } = tree.columns;
  const size = span.length;
  const out = new Float64Array(size);
  for (let r = 0; r < size; r++) {
    const s = span[r] as number;
    const start = starts[s] as number;
    const duration = durations[s] as number;
    const end = start + duration;
    let covered = 0;
    let runStart = 0;
    let runEnd = 0;
    let running = false;
    const last = r + (descendants[r] as number);
    for (let c = r + 1; c <= last; c += 1 + (descendants[c] as number)) {
      const cs = span[c] as number;
      const childStart = starts[cs] as number;
      const from = childStart > start ? childStart : start;
      const childEnd = childStart + (durations[cs] as number);
      const to = childEnd < end ? childEnd : end;
      if (to <= from) continue;
      if (!running || from > runEnd) {
        if (running) covered += runEnd - runStart;
        runStart = from;
        runEnd = to;
        running = true;
      } else if (to > runEnd) runEnd = to;
    }
    if (running) covered += runEnd - runStart;
    const self = duration - covered;
    out[r] = self > 0 ? self : 0;
  }
  return out;
}
