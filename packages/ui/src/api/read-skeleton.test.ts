import assert from 'node:assert/strict';
import { test } from 'node:test';
import { buildSpanTree } from '../trace/build-span-tree.js';
import { summarizeTrace } from '../trace/summarize-trace.js';
import { isApiError } from './api-error.js';
import { readTraceSkeleton } from './read-skeleton.js';

/** Three spans as the server writes them: a root, its failed child with two event marks, an orphan. */
const SKELETON = {
  traceID: '4bf92f3577b34da6a3ce929d0e0e4736',
  startTime: 1_700_000_000_000_000,
  strings: ['api', 'GET /', 'db', 'query', 'retry'],
  spanIds: ['00000000000000a1', '00000000000000b2', '00000000000000c3'],
  parents: [-1, 0, -2],
  missingParents: ['00000000000000ff'],
  duplicates: [],
  starts: [0, 10, 20],
  durations: [100, 50, 5],
  services: [0, 2, 0],
  operations: [1, 3, 3],
  errors: [1],
  events: [1, 12, 4, 1, 15, -1],
};

test('a skeleton becomes a trace the tree and the summaries read as they read the full one', () => {
  const { trace, columns } = readTraceSkeleton(SKELETON);
  assert.equal(trace.traceID, SKELETON.traceID);
  const [root, child, orphan] = trace.spans;
  assert.equal(root?.parentSpanID, undefined);
  assert.equal(child?.parentSpanID, '00000000000000a1');
  assert.equal(orphan?.parentSpanID, '00000000000000ff');
  assert.equal(child?.startTime, SKELETON.startTime + 10);
  assert.equal(child?.duration, 50);
  assert.equal(child?.operationName, 'query');
  assert.equal(trace.processes[child?.processID ?? '']?.serviceName, 'db');
  // Event marks keep their time and the `event` field the timeline labels them with.
  assert.deepEqual(child?.logs, [
    { timestamp: SKELETON.startTime + 12, fields: [{ key: 'event', type: 'string', value: 'retry' }] },
    { timestamp: SKELETON.startTime + 15, fields: [] },
  ]);

  // With its columns or from the ids and tags alone: the same tree and summary.
  for (const given of [columns, undefined]) {
    const tree = buildSpanTree(trace, given);
    assert.deepEqual(
      tree.nodes.map((n) => [n.spanId, n.depth, n.hasError, n.orphan, n.serviceName]),
      [
        ['00000000000000a1', 0, false, false, 'api'],
        ['00000000000000b2', 1, true, false, 'db'],
        ['00000000000000c3', 0, false, true, 'api'],
      ],
    );
    assert.equal(tree.byId.get('00000000000000b2')?.parent?.spanId, '00000000000000a1');
    const summary = summarizeTrace(trace, given);
    assert.equal(summary.rootOperationName, 'GET /');
    assert.equal(summary.errorCount, 1);
    assert.deepEqual(
      summary.services.map((s) => [s.name, s.spanCount]),
      [
        ['api', 2],
        ['db', 1],
      ],
    );
  }
});

test('a span stored twice: the skeleton names the copy, the tree keeps the first and hangs children under it', () => {
  const { trace, columns } = readTraceSkeleton({
    ...SKELETON,
    spanIds: ['00000000000000a1', '00000000000000a1', '00000000000000c3'],
    parents: [-1, -1, 0],
    missingParents: [],
    duplicates: [1],
  });
  for (const given of [columns, undefined]) {
    const tree = buildSpanTree(trace, given);
    assert.equal(tree.duplicateCount, 1);
    assert.deepEqual(
      tree.nodes.map((n) => [n.spanId, n.depth]),
      [
        ['00000000000000a1', 0],
        ['00000000000000c3', 1],
      ],
    );
    assert.equal(summarizeTrace(trace, given).spanCount, 3);
  }
});

test('a skeleton that does not hold together is an InvalidResponse naming what is wrong', () => {
  const broken: [Record<string, unknown>, RegExp][] = [
    [{ ...SKELETON, starts: [0, 10] }, /starts has 2 entries for 3 spans/],
    [{ ...SKELETON, operations: [1, 3, 9] }, /operation of span 2/],
    [{ ...SKELETON, parents: [-1, 7, -2] }, /parent of span 1/],
    [{ ...SKELETON, missingParents: [] }, /missingParents/],
    [{ ...SKELETON, missingParents: ['00000000000000ff', '00000000000000fe'] }, /missingParents is too long/],
    [{ ...SKELETON, parents: [-3, 0, -2] }, /parent of span 0/],
    [{ ...SKELETON, duplicates: [0], parents: [-1, 0, -2] }, /parent of span 1/],
    [{ ...SKELETON, duplicates: [4] }, /duplicates/],
    [{ ...SKELETON, errors: [3] }, /errors/],
    [{ ...SKELETON, events: [5, 0, 0] }, /events/],
    [{ ...SKELETON, spanIds: 'a1' }, /spanIds is not a list/],
  ];
  for (const [value, message] of broken) {
    assert.throws(
      () => readTraceSkeleton(value),
      (error: unknown) => isApiError(error, 'InvalidResponse') && message.test((error as Error).message),
    );
  }
});
