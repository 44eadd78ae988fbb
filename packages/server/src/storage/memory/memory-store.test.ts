import assert from 'node:assert/strict';
import { test } from 'node:test';
import { runResentSpansSuite } from '../conformance/resent-spans-suite.js';
import { runStoreSuite } from '../conformance/store-suite.js';
import { testSpan } from '../query/test-spans.js';
import { openMemoryStore } from './memory-store.js';

runStoreSuite({ name: 'memory', open: async () => openMemoryStore() });
runResentSpansSuite({ name: 'memory', open: async () => openMemoryStore() });

test('the memory store evicts the traces written least recently', async () => {
  const store = openMemoryStore({ maxTraces: 2 });
  const trace = (n: number, service: string) =>
    testSpan({ traceId: n.toString(16).padStart(32, '0'), spanId: n.toString(16).padStart(16, '0'), service });
  await store.writeSpans([trace(1, 'a')]);
  await store.writeSpans([trace(2, 'b')]);
  await store.writeSpans([{ ...trace(1, 'a'), spanId: 'ffffffffffffffff' }]); // trace 1 is now the most recent write
  await store.writeSpans([trace(3, 'c')]);
  await assert.rejects(store.getTrace(trace(2, 'b').traceId));
  assert.equal((await store.getTrace(trace(1, 'a').traceId)).length, 2);
  assert.deepEqual(await store.getServices(), ['a', 'c']);
  await store.close();
});
