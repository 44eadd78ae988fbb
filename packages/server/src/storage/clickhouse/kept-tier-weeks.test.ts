// Kept tables made before weeks (a partition per day) keep working: a copy
// redone deletes only its day, and days expire one by one, as they did.
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { DEFAULT_RETENTION_POLICY, type RetentionPolicy } from '../../retention/retention-policy.js';
import { openedTrace, retentionTestTrace } from '../embedded/retention-test-traces.js';
import { ClickHouseHttp } from './clickhouse-http.js';
import { openClickHouseKeptStore } from './clickhouse-kept-store.js';
import { runWithLowCardinality } from './clickhouse-schema.js';
import { copyDay, KeptTierCounts } from './kept-tier-copy.js';
import { KEPT_DAY_TABLES, keptSpanColumns } from './kept-tier-schema.js';
import { keptPartitioning } from './kept-tier-weeks.js';
import { type ClickHouseTestServer, startClickHouseServer } from './testing/clickhouse-test-server.js';

const HOUR = 3_600_000_000_000n;
const DAY = 24n * HOUR;
/** 2026-01-01 00:00 UTC, a Thursday: the day before is in the same week. */
const T0 = 1_767_225_600_000_000_000n;
const policy: RetentionPolicy = { ...DEFAULT_RETENTION_POLICY, exemplarsPerMinute: 0, slow: 'off', sampleFraction: 0 };

let server: ClickHouseTestServer;
before(async () => {
  server = await startClickHouseServer();
});
after(async () => {
  await server?.stop();
});

const openAt = (clock: { now: bigint }, database: string) =>
  openClickHouseKeptStore({
    url: server.url,
    database,
    retentionNanos: HOUR,
    retentionKeptNanos: 30n * DAY,
    retentionPolicy: policy,
    retentionIntervalMs: 3_600_000,
    now: () => clock.now,
  });

test('new kept tables are partitioned by week, and a week is one part once all its days are copied', async () => {
  const database = 'ariadne_kept_weeks_new';
  const clock = { now: T0 - DAY };
  const store = await openAt(clock, database);
  const http = new ClickHouseHttp({ url: server.url });
  const partitioning = await keptPartitioning({ http, database });
  assert.deepEqual([...partitioning.keys()].sort(), [...KEPT_DAY_TABLES].sort());
  assert.deepEqual(new Set(partitioning.values()), new Set(['week']));
  // An error trace a day from Wednesday 2025-12-31 to Monday 2026-01-05, each day copied in a pass of its own.
  for (let n = 0; n < 6; n++) {
    await store.writeSpans(
      retentionTestTrace({ n: n + 1, startNanos: T0 + BigInt(n - 1) * DAY + 12n * HOUR, error: true }),
    );
  }
  for (let n = 0; n < 6; n++) {
    clock.now = T0 + BigInt(n) * DAY + 2n * HOUR;
    await store.applyRetention();
  }
  const parts = await http.query<{ table: string; partition: string; parts: string; rows: string }>(
    `SELECT table, partition, count() AS parts, sum(rows) AS rows FROM system.parts
     WHERE active AND database = '${database}' AND table IN ('spans_kept', 'kept_traces', 'red_seconds')
     GROUP BY table, partition ORDER BY table, partition`,
  );
  const week = (table: string, partition: string) =>
    parts.find((row) => row.table === table && row.partition === partition);
  for (const table of ['spans_kept', 'kept_traces', 'red_seconds']) {
    // The week of Monday 2025-12-29 ended with Sunday 2026-01-04's copy: one part. The next has begun.
    assert.equal(week(table, '2025-12-29')?.parts, '1', `${table}: the finished week in one part`);
    assert.ok(week(table, '2026-01-05') !== undefined, `${table}: the next week has its own partition`);
  }
  assert.equal(week('spans_kept', '2025-12-29')?.rows, '10', 'five days of one two-span trace each');
  for (let n = 1; n <= 6; n++) assert.equal((await openedTrace(store, n))?.length, 2, `trace ${n} whole`);
  await store.close();
});

test('kept tables partitioned by day, as made before weeks, are redone and expired a day at a time', async () => {
  const database = 'ariadne_kept_weeks_old';
  const clock = { now: T0 + 2n * HOUR };
  const http = new ClickHouseHttp({ url: server.url });
  // Make the kept tables again as they were made before weeks.
  await (await openAt(clock, database)).close();
  for (const table of KEPT_DAY_TABLES) {
    const [row] = await http.query<{ create_table_query: string }>(
      `SELECT create_table_query FROM system.tables WHERE database = '${database}' AND name = '${table}'`,
    );
    const byDay = row!.create_table_query.replace(/PARTITION BY toMonday\((kept_day|day)\)/, 'PARTITION BY $1');
    assert.notEqual(byDay, row!.create_table_query, `${table} had a week partition`);
    await http.command(`DROP TABLE ${database}.${table}`);
    await runWithLowCardinality(http, byDay);
  }
  assert.deepEqual(new Set((await keptPartitioning({ http, database })).values()), new Set(['day']));

  const store = await openAt(clock, database);
  const dayBefore = retentionTestTrace({ n: 1, startNanos: T0 - 12n * HOUR, error: true });
  const day = retentionTestTrace({ n: 2, startNanos: T0 + 12n * HOUR, error: true });
  await store.writeSpans([...dayBefore, ...day]);
  assert.deepEqual(await store.applyRetention(), ['2025-12-31']);
  // A copy of the next day that stopped before recording it, twice over: the redo replaces it.
  const context = { http, database, policy, spanColumns: await keptSpanColumns(http, database) };
  await copyDay(context, '2026-01-01', new KeptTierCounts());
  await copyDay(context, '2026-01-01', new KeptTierCounts());
  clock.now = T0 + DAY + 2n * HOUR;
  assert.deepEqual(await store.applyRetention(), ['2026-01-01']);
  const [kept] = await http.query<{ rows: string; distinct: string; partitions: string }>(
    `SELECT count() AS rows, uniqExact(trace_hi, trace_lo, span_id) AS distinct, uniqExact(_partition_id) AS partitions
     FROM ${database}.spans_kept`,
  );
  assert.deepEqual(kept, { rows: '4', distinct: '4', partitions: '2' });

  // Past --retention-kept, the older day goes and its week's next day stays.
  clock.now = T0 + 30n * DAY + 2n * HOUR;
  await store.applyRetention();
  assert.equal(await openedTrace(store, 1), undefined);
  assert.equal((await openedTrace(store, 2))?.length, 2);
  await store.close();
});
