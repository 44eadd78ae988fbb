import assert from 'node:assert/strict';
import { test } from 'node:test';
import { buildSpanTree } from './build-span-tree.js';
import { testTrace } from './test-trace.js';
import { revealSpan, spansWithChildren, toggleCollapsed, visibleRows } from './visible-rows.js';

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
const rowIds = (collapsed: ReadonlySet<string>) => visibleRows(tree, collapsed).map((n) => n.spanId);

test('nothing collapsed: every span in depth-first order', () => {
  assert.deepEqual(rowIds(new Set()), ['root', 'a', 'a1', 'a1x', 'b', 'other-root']);
});

test('a collapsed span hides its whole subtree and nothing else', () => {
  assert.deepEqual(rowIds(new Set(['a'])), ['root', 'a', 'b', 'other-root']);
  assert.deepEqual(rowIds(new Set(['root'])), ['root', 'other-root']);
  assert.deepEqual(rowIds(new Set(['a1', 'root'])), ['root', 'other-root']);
  assert.deepEqual(rowIds(new Set(['b', 'a1x'])), ['root', 'a', 'a1', 'a1x', 'b', 'other-root'], 'leaves hide nothing');
});

test('collapse all leaves only the roots; toggling flips one span', () => {
  assert.deepEqual([...spansWithChildren(tree)].sort(), ['a', 'a1', 'root']);
  assert.deepEqual(rowIds(spansWithChildren(tree)), ['root', 'other-root']);
  const collapsed = toggleCollapsed(new Set(), 'a');
  assert.deepEqual([...collapsed], ['a']);
  assert.deepEqual([...toggleCollapsed(collapsed, 'a')], []);
});

test('revealing a span expands its collapsed ancestors only', () => {
  const collapsed = new Set(['root', 'a1', 'b']);
  assert.deepEqual([...revealSpan(tree, collapsed, 'a1')].sort(), ['a1', 'b']);
  assert.equal(revealSpan(tree, collapsed, 'root'), collapsed, 'unchanged state is the same object');
  assert.equal(revealSpan(tree, collapsed, 'no-such-span'), collapsed);
});
