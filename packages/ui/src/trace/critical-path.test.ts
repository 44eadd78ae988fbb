import assert from 'node:assert/strict';
import { test } from 'node:test';
import { buildSpanTree } from './build-span-tree.js';
import { criticalPath } from './critical-path.js';
import { BASE_TIME, testTrace } from './test-trace.js';

const rel = (segments: readonly { spanId: string; start: number; end: number }[]) =>
  segments.map((s) => [s.spanId, s.start - BASE_TIME, s.end - BASE_TIME]);

test('follows the last child to finish, then the one that finished before it started', () => {
  // root 0-100; a 10-40; b 30-90 (last to finish); c 5-20 ends before b starts.
  const tree = buildSpanTree(
    testTrace([
      { id: 'r', duration: 100 },
      { id: 'a', parent: 'r', start: 10, duration: 30 },
      { id: 'b', parent: 'r', start: 30, duration: 60 },
      { id: 'c', parent: 'r', start: 5, duration: 15 },
    ]),
  );
  const path = criticalPath(tree);
  assert.deepEqual(rel(path.segments), [
    ['r', 90, 100],
    ['b', 30, 90],
    ['r', 20, 30],
    ['c', 5, 20],
    ['r', 0, 5],
  ]);
  // a overlaps b, which finished later: a was never waited on.
  assert.deepEqual([...path.spanIds].sort(), ['b', 'c', 'r']);
});

test('descends into grandchildren and clamps a child that overruns its parent', () => {
  const tree = buildSpanTree(
    testTrace([
      { id: 'r', duration: 100 },
      { id: 'a', parent: 'r', start: 0, duration: 150 },
      { id: 'g', parent: 'a', start: 50, duration: 20 },
    ]),
  );
  assert.deepEqual(rel(criticalPath(tree).segments), [
    ['a', 70, 100],
    ['g', 50, 70],
    ['a', 0, 50],
  ]);
});

test('a chain of 100,000 spans does not overflow the stack', () => {
  const specs = Array.from({ length: 100_000 }, (_, i) => ({
    id: `s${i}`,
    ...(i === 0 ? {} : { parent: `s${i - 1}` }),
    start: i,
    duration: 200_000 - 2 * i,
  }));
  const path = criticalPath(buildSpanTree(testTrace(specs)));
  assert.equal(path.spanIds.size, 100_000);
});

test('an empty trace has an empty path', () => {
  assert.equal(criticalPath(buildSpanTree(testTrace([]))).segments.length, 0);
});
