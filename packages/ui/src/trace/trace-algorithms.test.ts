import assert from 'node:assert/strict';
import { test } from 'node:test';
import { buildSpanTree } from './build-span-tree.js';
import { findClockSkew, isSkewed } from './clock-skew.js';
import { flameHitTest, flameLayout } from './flame-layout.js';
import { searchSpans } from './search-spans.js';
import { serviceCalls } from './service-calls.js';
import { testTrace } from './test-trace.js';

const tree = buildSpanTree(
  testTrace([
    { id: 'r', service: 'web', name: 'GET /cart', duration: 100 },
    {
      id: 'a',
      parent: 'r',
      service: 'db',
      name: 'query',
      start: -5,
      duration: 20,
      tags: [{ key: 'db.system', type: 'string', value: 'postgresql' }],
    },
    {
      id: 'b',
      parent: 'r',
      service: 'db',
      name: 'query',
      start: 50,
      duration: 60,
      tags: [{ key: 'error', type: 'bool', value: true }],
    },
    { id: 'c', parent: 'b', service: 'db', name: 'fetch', start: 60, duration: 10 },
  ]),
);

test('clock skew: children that start before or end after their parent', () => {
  assert.deepEqual(findClockSkew(tree), [
    { spanId: 'a', parentId: 'r', startsEarlyBy: 5, endsLateBy: 0 },
    { spanId: 'b', parentId: 'r', startsEarlyBy: 0, endsLateBy: 10 },
  ]);
  assert.equal(tree.skewCount, 2, 'counted with the tree, without a node per span');
  assert.deepEqual(
    tree.nodes.filter(isSkewed).map((n) => n.spanId),
    ['a', 'b'],
  );
});

test('flame layout places spans by time and depth, and hit-tests the point', () => {
  const layout = flameLayout(tree);
  // The trace runs from -5 to 110: 115µs.
  const r = tree.byId.get('r')!.index;
  const c = tree.byId.get('c')!.index;
  assert.ok(Math.abs(layout.x[r]! - 5 / 115) < 1e-9);
  assert.ok(Math.abs(layout.width[r]! - 100 / 115) < 1e-9);
  assert.equal(layout.depth[c], 2);
  assert.equal(layout.maxDepth, 2);
  assert.equal(flameHitTest(layout, (65 + 5) / 115, 2), c);
  assert.equal(flameHitTest(layout, 0.01, 2), -1);
});

test('search in trace matches names, attribute values and key=value words', () => {
  assert.deepEqual([...searchSpans(tree, 'query')].sort(), ['a', 'b']);
  assert.deepEqual([...searchSpans(tree, 'POSTGRES')], ['a']);
  assert.deepEqual([...searchSpans(tree, 'db.system=postgresql')], ['a']);
  assert.deepEqual([...searchSpans(tree, 'db query error=true')], ['b']);
  assert.equal(searchSpans(tree, '   ').size, 0);
});

test('service calls count cross-service edges and their errors', () => {
  assert.deepEqual(serviceCalls(tree), [{ parent: 'web', child: 'db', callCount: 2, errorCount: 1 }]);
});
