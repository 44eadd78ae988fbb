import assert from 'node:assert/strict';
import { test } from 'node:test';
import { buildSpanTree } from './build-span-tree.js';
import { countDiff, diffTraces } from './diff-traces.js';
import { testTrace } from './test-trace.js';

test('matches spans by service, operation and path; reports added, removed, slower, faster', () => {
  const a = buildSpanTree(
    testTrace([
      { id: 'r', service: 'web', name: 'GET /', duration: 1000 },
      { id: 'q', parent: 'r', service: 'db', name: 'query', duration: 500 },
      { id: 'c', parent: 'r', service: 'cache', name: 'get', duration: 400 },
      { id: 'x', parent: 'r', service: 'auth', name: 'check', duration: 300 },
    ]),
  );
  const b = buildSpanTree(
    testTrace([
      { id: 'R', service: 'web', name: 'GET /', duration: 1050 },
      { id: 'Q', parent: 'R', service: 'db', name: 'query', duration: 900 },
      { id: 'C', parent: 'R', service: 'cache', name: 'get', duration: 100 },
      { id: 'N', parent: 'R', service: 'mail', name: 'send', duration: 50 },
      // Same name as a root-level span elsewhere, but on another path: a different span.
      { id: 'G', parent: 'Q', service: 'cache', name: 'get', duration: 5 },
    ]),
  );
  const rows = diffTraces(a, b);
  const byName = Object.fromEntries(
    rows.map((r) => [`${r.path.join(' > ')}|${r.serviceName}: ${r.operationName}`, r.status]),
  );
  assert.deepEqual(byName, {
    '|web: GET /': 'same',
    'web: GET /|db: query': 'slower',
    'web: GET /|cache: get': 'faster',
    'web: GET /|auth: check': 'removed',
    'web: GET /|mail: send': 'added',
    'web: GET / > db: query|cache: get': 'added',
  });
  assert.deepEqual(countDiff(rows), { added: 2, removed: 1, slower: 1, faster: 1, same: 1 });
});

test('several spans on one path compare by count and mean', () => {
  const a = buildSpanTree(
    testTrace([
      { id: 'r', duration: 1000, name: 'root' },
      { id: 'a', parent: 'r', name: 'q', duration: 100 },
      { id: 'b', parent: 'r', name: 'q', duration: 300 },
    ]),
  );
  const b = buildSpanTree(
    testTrace([
      { id: 'r', duration: 1000, name: 'root' },
      { id: 'a', parent: 'r', name: 'q', duration: 200 },
    ]),
  );
  const row = diffTraces(a, b).find((r) => r.operationName === 'q')!;
  assert.equal(row.countA, 2);
  assert.equal(row.countB, 1);
  assert.equal(row.meanA, 200);
  assert.equal(row.status, 'same');
});
