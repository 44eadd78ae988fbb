// Trace-aware retention (issue 17) on ClickHouse, over simulated days with the
// clock injected: each day holds a burst of the standard workload
// (RETENTION_TRACES_PER_DAY traces, 60 ms apart, from 12:00) with 2 % of traces
// erroneous, the same traces as the embedded store's benchmark
// (SimulatedMonth), written to a real clickhouse-server (zstd, as the store's
// README recommends) with --retention 6h, --retention-kept 31d and the default
// policy; after each day the store's retention pass copies the day past the
// short window into the kept tier and drops it. It prints, measured in this
// one run:
// - disk: the bytes on disk of every full-tier day partition (spans,
//   trace_index, operations), measured just before its day was copied and
//   dropped, against the kept tier's tables at the end (kept spans and index,
//   and the aggregates), as a ratio;
// - error traces, traces slower than their operation's p99 of the hour and
//   exemplar cells still openable, whole (RetentionTruth, as the embedded
//   store's benchmark counts them);
// - RED metrics (per operation and day) and dependencies over all the days,
//   equal or not to the same computed from every span written (RetentionTruth).
//   npm run bench retention   (RETENTION_DAYS=30, RETENTION_TRACES_PER_DAY=1000)
import type { Span } from '@ariadne/protocol';
import { DEFAULT_RETENTION_POLICY } from '../../packages/server/src/retention/retention-policy.js';
import { ClickHouseHttp } from '../../packages/server/src/storage/clickhouse/clickhouse-http.js';
import { KEPT_DAY_TABLES } from '../../packages/server/src/storage/clickhouse/kept-tier-schema.js';
import { traceIdFromHalves } from '../../packages/server/src/storage/clickhouse/sql-literal.js';
import { startClickHouseServer } from '../../packages/server/src/storage/clickhouse/testing/clickhouse-test-server.js';
import { openMonthKeptStore } from './clickhouse-month-store.js';
import { RetentionTruth } from './retention-truth.js';
import { BATCH_TRACES, DAY, DAYS, HOUR, SimulatedMonth, T0, TRACES_PER_DAY } from './simulated-days.js';

const database = 'ariadne_bench_retention';

const server = await startClickHouseServer({ compression: 'zstd' });
const http = new ClickHouseHttp({ url: server.url });
const clock = { now: T0 };
const store = await openMonthKeptStore(server.url, database, clock);
const month = new SimulatedMonth();
const traceTruth = new RetentionTruth();

/** Bytes on disk of the active parts of these tables, by table. */
async function bytesOf(tables: readonly string[]): Promise<number> {
  const [row] = await http.query<{ bytes: string }>(
    `SELECT sum(bytes_on_disk) AS bytes FROM system.parts WHERE active AND database = '${database}'
     AND table IN (${tables.map((table) => `'${table}'`).join(', ')})`,
  );
  return Number(row?.bytes ?? 0);
}

let everything = 0;
let spansWritten = 0;
try {
  for (let day = 0; day < DAYS; day++) {
    let batch: Span[] = [];
    const traces = month.dayOfTraces(day);
    for (const [i, { spans, error }] of traces.entries()) {
      traceTruth.remember(spans, error);
      spansWritten += spans.length;
      batch.push(...spans);
      if ((i + 1) % BATCH_TRACES === 0 || i === traces.length - 1) {
        await store.writeSpans(batch);
        batch = [];
      }
    }
    // The day as written is what keeping everything costs; then the pass copies and drops it.
    clock.now = T0 + BigInt(day + 1) * DAY + 7n * HOUR;
    everything += await bytesOf(['spans', 'trace_index', 'operations']);
    await store.applyRetention();
  }
  const kept = await bytesOf([...KEPT_DAY_TABLES, 'kept_days']);
  const { errorTraces, errorKept, slowTraces, slowKept, slowMissed } = await traceTruth.openable(store);
  if (process.env.RETENTION_DEBUG) for (const missed of slowMissed) console.log(`slow trace not kept: ${missed}`);
  // Exemplar cells: from every kept trace, as the store opens it.
  const keptIds = await http.query<{ hi: string; lo: string }>(
    `SELECT DISTINCT toString(trace_hi) AS hi, toString(trace_lo) AS lo FROM ${database}.kept_traces`,
  );
  const keptSpans: Span[][] = [];
  for (const { hi, lo } of keptIds) keptSpans.push(await store.getTrace(traceIdFromHalves(BigInt(hi), BigInt(lo))));
  const cellsCovered = traceTruth.cellsCovered(keptSpans, DEFAULT_RETENTION_POLICY.exemplarsPerMinute);
  const { redQuery } = traceTruth;
  const redEqual =
    JSON.stringify(await store.getRedMetrics(redQuery), bigints) === JSON.stringify(traceTruth.red.series(), bigints);
  const dependenciesEqual =
    JSON.stringify(await store.getDependencies(redQuery.timeRange)) === JSON.stringify(traceTruth.dependencies.links());
  const stats = await store.retentionStats();
  const keptTraces = Object.values(stats.kept).reduce((sum, counts) => sum + counts.traces, 0);
  console.log(
    `ClickHouse 18.16 (zstd), ${DAYS} days × ${TRACES_PER_DAY.toLocaleString('en')} traces (${spansWritten.toLocaleString('en')} spans), --retention 6h, --retention-kept 31d, default policy:\n`,
  );
  console.log('| measure | value |');
  console.log('|---|---|');
  console.log(`| kept tier after ${DAYS} days (kept spans, index, aggregates) | ${kept.toLocaleString('en')} bytes |`);
  console.log(
    `| keeping everything (each day's full partitions before its drop) | ${everything.toLocaleString('en')} bytes |`,
  );
  console.log(`| ratio kept / everything | ${(kept / everything).toFixed(4)} (1/${(everything / kept).toFixed(1)}) |`);
  console.log(
    `| traces kept / decided | ${keptTraces.toLocaleString('en')} / ${(keptTraces + stats.dropped.traces).toLocaleString('en')} |`,
  );
  const byTable = await http.query<{ table: string; bytes: string; parts: string; rows: string }>(
    `SELECT table, sum(bytes_on_disk) AS bytes, count() AS parts, sum(rows) AS rows FROM system.parts
     WHERE active AND database = '${database}' AND table IN (${[...KEPT_DAY_TABLES, 'kept_days'].map((table) => `'${table}'`).join(', ')})
     GROUP BY table ORDER BY bytes DESC`,
  );
  console.log(
    `| traces kept by policy | ${Object.entries(stats.kept)
      .map(([policy, counts]) => `${policy} ${counts.traces.toLocaleString('en')}`)
      .join(', ')} |`,
  );
  const tableCell = (row: (typeof byTable)[number]) =>
    `${row.table} ${Number(row.bytes).toLocaleString('en')} (${row.rows} rows, ${row.parts} parts)`;
  console.log(`| kept tier by table, bytes | ${byTable.map(tableCell).join('; ')} |`);
  console.log(`| error traces openable, whole | ${errorKept} of ${errorTraces} |`);
  console.log(
    `| traces with the root slower than its operation's p99 of the hour, openable | ${slowKept} of ${slowTraces} |`,
  );
  console.log(
    `| (service, operation, status, minute) cells with ≥ ${DEFAULT_RETENTION_POLICY.exemplarsPerMinute} kept trace | ${cellsCovered} of ${traceTruth.cells.size} |`,
  );
  console.log(`| RED metrics (per operation and day, p50/p99) equal to every span's | ${redEqual ? 'yes' : 'NO'} |`);
  console.log(`| dependencies equal to every span's | ${dependenciesEqual ? 'yes' : 'NO'} |`);
} finally {
  await store.close();
  await server.stop();
}

function bigints(_key: string, value: unknown): unknown {
  return typeof value === 'bigint'
    ? value.toString()
    : typeof value === 'number' && Number.isNaN(value)
      ? 'NaN'
      : value;
}
