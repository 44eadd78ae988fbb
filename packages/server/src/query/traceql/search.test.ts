import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { isAriadneError, type Span, stringValue } from '@ariadne/protocol';
import { openMemoryStore } from '../../storage/memory/memory-store.js';
import { testSpan } from '../../storage/query/test-spans.js';
import type { SpanStore } from '../../storage/span-store.js';
import { storesUnderTest } from '../testing/stores-under-test.js';
import { queryRangeTraceQL, searchTraceQL } from './search.js';

const SECOND = 1_000_000_000n;
const T0 = 1_700_000_000n * SECOND;
const everything = { startNanos: 0n, endNanos: T0 * 2n };

/** 100 one-span traces a second apart; only the oldest has tier "zinc". */
function oneOldMatch(): Span[] {
  return Array.from({ length: 100 }, (_, i) =>
    testSpan({
      traceId: (i + 1).toString(16).padStart(32, '0'),
      spanId: (i + 1).toString(16).padStart(16, '0'),
      startTimeUnixNano: T0 + BigInt(i) * SECOND,
      endTimeUnixNano: T0 + BigInt(i) * SECOND + 1_000_000n,
      attributes: [{ key: 'tier', value: stringValue(i === 0 ? 'zinc' : 'gold') }],
    }),
  );
}

async function storeWithOneOldMatch() {
  const store = openMemoryStore();
  await store.writeSpans(oneOldMatch());
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

// Pushing conditions down is each store's findTraces: the count of traces loaded shows what it narrowed.
for (const stores of storesUnderTest({ id: 'traceql_pushdown' })) {
  describe(`TraceQL conditions pushed down into the ${stores.name}`, () => {
    let store: SpanStore;
    before(async () => {
      store = await stores.open();
      await store.writeSpans(oneOldMatch());
    });
    after(() => stores.dispose());
    const options = { timeRange: everything, limit: 5, spansPerSpanSet: 3 };

    test('a pushed-down query inspects only what matches; contradictions ask nothing', async () => {
      const found = await searchTraceQL(store, '{ span.tier = "gold" }', options);
      assert.equal(found.traces.length, 5);
      assert.equal(found.inspectedTraces, 5);
      const none = await searchTraceQL(store, '{ duration > 1s && duration < 1ms }', options);
      assert.deepEqual(none, { traces: [], inspectedTraces: 0, inspectedSpans: 0, truncated: false });
    });

    test('the one old match among 100 traces is the only trace loaded', async () => {
      const found = await searchTraceQL(store, '{ span.tier = "zinc" && resource.service.name != "nobody" }', options);
      assert.deepEqual(
        found.traces.map((t) => t.traceId),
        ['1'.padStart(32, '0')],
      );
      assert.equal(found.inspectedTraces, 1);
    });
  });
}

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
