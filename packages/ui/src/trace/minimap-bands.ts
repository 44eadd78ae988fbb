/** Rows of a minimap as bars: pixel columns `from[i]` (inclusive) to `to[i]` (exclusive), and a colour number. */
export interface MinimapBars {
  readonly from: Int32Array;
  readonly to: Int32Array;
  readonly color: Int32Array;
}

/**
 * A minimap of far more rows than it has pixel rows, as runs of one colour:
 * rows are split evenly over `bands` pixel rows, and in each band every
 * pixel column takes the colour of the band's last row covering it, as if
 * the bars were painted one over another in order. Drawing 100,000 hairline
 * bars one by one costs a large share of opening a 100,000-span trace;
 * the runs are a few per band. Returns four numbers per run: band, first
 * column, end column (exclusive), colour. `width` bounds the columns.
 */
export function minimapBands(bars: MinimapBars, bands: number, width: number): Int32Array {
  const n = bars.from.length;
  const runs: number[] = [];
  // Per band, the colour of each column (-1: nothing yet), and for skipping
  // painted columns, the next column that may be unpainted (path-compressed).
  const owner = new Int32Array(width);
  const next = new Int32Array(width + 1);
  const findFree = (column: number): number => {
    let free = column;
    while (next[free] !== free) free = next[free] as number;
    for (let c = column; c !== free; ) {
      const after = next[c] as number;
      next[c] = free;
      c = after;
    }
    return free;
  };
  for (let band = 0; band < bands; band++) {
    const first = Math.floor((band * n) / bands);
    const end = Math.floor(((band + 1) * n) / bands);
    if (end <= first) continue;
    owner.fill(-1);
    for (let c = 0; c <= width; c++) next[c] = c;
    // Last row first: a column it paints is final, later (earlier) rows skip it.
    for (let row = end - 1; row >= first; row--) {
      const to = Math.min(bars.to[row] as number, width);
      let column = findFree(Math.max(bars.from[row] as number, 0));
      while (column < to) {
        owner[column] = bars.color[row] as number;
        next[column] = column + 1;
        column = findFree(column + 1);
      }
    }
    for (let c = 0; c < width; ) {
      const color = owner[c] as number;
      let runEnd = c + 1;
      while (runEnd < width && owner[runEnd] === color) runEnd++;
      if (color !== -1) runs.push(band, c, runEnd, color);
      c = runEnd;
    }
  }
  return Int32Array.from(runs);
}
