import assert from 'node:assert/strict';
import { test } from 'node:test';
import { buildSpanTree } from './build-span-tree.js';
import { selfTimesOfRows } from './row-self-times.js';
import { sortRowsBy } from './sort-rows.js';
import { testTrace } from './test-trace.js';

const FAILED = [{ key: 'error', type: 'bool' as const, value: true }];
const tree = buildSpanTree(
  testTrace([
    { id: 'r', service: 'web', name: 'GET /', duration: 100 },
    { id: 'a', parent: 'r', service: 'db', name: 'query', start: 10, duration: 40 },
    { id: 'b', parent: 'r', service: 'cache', name: 'get', start: 60, duration: 40 },
    { id: 'c', parent: 'a', service: 'db', name: 'fetch', start: 20, duration: 5, tags: FAILED },
  ]),
);
const selfTimes = selfTimesOfRows(tree);
const ids = (column: Parameters<typeof sortRowsBy>[2], descending: boolean) =>
  [...sortRowsBy(tree, selfTimes, column, descending)].map((row) => tree.nodeAt(row).spanId);

test('rows sort by each column, ties in tree order (reversed with the order)', () => {
  // Tree order: r, a, c, b.
  // a and b both last 40: b first when descending.
  assert.deepEqual(ids('duration', true), ['r', 'b', 'a', 'c']);
  assert.deepEqual(ids('duration', false), ['c', 'a', 'b', 'r']);
  assert.deepEqual(ids('start', false), ['r', 'a', 'c', 'b']);
  assert.deepEqual(ids('service', false), ['b', 'a', 'c', 'r']);
  // Names compare by code unit, as the statistics sort them: 'GET /' before 'fetch'.
  assert.deepEqual(ids('operation', false), ['r', 'c', 'b', 'a']);
  assert.deepEqual(ids('error', true), ['c', 'b', 'a', 'r']);
  // Self time: r 100 - 80 = 20, a 40 - 5 = 35, b 40, c 5.
  assert.deepEqual(ids('self', true), ['b', 'a', 'r', 'c']);
});
