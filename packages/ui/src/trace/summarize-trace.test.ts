import assert from 'node:assert/strict';
import { test } from 'node:test';
import { sortSummaries, summarizeTrace, type TraceSummary } from './summarize-trace.js';
import { BASE_TIME, TRACE_ID, testTrace } from './test-trace.js';

const failed = [{ key: 'error', type: 'bool' as const, value: true }];

test('a search result names the root span and counts spans, errors and services', () => {
  const summary = summarizeTrace(
    testTrace([
      { id: 'db', parent: 'api', start: 20, duration: 30, service: 'postgres', tags: failed },
      { id: 'root', start: 0, duration: 40, service: 'web', name: 'GET /' },
      { id: 'api', parent: 'root', start: 10, duration: 20, service: 'api' },
      { id: 'db2', parent: 'api', start: 25, duration: 1, service: 'postgres' },
    ]),
  );
  assert.equal(summary.traceId, TRACE_ID);
  assert.equal(summary.rootServiceName, 'web');
  assert.equal(summary.rootOperationName, 'GET /');
  assert.equal(summary.hasRoot, true);
  assert.equal(summary.startTime, BASE_TIME);
  assert.equal(summary.duration, 50, 'from the earliest start to the latest end');
  assert.equal(summary.spanCount, 4);
  assert.equal(summary.errorCount, 1);
  assert.deepEqual(summary.services, [
    { name: 'postgres', spanCount: 2, errorCount: 1 },
    { name: 'api', spanCount: 1, errorCount: 0 },
    { name: 'web', spanCount: 1, errorCount: 0 },
  ]);
});

test('a true root wins over an earlier orphan; without a root the earliest orphan stands in', () => {
  const withRoot = summarizeTrace(
    testTrace([
      { id: 'orphan', parent: 'gone', start: 0, name: 'early orphan' },
      { id: 'root', start: 5, name: 'the root' },
    ]),
  );
  assert.equal(withRoot.rootOperationName, 'the root');
  const rootless = summarizeTrace(
    testTrace([
      { id: 'o2', parent: 'gone', start: 9, name: 'later' },
      { id: 'o1', parent: 'gone', start: 3, name: 'earlier' },
    ]),
  );
  assert.equal(rootless.rootOperationName, 'earlier');
  assert.equal(rootless.hasRoot, false);
});

test('an empty trace summarises to zeros', () => {
  const summary = summarizeTrace(testTrace([]));
  assert.equal(summary.spanCount, 0);
  assert.equal(summary.duration, 0);
  assert.equal(summary.rootOperationName, '');
});

test('results sort by recency, duration or span count, stably', () => {
  const make = (traceId: string, startTime: number, duration: number, spanCount: number): TraceSummary => ({
    traceId,
    rootServiceName: 's',
    rootOperationName: 'o',
    hasRoot: true,
    startTime,
    duration,
    spanCount,
    errorCount: 0,
    services: [],
  });
  const list = [make('a', 1, 50, 3), make('b', 3, 10, 3), make('c', 2, 90, 1), make('d', 2, 90, 7)];
  const order = (o: 'recent' | 'longest' | 'spans') => sortSummaries(list, o).map((s) => s.traceId);
  assert.deepEqual(order('recent'), ['b', 'c', 'd', 'a']);
  assert.deepEqual(order('longest'), ['c', 'd', 'a', 'b']);
  assert.deepEqual(order('spans'), ['d', 'b', 'a', 'c']);
  assert.deepEqual(
    list.map((s) => s.traceId),
    ['a', 'b', 'c', 'd'],
    'the input is not reordered',
  );
});
