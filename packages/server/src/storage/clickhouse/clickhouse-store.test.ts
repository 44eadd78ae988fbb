import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { intValue, isAriadneError, stringValue } from '@ariadne/protocol';
import { runStoreSuite } from '../conformance/store-suite.js';
import { testSpan } from '../query/test-spans.js';
import type { SpanStore, TraceQuery } from '../span-store.js';
import { openClickHouseStore } from './clickhouse-store.js';
import { type ClickHouseTestServer, startClickHouseServer } from './testing/clickhouse-test-server.js';

// One server for the whole file; every store gets its own database.
let server: ClickHouseTestServer;
before(async () => {
  server = await startClickHouseServer();
});
after(async () => {
  await server?.stop();
});

let databases = 0;
const freshDatabase = () => `ariadne_test_${++databases}`;

let suiteDatabase = '';
runStoreSuite({
  name: 'clickhouse',
  open: async () => {
    suiteDatabase = freshDatabase();
    return openClickHouseStore({ url: server.url, database: suiteDatabase });
  },
  reopen: async (store: SpanStore) => {
    await store.close();
    return openClickHouseStore({ url: server.url, database: suiteDatabase });
  },
});

const DAY = 86_400_000_000_000n;
const NOW = BigInt(Date.UTC(2030, 0, 10, 12)) * 1_000_000n;
const sql = async (text: string) =>
  (await (await fetch(`${server.url}/?query=${encodeURIComponent(text)}`)).text()).trim();
const everything = (overrides: Partial<TraceQuery> = {}): TraceQuery => ({
  timeRange: { startNanos: 0n, endNanos: NOW * 2n },
  limit: 100,
  ...overrides,
});

describe('clickhouse store specifics', () => {
  test('the schema is migrated once: reopening applies nothing twice', async () => {
    const database = freshDatabase();
    await (await openClickHouseStore({ url: server.url, database })).close();
    await (await openClickHouseStore({ url: server.url, database })).close();
    assert.equal(await sql(`SELECT groupArray(version) FROM ${database}.schema_migrations`), '[1]');
    assert.equal(
      await sql(
        `SELECT count() FROM system.tables WHERE database = '${database}' AND name IN ('spans', 'trace_index', 'operations')`,
      ),
      '3',
    );
  });

  test('retention drops whole days older than the retention, at open and on demand', async () => {
    const database = freshDatabase();
    const old = testSpan({
      traceId: '1'.repeat(32),
      service: 'old',
      startTimeUnixNano: NOW - 5n * DAY,
      endTimeUnixNano: NOW - 5n * DAY + 1n,
    });
    const recent = testSpan({
      traceId: '2'.repeat(32),
      service: 'recent',
      startTimeUnixNano: NOW - DAY / 2n,
      endTimeUnixNano: NOW,
    });
    const older = testSpan({
      traceId: '3'.repeat(32),
      service: 'older',
      startTimeUnixNano: 1_000_000_000n,
      endTimeUnixNano: 2_000_000_000n,
    });
    const keepAll = await openClickHouseStore({ url: server.url, database });
    await keepAll.writeSpans([old, recent, older]);
    await keepAll.close();

    // At open, against the real clock: 1970 is gone, 2030 is in the future and stays.
    const store = await openClickHouseStore({ url: server.url, database, retentionNanos: 2n * DAY });
    try {
      await assert.rejects(store.getTrace(older.traceId), (error) => isAriadneError(error, 'TraceNotFound'));
      assert.deepEqual(await store.getServices(), ['old', 'recent']);
      // On demand, as of NOW: the day five days back goes, the last day stays.
      assert.deepEqual(await store.applyRetention(NOW), ['2030-01-05']);
      await assert.rejects(store.getTrace(old.traceId), (error) => isAriadneError(error, 'TraceNotFound'));
      assert.equal((await store.getTrace(recent.traceId)).length, 1);
      assert.deepEqual(await store.getServices(), ['recent']);
      assert.deepEqual(
        (await store.findTraces(everything())).map((summary) => summary.traceId),
        [recent.traceId],
      );
      assert.deepEqual(await store.applyRetention(NOW), []);
    } finally {
      await store.close();
    }
  });

  test('regular expressions: RE2-only syntax limits are InvalidQuery, and . does not match a line break', async () => {
    const store = await openClickHouseStore({ url: server.url, database: freshDatabase() });
    try {
      await store.writeSpans([testSpan({ attributes: [{ key: 'text', value: stringValue('a\nb') }] })]);
      const regex = (value: string) =>
        store.findTraces(everything({ attributes: [{ key: 'text', scope: 'span', operator: '=~', value }] }));
      assert.equal((await regex('a.b')).length, 0);
      assert.equal((await regex('a\\nb')).length, 1);
      assert.equal((await regex('a\\sb')).length, 1);
      // Valid in JavaScript, not in RE2: the store cannot run it, and says the query is at fault.
      await assert.rejects(regex('(?=a)a\\nb'), (error) => isAriadneError(error, 'InvalidQuery'));
    } finally {
      await store.close();
    }
  });

  test('ordering compares int64 attributes exactly beyond 2^53', async () => {
    const store = await openClickHouseStore({ url: server.url, database: freshDatabase() });
    try {
      await store.writeSpans([testSpan({ attributes: [{ key: 'big', value: intValue(9_007_199_254_740_993n) }] })]);
      const compare = (operator: '>' | '<=', value: string) =>
        store.findTraces(everything({ attributes: [{ key: 'big', scope: 'any', operator, value }] }));
      assert.equal((await compare('>', '9007199254740992')).length, 1);
      assert.equal((await compare('<=', '9007199254740992')).length, 0);
      assert.equal((await compare('>', '9223372036854775807')).length, 0);
    } finally {
      await store.close();
    }
  });

  test('an unreachable ClickHouse is a StorageFailure', async () => {
    await assert.rejects(openClickHouseStore({ url: 'http://127.0.0.1:9', database: 'nowhere' }), (error) =>
      isAriadneError(error, 'StorageFailure'),
    );
  });
});
