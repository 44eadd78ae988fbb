import assert from 'node:assert/strict';
import { test } from 'node:test';
import { BoundedHashTable } from './bounded-hash-table.js';

/** Every handle of the key, in the order `find` gives them. */
function handles(table: BoundedHashTable, a: number, b: number): number[] {
  const found: number[] = [];
  for (let handle = table.find(a, b); handle !== -1; handle = table.find(a, b, handle)) found.push(handle);
  return found;
}

test('a multimap: every entry of a key is found, with its columns, through growth', () => {
  const table = new BoundedHashTable(100_000, [Uint32Array, Uint8Array]);
  // Keys whose first word collides in the low bits (same home slot), and many others to make the table grow.
  for (let i = 0; i < 5_000; i++) {
    const handle = table.add(1024 * (i % 50) + 7, i + 1);
    table.set(handle, 0, i);
    table.set(handle, 1, i % 256);
  }
  const again = table.add(7, 1);
  table.set(again, 0, 99_999);
  assert.equal(table.size, 5_001);
  const found = handles(table, 7, 1);
  assert.deepEqual(
    found.map((handle) => table.get(handle, 0)).sort((x, y) => x - y),
    [0, 99_999],
  );
  for (let i = 37; i < 5_000; i += 37) {
    const found = handles(table, 1024 * (i % 50) + 7, i + 1);
    assert.deepEqual(
      found.map((handle) => [table.get(handle, 0), table.get(handle, 1)]),
      [[i, i % 256]],
    );
  }
  assert.equal(table.find(3, 3), -1);
});

test('two generations: the last `limit` entries are always there, and never more than twice as many', () => {
  const table = new BoundedHashTable(1_000, []);
  for (let i = 1; i <= 10_000; i++) {
    assert.ok(table.addIfAbsent(i, i));
    assert.ok(!table.addIfAbsent(i, i), 'a key already there is not added again');
    assert.ok(table.size <= 2_000);
  }
  for (let i = 9_001; i <= 10_000; i++) assert.notEqual(table.find(i, i), -1, `entry ${i} of the last 1,000`);
  assert.equal(table.find(1, 1), -1, 'the oldest are forgotten');
  assert.deepEqual(
    [...table.keys()].filter((_, i) => i % 2 === 0).sort((x, y) => x - y),
    Array.from({ length: table.size }, (_, i) => 10_001 - table.size + i),
    'keys() lists what it holds',
  );
  table.clear();
  assert.equal(table.size, 0);
  assert.equal(table.find(10_000, 10_000), -1);
});
