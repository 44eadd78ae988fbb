import assert from 'node:assert/strict';
import { test } from 'node:test';
import { ascendingOrder } from './radix-order.js';

const byComparator = (keys: Float64Array) =>
  Array.from(keys, (_, i) => i).sort((a, b) => (keys[a] as number) - (keys[b] as number) || a - b);

test('orders any numbers ascending, ties in index order, as a comparator sort does', () => {
  const keys = new Float64Array([3, -1, 2.5, 3, 0, -1e9, 1e15, 2.5, 1_700_000_000_000_000, 0.001, -0.5, 3]);
  assert.deepEqual([...ascendingOrder(keys)], byComparator(keys));
  // Many keys, many ties, a spread of magnitudes (durations, start times, ranks).
  let seed = 7;
  const random = () => {
    seed = (seed * 1_103_515_245 + 12_345) % 2 ** 31;
    return seed / 2 ** 31;
  };
  const many = Float64Array.from({ length: 5_000 }, (_, i) =>
    i % 3 === 0
      ? Math.floor(random() * 20)
      : i % 3 === 1
        ? random() * 1e12 - 5e11
        : 1.7e15 + Math.floor(random() * 1e6),
  );
  assert.deepEqual([...ascendingOrder(many)], byComparator(many));
  assert.deepEqual([...ascendingOrder(new Float64Array(0))], []);
  assert.deepEqual([...ascendingOrder(new Float64Array([5, 5, 5]))], [0, 1, 2]);
});
