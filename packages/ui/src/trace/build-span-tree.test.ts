import assert from 'node:assert/strict';
import { test } from 'node:test';
import { buildSpanTree, type SpanNode } from './build-span-tree.js';
import { BASE_TIME, TRACE_ID, testTrace } from './test-trace.js';

const ids = (nodes: readonly SpanNode[]) => nodes.map((n) => n.spanId);

test('children hang under their parent, sorted by start time, whatever the input order', () => {
  const tree = buildSpanTree(
    testTrace([
      { id: 'c2', parent: 'root', start: 30 },
      { id: 'root', start: 0, duration: 100 },
      { id: 'c1', parent: 'root', start: 10 },
      { id: 'g1', parent: 'c2', start: 40, duration: 70 },
    ]),
  );
  assert.deepEqual(ids(tree.roots), ['root']);
  assert.deepEqual(ids(tree.roots[0]!.children), ['c1', 'c2']);
  assert.deepEqual(ids(tree.nodes), ['root', 'c1', 'c2', 'g1']);
  assert.deepEqual(
    tree.nodes.map((n) => n.depth),
    [0, 1, 1, 2],
  );
  assert.deepEqual(
    tree.nodes.map((n) => n.descendantCount),
    [3, 0, 1, 0],
  );
  assert.deepEqual(
    tree.nodes.map((n) => n.index),
    [0, 1, 2, 3],
  );
  assert.equal(tree.byId.get('g1')!.parent!.spanId, 'c2');
  assert.equal(tree.depth, 3);
  assert.equal(tree.startTime, BASE_TIME);
  assert.equal(tree.endTime, BASE_TIME + 110, 'the latest end, not the root end');
});

test('a span whose parent is missing becomes a root, marked orphan', () => {
  const tree = buildSpanTree(
    testTrace([
      { id: 'root', start: 0 },
      { id: 'lost', parent: 'never-sent', start: 5 },
      { id: 'kid', parent: 'lost', start: 6 },
    ]),
  );
  assert.deepEqual(ids(tree.roots), ['root', 'lost']);
  assert.equal(tree.byId.get('lost')!.orphan, true);
  assert.equal(tree.byId.get('root')!.orphan, false);
  assert.equal(tree.byId.get('kid')!.depth, 1);
  assert.equal(tree.depth, 2);
  assert.equal(tree.orphanCount, 1);
  assert.equal(tree.cycleCount, 0);
});

test('the parent comes from the first CHILD_OF reference when parentSpanID is absent; FOLLOWS_FROM is no parent', () => {
  const tree = buildSpanTree(
    testTrace([
      { id: 'a', start: 0 },
      { id: 'b', start: 1, references: [{ refType: 'CHILD_OF', traceID: TRACE_ID, spanID: 'a' }] },
      { id: 'c', start: 2, references: [{ refType: 'FOLLOWS_FROM', traceID: TRACE_ID, spanID: 'a' }] },
      {
        id: 'd',
        start: 3,
        // A CHILD_OF into another trace is a link, not a parent.
        references: [{ refType: 'CHILD_OF', traceID: '4bf92f3577b34da6a3ce929d0e0e4736', spanID: 'b' }],
      },
    ]),
  );
  assert.deepEqual(ids(tree.roots), ['a', 'c', 'd']);
  assert.deepEqual(ids(tree.byId.get('a')!.children), ['b']);
  assert.equal(tree.byId.get('c')!.orphan, false);
});

test('a 16-character trace id in a reference matches the 32-character form of the span', () => {
  const short = '8448eb211c80319c';
  const trace = testTrace(
    [
      { id: 'a', start: 0 },
      { id: 'b', start: 1, references: [{ refType: 'CHILD_OF', traceID: short, spanID: 'a' }] },
    ],
    short.padStart(32, '0'),
  );
  assert.deepEqual(ids(buildSpanTree(trace).roots), ['a']);
});

test('a parent cycle is broken at its earliest span, and every span still appears once', () => {
  const tree = buildSpanTree(
    testTrace([
      { id: 'root', start: 0 },
      { id: 'x', parent: 'y', start: 10 },
      { id: 'y', parent: 'x', start: 20 },
      { id: 'self', parent: 'self', start: 30 },
    ]),
  );
  assert.deepEqual(ids(tree.nodes), ['root', 'x', 'y', 'self']);
  assert.deepEqual(ids(tree.roots), ['root', 'x', 'self']);
  assert.equal(tree.byId.get('x')!.cycleBroken, true);
  assert.equal(tree.byId.get('y')!.parent!.spanId, 'x');
  assert.equal(tree.byId.get('self')!.cycleBroken, false, 'a span naming itself is simply a root');
  assert.equal(tree.cycleCount, 1);
  assert.equal(tree.orphanCount, 0);
});

test('nodes are made as rows are asked for, the same object each time, and agree with the rows', () => {
  const tree = buildSpanTree(
    testTrace([
      { id: 'r', start: 0, duration: 100 },
      { id: 'a', parent: 'r', start: 10 },
      { id: 'b', parent: 'r', start: 5 },
      { id: 'b1', parent: 'b', start: 6 },
    ]),
  );
  const row = tree.rowOf('b1')!;
  const node = tree.nodeAt(row);
  assert.equal(node, tree.nodeAt(row));
  assert.equal(node.spanId, 'b1');
  assert.equal(node.parent, tree.nodeAt(tree.rowOf('b')!));
  assert.deepEqual(ids(tree.nodeAt(0).children), ['b', 'a']);
  assert.equal(tree.nodes[row], node, 'making every node keeps the ones already made');
  assert.deepEqual([...tree.rows.depth], [0, 1, 2, 1]);
  assert.deepEqual([...tree.rows.descendants], [3, 1, 0, 0]);
  assert.equal(tree.rowOf('no-such-span'), undefined);
  assert.throws(() => tree.nodeAt(4), RangeError);
});

test('a span sent twice is shown once and counted', () => {
  const tree = buildSpanTree(testTrace([{ id: 'a' }, { id: 'a' }, { id: 'b', parent: 'a' }]));
  assert.equal(tree.nodes.length, 2);
  assert.equal(tree.duplicateCount, 1);
});

test('services, errors and an unknown process', () => {
  const trace = testTrace([
    { id: 'a', service: 'web' },
    { id: 'b', parent: 'a', service: 'db', tags: [{ key: 'error', type: 'bool', value: true }] },
    { id: 'c', parent: 'a', service: 'db', tags: [{ key: 'otel.status_code', type: 'string', value: 'ERROR' }] },
  ]);
  trace.spans.push({ ...trace.spans[0]!, spanID: 'd', processID: 'p99' });
  const tree = buildSpanTree(trace);
  assert.equal(tree.byId.get('b')!.serviceName, 'db');
  assert.equal(tree.errorCount, 2);
  assert.equal(tree.byId.get('a')!.hasError, false);
  assert.equal(tree.byId.get('d')!.serviceName, 'unknown service');
  assert.equal(tree.byId.get('d')!.process, undefined);
});

test('an empty trace has no rows and depth 0', () => {
  const tree = buildSpanTree(testTrace([]));
  assert.equal(tree.nodes.length, 0);
  assert.equal(tree.depth, 0);
  assert.equal(tree.startTime, 0);
});

test('a chain of 100,000 spans does not overflow the stack', () => {
  const specs = Array.from({ length: 100_000 }, (_, i) => ({
    id: i.toString(16).padStart(16, '0'),
    ...(i === 0 ? {} : { parent: (i - 1).toString(16).padStart(16, '0') }),
    start: i,
  }));
  const tree = buildSpanTree(testTrace(specs));
  assert.equal(tree.depth, 100_000);
  assert.equal(tree.roots[0]!.descendantCount, 99_999);
});
