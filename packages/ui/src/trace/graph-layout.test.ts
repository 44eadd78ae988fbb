import assert from 'node:assert/strict';
import { test } from 'node:test';
import { layoutServiceGraph } from './graph-layout.js';

const edge = (parent: string, child: string) => ({ parent, child, callCount: 1, errorCount: 0 });

test('callers sit left of callees, nodes do not overlap, lone services are drawn too', () => {
  const layout = layoutServiceGraph([edge('web', 'cart'), edge('web', 'payment'), edge('payment', 'bank')], ['idle']);
  const at = Object.fromEntries(layout.nodes.map((n) => [n.id, n]));
  assert.deepEqual(Object.keys(at).sort(), ['bank', 'cart', 'idle', 'payment', 'web']);
  assert.ok(at.web!.x < at.payment!.x && at.payment!.x < at.bank!.x);
  for (const a of layout.nodes) {
    for (const b of layout.nodes) {
      if (a === b) continue;
      const apart = Math.abs(a.x - b.x) >= (a.width + b.width) / 2 || Math.abs(a.y - b.y) >= (a.height + b.height) / 2;
      assert.ok(apart, `${a.id} overlaps ${b.id}`);
    }
  }
  for (const e of layout.edges) assert.ok(e.points.length >= 2, `${e.parent}->${e.child} has a path`);
  assert.ok(layout.width > 0 && layout.height > 0);
});

test('the same graph gives the same picture; a self-call gets a loop', () => {
  const edges = [edge('a', 'b'), edge('b', 'b')];
  assert.deepEqual(layoutServiceGraph(edges), layoutServiceGraph(edges));
  const loop = layoutServiceGraph(edges).edges.find((e) => e.parent === 'b' && e.child === 'b');
  assert.equal(loop?.points.length, 3);
});
