import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { StatusCode } from '@ariadne/protocol';
import { summarizeTrace } from './summarize-trace.js';
import { testSpan } from './test-spans.js';

describe('summarize trace', () => {
  test('root, times, counts and services', () => {
    const summary = summarizeTrace([
      testSpan({
        spanId: '2'.repeat(16),
        parentSpanId: '1'.repeat(16),
        name: 'child',
        service: 'db',
        startTimeUnixNano: 110n,
        endTimeUnixNano: 400n,
        status: { code: StatusCode.Error, message: '' },
      }),
      testSpan({
        spanId: '1'.repeat(16),
        name: 'root',
        service: 'web',
        startTimeUnixNano: 100n,
        endTimeUnixNano: 300n,
      }),
      testSpan({
        spanId: '3'.repeat(16),
        parentSpanId: '1'.repeat(16),
        name: 'other',
        service: 'db',
        startTimeUnixNano: 120n,
        endTimeUnixNano: 130n,
      }),
    ]);
    assert.deepEqual(summary, {
      traceId: '0af7651916cd43dd8448eb211c80319c',
      rootServiceName: 'web',
      rootSpanName: 'root',
      startTimeUnixNano: 100n,
      durationNanos: 300n,
      spanCount: 3,
      errorCount: 1,
      services: [
        { name: 'db', spanCount: 2, errorCount: 1 },
        { name: 'web', spanCount: 1, errorCount: 0 },
      ],
    });
  });

  test('without the root, the earliest span whose parent is missing stands in', () => {
    const summary = summarizeTrace([
      testSpan({ spanId: '3'.repeat(16), parentSpanId: '2'.repeat(16), name: 'grandchild', startTimeUnixNano: 150n }),
      testSpan({ spanId: '2'.repeat(16), parentSpanId: '1'.repeat(16), name: 'child', startTimeUnixNano: 120n }),
    ]);
    assert.equal(summary.rootSpanName, 'child');
  });

  test('a span ending before it starts counts as zero long', () => {
    const summary = summarizeTrace([testSpan({ startTimeUnixNano: 500n, endTimeUnixNano: 100n })]);
    assert.equal(summary.durationNanos, 0n);
    assert.equal(summary.startTimeUnixNano, 500n);
  });
});
