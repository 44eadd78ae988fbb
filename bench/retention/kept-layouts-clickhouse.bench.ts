// How the layout of ClickHouse's `spans_kept` weighs on the kept tier (issue
// 17): the simulated month's first KEPT_LAYOUT_DAYS days (7 by default) go
// through the kept store (--retention 6h, default policy) so that its copies
// fill `spans_kept`; then ClickHouse copies those same rows into each layout
// and the bytes per kept span are compared in this one run:
// - a partition per day, each day a part (how the tier was first made), in
//   the first order and granule size;
// - a partition per week merged into one part, in that order, in granules of
//   1,024 and of 8,192 rows (today's);
// - per week, ordered like `spans` (minute of start, trace id), 8,192;
// - today's per month, for reference (expiry would then go a month at a time).
//   npm run bench retention/kept-layouts   (KEPT_LAYOUT_DAYS=7)
import type { Span } from '@ariadne/protocol';
import { ClickHouseHttp } from '../../packages/server/src/storage/clickhouse/clickhouse-http.js';
import {
  MINUTE_OF_START,
  runWithLowCardinality,
} from '../../packages/server/src/storage/clickhouse/clickhouse-schema.js';
import { mergePartition } from '../../packages/server/src/storage/clickhouse/kept-tier-weeks.js';
import { startClickHouseServer } from '../../packages/server/src/storage/clickhouse/testing/clickhouse-test-server.js';
import { openMonthKeptStore } from './clickhouse-month-store.js';
import { BATCH_TRACES, DAY, HOUR, SimulatedMonth, T0 } from './simulated-days.js';

const DAYS = Number(process.env.KEPT_LAYOUT_DAYS ?? 7);
const database = 'ariadne_bench_kept_layouts';
const FIRST_ORDER = 'ORDER BY (service, start_ns)';
const TRACE_ORDER = `ORDER BY (${MINUTE_OF_START}, trace_hi, trace_lo)`;

/** A layout of spans_kept: its partition, order and granule, and whether its days stay parts of their own. */
const layout = (name: string, partition: string, order: string, granule: number, dayParts = false) => ({
  name,
  engine: `PARTITION BY ${partition} ${order} SETTINGS index_granularity = ${granule}`,
  dayParts,
});
const WEEK = 'toMonday(kept_day)';
const layouts = [
  layout('a partition per day, (service, start_ns), 1,024', 'kept_day', FIRST_ORDER, 1024, true),
  layout('per week in one part, (service, start_ns), 1,024', WEEK, FIRST_ORDER, 1024),
  layout("per week in one part, (service, start_ns), 8,192 (today's)", WEEK, FIRST_ORDER, 8192),
  layout('per week in one part, (minute, trace id) as `spans`, 8,192', WEEK, TRACE_ORDER, 8192),
  layout('per month in one part, (service, start_ns), 8,192', 'toStartOfMonth(kept_day)', FIRST_ORDER, 8192),
];

const server = await startClickHouseServer({ compression: 'zstd' });
const http = new ClickHouseHttp({ url: server.url });
const clock = { now: T0 };
const store = await openMonthKeptStore(server.url, database, clock);
const month = new SimulatedMonth();
try {
  for (let day = 0; day < DAYS; day++) {
    const traces = month.dayOfTraces(day).map((trace) => trace.spans);
    for (let i = 0; i < traces.length; i += BATCH_TRACES) {
      await store.writeSpans(traces.slice(i, i + BATCH_TRACES).flat() as Span[]);
    }
    clock.now = T0 + BigInt(day + 1) * DAY + 7n * HOUR;
    await store.applyRetention();
  }
  const [create] = await http.query<{ query: string }>(
    `SELECT create_table_query AS query FROM system.tables WHERE database = '${database}' AND name = 'spans_kept'`,
  );
  const engineAt = create!.query.indexOf('ENGINE = MergeTree') + 'ENGINE = MergeTree'.length;
  const days = await http.query<{ day: string }>(
    `SELECT DISTINCT toString(kept_day) AS day FROM ${database}.spans_kept ORDER BY day`,
  );
  console.log(
    `ClickHouse 18.16 (zstd): the kept spans of the simulated month's first ${DAYS} days, the same rows in each layout of spans_kept:\n`,
  );
  console.log('| layout | parts | kept spans | bytes | bytes per span |');
  console.log('|---|---:|---:|---:|---:|');
  for (const [at, layout] of layouts.entries()) {
    const table = `${database}.layout_${at}`;
    await runWithLowCardinality(
      http,
      `${create!.query.slice(0, engineAt).replace(`${database}.spans_kept`, table)} ${layout.engine}`,
    );
    // A day a part, as the copies write them; then, but for day parts, merged as a finished week is.
    for (const { day } of days) {
      await http.command(`INSERT INTO ${table} SELECT * FROM ${database}.spans_kept WHERE kept_day = toDate('${day}')`);
    }
    if (!layout.dayParts) {
      const partitions = await http.query<{ partition: string }>(
        `SELECT DISTINCT partition FROM system.parts WHERE active AND database = '${database}' AND table = 'layout_${at}'`,
      );
      for (const { partition } of partitions) await mergePartition({ http, database }, `layout_${at}`, partition);
    }
    const [row] = await http.query<{ parts: string; rows: string; bytes: string }>(
      `SELECT count() AS parts, sum(rows) AS rows, sum(bytes_on_disk) AS bytes FROM system.parts
       WHERE active AND database = '${database}' AND table = 'layout_${at}'`,
    );
    const bytes = Number(row!.bytes);
    const rows = Number(row!.rows);
    console.log(
      `| ${layout.name} | ${row!.parts} | ${rows.toLocaleString('en')} | ${bytes.toLocaleString('en')} | ${(bytes / rows).toFixed(1)} |`,
    );
  }
} finally {
  await store.close();
  await server.stop();
}
