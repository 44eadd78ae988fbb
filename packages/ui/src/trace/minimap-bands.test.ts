import assert from 'node:assert/strict';
import { test } from 'node:test';
import { minimapBands } from './minimap-bands.js';

const bars = (list: [number, number, number][]) => ({
  from: Int32Array.from(list, ([from]) => from),
  to: Int32Array.from(list, ([, to]) => to),
  color: Int32Array.from(list, ([, , color]) => color),
});
const runsOf = (runs: Int32Array) => {
  const out: number[][] = [];
  for (let i = 0; i < runs.length; i += 4) out.push([...runs.subarray(i, i + 4)]);
  return out;
};

test('rows are split evenly over the bands; in a band the last row covering a column gives its colour', () => {
  const runs = minimapBands(
    bars([
      // Band 0: a wide bar, then a narrower one painted over its middle.
      [0, 10, 1],
      [3, 6, 2],
      // Band 1: two bars side by side of one colour merge; the gap stays empty.
      [0, 2, 3],
      [2, 4, 3],
    ]),
    2,
    10,
  );
  assert.deepEqual(runsOf(runs), [
    [0, 0, 3, 1],
    [0, 3, 6, 2],
    [0, 6, 10, 1],
    [1, 0, 4, 3],
  ]);
});

test('bars are clipped to the width, and a band without rows draws nothing', () => {
  const runs = minimapBands(bars([[-5, 50, 7]]), 3, 8);
  assert.deepEqual(runsOf(runs), [[2, 0, 8, 7]]);
});

test('the same picture as painting every bar in order, for many rows', () => {
  const n = 5_000;
  const width = 64;
  const bands = 7;
  let seed = 42;
  const random = () => {
    seed = (seed * 1_103_515_245 + 12_345) % 2 ** 31;
    return seed / 2 ** 31;
  };
  const list: [number, number, number][] = Array.from({ length: n }, () => {
    const from = Math.floor(random() * width);
    return [from, from + 1 + Math.floor(random() * 20), Math.floor(random() * 5)];
  });
  // Painter's algorithm, column by column.
  const expected = Array.from({ length: bands }, () => new Int32Array(width).fill(-1));
  for (let band = 0; band < bands; band++) {
    for (let row = Math.floor((band * n) / bands); row < Math.floor(((band + 1) * n) / bands); row++) {
      const [from, to, color] = list[row] as [number, number, number];
      for (let c = Math.max(from, 0); c < Math.min(to, width); c++) (expected[band] as Int32Array)[c] = color;
    }
  }
  const painted = Array.from({ length: bands }, () => new Int32Array(width).fill(-1));
  for (const [band, from, to, color] of runsOf(minimapBands(bars(list), bands, width))) {
    (painted[band as number] as Int32Array).fill(color as number, from, to);
  }
  assert.deepEqual(painted, expected);
});
