import assert from 'node:assert/strict';
import { test } from 'node:test';
import { buildSpanTree } from './build-span-tree.js';
import { testTrace } from './test-trace.js';
import {
  type CollapsedRows,
  collapseAll,
  NOTHING_COLLAPSED,
  revealRow,
  toggleCollapsed,
  visibleRows,
} from './visible-rows.js';

const tree = buildSpanTree(
  testTrace([
    { id: 'root', start: 0 },
    { id: 'a', parent: 'root', start: 1 },
    { id: 'a1', parent: 'a', start: 2 },
    { id: 'a1x', parent: 'a1', start: 3 },
    { id: 'b', parent: 'root', start: 4 },
    { id: 'other-root', start: 5 },
  ]),
);
const rowOf = (id: string) => tree.rowOf(id) as number;
/** The state with these spans collapsed, toggled one by one. */
const collapsing = (...ids: string[]) =>
  ids.reduce((state, id) => toggleCollapsed(tree, state, rowOf(id)), NOTHING_COLLAPSED);
const rowIds = (collapsed: CollapsedRows) => {
  const rows = visibleRows(tree, collapsed);
  return Array.from({ length: rows.length }, (_, k) => tree.nodeAt(rows.at(k)).spanId);
};
const collapsedIds = (collapsed: CollapsedRows) =>
  tree.nodes.filter((n) => collapsed.has(n.index)).map((n) => n.spanId);

test('nothing collapsed: every span in depth-first order', () => {
  assert.deepEqual(rowIds(NOTHING_COLLAPSED), ['root', 'a', 'a1', 'a1x', 'b', 'other-root']);
});

test('a collapsed span hides its whole subtree and nothing else', () => {
  assert.deepEqual(rowIds(collapsing('a')), ['root', 'a', 'b', 'other-root']);
  assert.deepEqual(rowIds(collapsing('root')), ['root', 'other-root']);
  assert.deepEqual(rowIds(collapsing('a1', 'root')), ['root', 'other-root']);
  assert.deepEqual(
    rowIds(collapsing('b', 'a1x')),
    ['root', 'a', 'a1', 'a1x', 'b', 'other-root'],
    'leaves hide nothing',
  );
});

test('a shown row is found at its place; a hidden one is not', () => {
  const rows = visibleRows(tree, collapsing('a'));
  assert.equal(rows.positionOf(rowOf('b')), 2);
  assert.equal(rows.positionOf(rowOf('a1')), -1);
  assert.equal(rows.positionOf(rowOf('other-root')), 3);
  const all = visibleRows(tree, NOTHING_COLLAPSED);
  assert.equal(all.positionOf(rowOf('a1x')), 3);
  assert.equal(all.positionOf(99), -1);
});

test('collapse all leaves only the roots; toggling flips one span', () => {
  const all = collapseAll(tree);
  assert.deepEqual(collapsedIds(all).sort(), ['a', 'a1', 'root']);
  assert.equal(all.size, 3);
  assert.deepEqual(rowIds(all), ['root', 'other-root']);
  const collapsed = collapsing('a');
  assert.deepEqual(collapsedIds(collapsed), ['a']);
  const back = toggleCollapsed(tree, collapsed, rowOf('a'));
  assert.deepEqual(collapsedIds(back), []);
  assert.equal(back.size, 0);
  assert.deepEqual(collapsedIds(collapsed), ['a'], 'a state is never changed, only replaced');
});

test('revealing a span expands its collapsed ancestors only', () => {
  const collapsed = collapsing('root', 'a1', 'b');
  assert.deepEqual(collapsedIds(revealRow(tree, collapsed, rowOf('a1'))).sort(), ['a1', 'b']);
  assert.equal(revealRow(tree, collapsed, rowOf('root')), collapsed, 'unchanged state is the same object');
  assert.equal(revealRow(tree, NOTHING_COLLAPSED, rowOf('a1x')), NOTHING_COLLAPSED);
});
