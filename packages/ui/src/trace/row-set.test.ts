import assert from 'node:assert/strict';
import { test } from 'node:test';
import { buildSpanTree } from './build-span-tree.js';
import { indexInSorted, RowSet, rowsOfSpanIds, spanIdsOfRows } from './row-set.js';
import { testTrace } from './test-trace.js';

test('a row set answers membership and merges in order, without repeats', () => {
  const a = new RowSet(Int32Array.from([1, 4, 9]));
  const b = new RowSet(Int32Array.from([0, 4, 10]));
  assert.ok(a.has(4));
  assert.ok(!a.has(5));
  assert.deepEqual([...a.union(b).rows], [0, 1, 4, 9, 10]);
  assert.equal(a.union(RowSet.EMPTY), a);
  assert.equal(RowSet.EMPTY.union(b), b);
  assert.equal(indexInSorted(Int32Array.from([2, 3, 7]), 7), 2);
  assert.equal(indexInSorted(Int32Array.from([2, 3, 7]), 4), -1);
  assert.equal(indexInSorted(new Int32Array(0), 0), -1);
});

test('span ids become rows in tree order, by lookup or by one pass, and back', () => {
  const specs = Array.from({ length: 50 }, (_, i) => ({
    id: i.toString(16).padStart(16, '0'),
    ...(i === 0 ? {} : { parent: '0'.repeat(16) }),
    start: 50 - i,
  }));
  const tree = buildSpanTree(testTrace(specs));
  const few = new Set([specs[3]!.id, specs[1]!.id, 'not-in-the-trace']);
  const rows = rowsOfSpanIds(tree, few);
  assert.deepEqual([...spanIdsOfRows(tree, rows)], [specs[3]!.id, specs[1]!.id], 'tree order: later starts last');
  // Past the lookups' limit: one pass over the rows, the same answer.
  const many = new Set(specs.slice(1, 41).map((s) => s.id));
  const manyRows = rowsOfSpanIds(tree, many);
  assert.equal(manyRows.size, 40);
  assert.deepEqual(spanIdsOfRows(tree, manyRows), many);
  assert.deepEqual(
    [...manyRows.rows],
    [...manyRows.rows].sort((x, y) => x - y),
  );
});
