import assert from 'node:assert/strict';
import { test } from 'node:test';
import { isAriadneError, stringValue } from '@ariadne/protocol';
import { openMemoryStore } from '../../storage/memory/memory-store.js';
import { testSpan } from '../../storage/query/test-spans.js';
import { queryRangeTraceQL, searchTraceQL } from './search.js';

const SECOND = 1_000_000_000n;
const T0 = 1_700_000_000n * SECOND;
const everything = { startNanos: 0n, endNanos: T0 * 2n };

/** 100 one-span traces a second apart; only the oldest has tier "zinc". */
async function storeWithOneOldMatch() {
  const store = openMemoryStore();
  await store.writeSpans(
    Array.from({ length: 100 }, (_, i) =>
      testSpan({
        traceId: (i + 1).toString(16).padStart(32, '0'),
        spanId: (i + 1).toString(16).padStart(16, '0'),
        startTimeUnixNano: T0 + BigInt(i) * SECOND,
        endTimeUnixNano: T0 + BigInt(i) * SECOND + 1_000_000n,
        attributes: [{ key: 'tier', value: stringValue(i === 0 ? 'zinc' : 'gold') }],
      }),
    ),
  );
  return store;
}

test('keeps asking the store for candidates until the limit is met or they run out', async () => {
  const store = await storeWithOneOldMatch();
  // String ordering is not pushed down: every trace is a candidate, newest first.
  const result = await searchTraceQL(store, '{ span.tier > "y" }', {
    timeRange: everything,
    limit: 1,
    spansPerSpanSet: 3,
  });
  assert.deepEqual(
    result.traces.map((t) => t.traceId),
    ['1'.padStart(32, '0')],
  );
  assert.equal(result.inspectedTraces, 100);
  assert.equal(result.truncated, false);
  await store.close();
});

test('stops at maxInspectedTraces and says so', async () => {
  const store = await storeWithOneOldMatch();
  const result = await searchTraceQL(store, '{ span.tier > "y" }', {
    timeRange: everything,
    limit: 1,
    spansPerSpanSet: 3,
    maxInspectedTraces: 10,
  });
  assert.deepEqual(result.traces, []);
  assert.equal(result.inspectedTraces, 10);
  assert.equal(result.truncated, true);
  await store.close();
});

test('a pushed-down query inspects only what matches; contradictions ask nothing', async () => {
  const store = await storeWithOneOldMatch();
  const options = { timeRange: everything, limit: 5, spansPerSpanSet: 3 };
  const found = await searchTraceQL(store, '{ span.tier = "gold" }', options);
  assert.equal(found.traces.length, 5);
  assert.equal(found.inspectedTraces, 5);
  const none = await searchTraceQL(store, '{ duration > 1s && duration < 1ms }', options);
  assert.deepEqual(none, { traces: [], inspectedTraces: 0, inspectedSpans: 0, truncated: false });
  await store.close();
});

test('searches reject metrics queries and metrics reject searches', async () => {
  const store = openMemoryStore();
  await assert.rejects(
    searchTraceQL(store, '{ } | rate()', { timeRange: everything, limit: 1, spansPerSpanSet: 1 }),
    (error) => isAriadneError(error, 'InvalidQuery'),
  );
  await assert.rejects(queryRangeTraceQL(store, '{ }', { timeRange: everything, stepNanos: SECOND }), (error) =>
    isAriadneError(error, 'InvalidQuery'),
  );
  await assert.rejects(
    queryRangeTraceQL(store, '{ } | rate()', { timeRange: { startNanos: 0n, endNanos: T0 }, stepNanos: SECOND }),
    /too many/,
  );
  await store.close();
});
