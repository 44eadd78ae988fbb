import assert from 'node:assert/strict';
import { test } from 'node:test';
import { buildSpanTree } from './build-span-tree.js';
import { spanIdsOfRows } from './row-set.js';
import { searchSpanNames } from './search-span-names.js';
import { searchSpans } from './search-spans.js';
import { testTrace } from './test-trace.js';

test('finds by service, operation and span id, every word somewhere, as the full search does from those fields', () => {
  const tree = buildSpanTree(
    testTrace([
      { id: '00000000000000a1', service: 'web', name: 'GET /checkout' },
      { id: '00000000000000b2', parent: '00000000000000a1', service: 'payment', name: 'charge card' },
      { id: '00000000000000c3', parent: '00000000000000b2', service: 'payment', name: 'SELECT card' },
    ]),
  );
  const ids = (query: string) => [...spanIdsOfRows(tree, searchSpanNames(tree, query))].sort();
  assert.deepEqual(ids('card'), ['00000000000000b2', '00000000000000c3']);
  assert.deepEqual(ids('PAYMENT select'), ['00000000000000c3']);
  assert.deepEqual(ids('web c3'), []);
  assert.deepEqual(ids('c3'), ['00000000000000c3']);
  // The ids are searched in one string of them all: a match across two of them is none.
  assert.deepEqual(ids('a10'), []);
  assert.deepEqual(ids('0a1'), ['00000000000000a1']);
  assert.deepEqual(ids('  '), []);
  // Attributes are not in a skeleton: a key=value word matches nothing here.
  assert.deepEqual(ids('http.route=/'), []);
  // What it finds, the full search finds too.
  for (const query of ['card', 'payment select', 'a1', 'checkout web']) {
    for (const id of spanIdsOfRows(tree, searchSpanNames(tree, query)))
      assert.ok(searchSpans(tree, query).has(id), query);
  }
});

test('ids of other widths are searched one by one, and matches come in tree order', () => {
  const tree = buildSpanTree(
    testTrace([
      { id: 'x1', service: 'web', start: 0 },
      { id: 'y12', parent: 'x1', service: 'db', start: 5 },
      { id: 'z1', parent: 'x1', service: 'db', start: 2 },
    ]),
  );
  const found = searchSpanNames(tree, '1');
  assert.deepEqual([...found.rows], [0, 1, 2]);
  assert.deepEqual(
    [...found.rows].map((row) => tree.nodeAt(row).spanId),
    ['x1', 'z1', 'y12'],
  );
  assert.deepEqual([...spanIdsOfRows(tree, searchSpanNames(tree, 'db y1'))], ['y12']);
});
