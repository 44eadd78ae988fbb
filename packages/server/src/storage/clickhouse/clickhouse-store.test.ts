import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import {
  doubleValue,
  encodeOtlpTraceRequestProto,
  intValue,
  isAriadneError,
  type Span,
  serviceNameOf,
  stringValue,
} from '@ariadne/protocol';
import { runResentSpansSuite } from '../conformance/resent-spans-suite.js';
import { runStoreSuite } from '../conformance/store-suite.js';
import { testSpan } from '../query/test-spans.js';
import type { SpanStore, TraceQuery } from '../span-store.js';
import { openClickHouseStore } from './clickhouse-store.js';
import { type ClickHouseTestServer, freePort, startClickHouseServer } from './testing/clickhouse-test-server.js';

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

/** What the shared re-sent spans suite expects to fail on ClickHouse, and why. */
const CLICKHOUSE_COUNTS_COPIES =
  'ClickHouse keeps every copy a client sent; reads keep one (SPAN_CONTENT_HASH), but RED and dependencies count rows ' +
  '(counting distinct spans there would hold every span of the range in memory)';

let resentDatabase = '';
runResentSpansSuite({
  name: 'clickhouse',
  open: async () => {
    resentDatabase = freshDatabase();
    return openClickHouseStore({ url: server.url, database: resentDatabase });
  },
  reopen: async (store: SpanStore) => {
    await store.close();
    return openClickHouseStore({ url: server.url, database: resentDatabase });
  },
  aggregatesCountCopies: CLICKHOUSE_COUNTS_COPIES,
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
    assert.equal(await sql(`SELECT groupArray(version) FROM ${database}.schema_migrations`), '[3]');
    assert.equal(
      await sql(
        `SELECT count() FROM system.tables WHERE database = '${database}' AND name IN ('spans', 'trace_index', 'operations')`,
      ),
      '3',
    );
  });

  test('a version 1 database (spans kept twice, as OTLP in base64) is copied into the current version at open', async () => {
    const database = freshDatabase();
    const spans = [
      testSpan({ traceId: 'a'.repeat(32), spanId: '1'.repeat(16), service: 'web', startTimeUnixNano: NOW - 3n * DAY }),
      testSpan({
        traceId: 'a'.repeat(32),
        spanId: '2'.repeat(16),
        parentSpanId: '1'.repeat(16),
        service: 'db',
        startTimeUnixNano: NOW - 3n * DAY + 5n,
        attributes: [{ key: 'ratio', value: doubleValue(-0) }],
      }),
      testSpan({ traceId: 'b'.repeat(32), service: 'web', startTimeUnixNano: NOW }),
    ];
    await writeVersion1(database, spans);
    const store = await openClickHouseStore({ url: server.url, database });
    try {
      assert.equal(
        await sql(
          `SELECT groupArray(version) FROM (SELECT version FROM ${database}.schema_migrations ORDER BY version)`,
        ),
        '[1,3]',
      );
      assert.equal(
        await sql(`SELECT count() FROM system.tables WHERE database = '${database}' AND name = 'spans_v1'`),
        '0',
      );
      assert.equal(
        await sql(
          `SELECT count() FROM system.columns WHERE database = '${database}' AND table = 'spans' AND name = 'otlp'`,
        ),
        '0',
      );
      assert.deepStrictEqual(canonical(await store.getTrace('a'.repeat(32))), canonical(spans.slice(0, 2)));
      assert.deepEqual(await store.getServices(), ['db', 'web']);
      assert.deepEqual(
        (await store.findTraces(everything({ service: 'db' }))).map((summary) => summary.traceId),
        ['a'.repeat(32)],
      );
      assert.deepEqual(await store.getDependencies({ startNanos: 0n, endNanos: NOW * 2n }), [
        { parent: 'web', child: 'db', callCount: 1, errorCount: 0 },
      ]);
    } finally {
      await store.close();
    }
    // Opening again finds the current version and copies nothing twice.
    const reopened = await openClickHouseStore({ url: server.url, database });
    try {
      assert.equal((await reopened.getTrace('a'.repeat(32))).length, 2);
    } finally {
      await reopened.close();
    }
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

  test('regular expressions: RE2-only syntax limits are InvalidQuery, and . matches a line break (Tempo)', async () => {
    const store = await openClickHouseStore({ url: server.url, database: freshDatabase() });
    try {
      await store.writeSpans([testSpan({ attributes: [{ key: 'text', value: stringValue('a\nb') }] })]);
      const regex = (value: string) =>
        store.findTraces(everything({ attributes: [{ key: 'text', scope: 'span', operator: '=~', value }] }));
      assert.equal((await regex('a.b')).length, 1);
      assert.equal((await regex('(?-s)a.b')).length, 0);
      assert.equal((await regex('a\\nb')).length, 1);
      assert.equal((await regex('a\\sb')).length, 1);
      // Valid in JavaScript, not in RE2: the query is at fault, and says why.
      await assert.rejects(
        regex('(?=a)a\\nb'),
        (error) => isAriadneError(error, 'InvalidQuery') && /lookaround/.test(error.message),
      );
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

  test('several nodes: a node that cannot be reached is passed over for the next', async () => {
    const closed = await freePort();
    const store = await openClickHouseStore({
      url: `http://127.0.0.1:${closed},${server.url}`,
      database: freshDatabase(),
    });
    try {
      await store.writeSpans([testSpan({ traceId: '0000000000000000000000000000abcd' })]);
      assert.equal((await store.getTrace('0000000000000000000000000000abcd')).length, 1);
    } finally {
      await store.close();
    }
  });
});

const canonical = (spans: readonly Span[]) => [...spans].sort((a, b) => (a.spanId < b.spanId ? -1 : 1));

/** A database as version 1 of the schema left it: its tables and views, rows with `otlp`. */
async function writeVersion1(database: string, spans: readonly Span[]): Promise<void> {
  const day = 'toDate(toUInt16(intDiv(start_ns, 86400000000000)))';
  const arrays = (prefix: string) =>
    `${prefix}_keys Array(String), ${prefix}_values Array(String), ${prefix}_numeric Array(UInt8), ${prefix}_numbers Array(Float64)`;
  for (const statement of [
    `CREATE DATABASE ${database}`,
    `CREATE TABLE ${database}.schema_migrations (version UInt32, applied_ns UInt64) ENGINE = MergeTree ORDER BY version`,
    `INSERT INTO ${database}.schema_migrations VALUES (1, 0)`,
    `CREATE TABLE ${database}.spans (trace_hi UInt64, trace_lo UInt64, span_id UInt64, parent_span_id UInt64,
      service String, name String, kind UInt8, start_ns UInt64, end_ns UInt64, duration_ns UInt64, status_code UInt8,
      ${arrays('attr')}, ${arrays('resource')}, ${arrays('event')}, otlp String
    ) ENGINE = MergeTree PARTITION BY ${day} ORDER BY (service, start_ns)`,
    `CREATE TABLE ${database}.trace_index (trace_hi UInt64, trace_lo UInt64, day Date, min_start_ns UInt64,
      max_start_ns UInt64, max_end_ns UInt64, services Array(String)) ENGINE = MergeTree PARTITION BY day ORDER BY (trace_hi, trace_lo)`,
    `CREATE MATERIALIZED VIEW ${database}.trace_index_mv TO ${database}.trace_index AS
      SELECT trace_hi, trace_lo, ${day} AS day, min(start_ns) AS min_start_ns, max(start_ns) AS max_start_ns,
        max(start_ns + duration_ns) AS max_end_ns, groupUniqArray(service) AS services FROM ${database}.spans GROUP BY trace_hi, trace_lo, day`,
    `CREATE TABLE ${database}.operations (service String, name String, kind UInt8, day Date, spans UInt64)
      ENGINE = SummingMergeTree(spans) PARTITION BY day ORDER BY (service, name, kind)`,
    `CREATE MATERIALIZED VIEW ${database}.operations_mv TO ${database}.operations AS
      SELECT service, name, kind, ${day} AS day, count() AS spans FROM ${database}.spans GROUP BY service, name, kind, day`,
  ]) {
    const response = await fetch(`${server.url}/`, { method: 'POST', body: statement });
    assert.equal(response.status, 200, await response.text());
  }
  const rows = spans.map((span) =>
    JSON.stringify({
      trace_hi: BigInt(`0x${span.traceId.slice(0, 16)}`).toString(),
      trace_lo: BigInt(`0x${span.traceId.slice(16)}`).toString(),
      span_id: BigInt(`0x${span.spanId}`).toString(),
      parent_span_id: span.parentSpanId === '' ? '0' : BigInt(`0x${span.parentSpanId}`).toString(),
      service: serviceNameOf(span.resource),
      name: span.name,
      kind: span.kind,
      start_ns: span.startTimeUnixNano.toString(),
      end_ns: span.endTimeUnixNano.toString(),
      duration_ns: (span.endTimeUnixNano - span.startTimeUnixNano).toString(),
      status_code: span.status.code,
      otlp: Buffer.from(encodeOtlpTraceRequestProto([span])).toString('base64'),
    }),
  );
  const query = encodeURIComponent(`INSERT INTO ${database}.spans FORMAT JSONEachRow`);
  const response = await fetch(`${server.url}/?query=${query}&input_format_skip_unknown_fields=1`, {
    method: 'POST',
    body: rows.join('\n'),
  });
  assert.equal(response.status, 200, await response.text());
}
