import assert from 'node:assert/strict';
import { test } from 'node:test';
import { AriadneError, type Span } from '@ariadne/protocol';
import { testSpan } from '../../storage/query/test-spans.js';
import type { SpanReader } from '../../storage/span-store.js';
import { fetchTraces } from './fetch-traces.js';

test('every id is asked for once, and no more, however the concurrent loads interleave', async () => {
  const ids = Array.from({ length: 21 }, (_, i) => (i + 1).toString(16).padStart(32, '0'));
  const asked: unknown[] = [];
  const reader = {
    getTrace: async (traceId: string): Promise<Span[]> => {
      asked.push(traceId);
      if (traceId === ids[3]) throw new AriadneError('TraceNotFound', 'gone');
      return [testSpan({ traceId })];
    },
  } as unknown as SpanReader;
  const { traces, missing } = await fetchTraces(reader, ids);
  assert.deepEqual([...asked].sort(), [...ids].sort());
  assert.deepEqual(missing, [ids[3]]);
  assert.deepEqual(
    traces.map((trace) => trace[0]!.traceId),
    ids.filter((id) => id !== ids[3]),
  );
});
