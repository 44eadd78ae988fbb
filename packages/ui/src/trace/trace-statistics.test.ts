import assert from 'node:assert/strict';
import { test } from 'node:test';
import { buildSpanTree } from './build-span-tree.js';
import { selfTimesOfRows } from './row-self-times.js';
import { selfTime } from './self-time.js';
import { testTrace } from './test-trace.js';
import { traceStatistics } from './trace-statistics.js';

const trace = testTrace([
  { id: 'r', service: 'web', name: 'GET /', duration: 100 },
  // Overlapping children cover 10-60 once, not 70µs.
  { id: 'a', parent: 'r', service: 'db', name: 'query', start: 10, duration: 40 },
  { id: 'b', parent: 'r', service: 'db', name: 'query', start: 30, duration: 30 },
  // Runs past its parent: only the part inside the parent counts against it.
  {
    id: 'c',
    parent: 'r',
    service: 'cache',
    name: 'get',
    start: 90,
    duration: 20,
    tags: [{ key: 'error', type: 'bool', value: true }],
  },
]);

test('self time subtracts the union of children, clipped to the span', () => {
  const tree = buildSpanTree(trace);
  assert.equal(selfTime(tree.byId.get('r')!), 100 - 50 - 10);
  assert.equal(selfTime(tree.byId.get('a')!), 40);
  // The typed pass over the rows, which the statistics read, agrees with it on every span.
  const byRow = selfTimesOfRows(tree);
  assert.deepEqual([...byRow], tree.nodes.map(selfTime));
});

test('statistics count two processes of one service as one service', () => {
  const twice = testTrace([
    { id: 'r', service: 'web', name: 'GET /', duration: 100 },
    { id: 'a', parent: 'r', service: 'db', name: 'query', start: 10, duration: 40 },
    { id: 'b', parent: 'r', service: 'db', name: 'query', start: 60, duration: 10 },
  ]);
  // The second db span's process is another process of the same service.
  twice.spans[2] = { ...twice.spans[2]!, processID: 'p3' };
  const db = twice.processes.p2!;
  const stats = traceStatistics(buildSpanTree({ ...twice, processes: { ...twice.processes, p3: db } }));
  assert.deepEqual(
    stats.services.map((r) => [r.serviceName, r.count]),
    [
      ['db', 2],
      ['web', 1],
    ],
  );
  assert.equal(stats.operations.length, 2);
});

test('statistics group by service and by operation, most self time first', () => {
  const stats = traceStatistics(buildSpanTree(trace));
  assert.deepEqual(
    stats.operations.map((r) => [r.serviceName, r.operationName, r.count, r.totalSelfTime, r.errorCount]),
    [
      ['db', 'query', 2, 70, 0],
      ['web', 'GET /', 1, 40, 0],
      ['cache', 'get', 1, 20, 1],
    ],
  );
  assert.deepEqual(
    stats.services.map((r) => r.serviceName),
    ['db', 'web', 'cache'],
  );
  const db = stats.operations[0]!;
  assert.equal(db.minDuration, 30);
  assert.equal(db.maxDuration, 40);
  assert.equal(db.totalDuration, 70);
  assert.ok(Math.abs(stats.services.reduce((sum, r) => sum + r.selfShare, 0) - 1) < 1e-9);
});
