// The spans table layouts tried for issue 15 (ClickHouse bytes per span and
// trace by id), measured side by side on the same rows: N spans of the
// standard workload (default 300,000; CLICKHOUSE_LAYOUT_SPANS changes it) are
// written once, through the store's encoder, into a table of version 2's
// layout; ClickHouse then copies them into a table of each layout (INSERT …
// SELECT: the copy rate is ClickHouse's own cost of writing that layout,
// without our client), merges each into one part (OPTIMIZE FINAL) and
// answers getTrace's query for 40 traces on each.
//   npm run bench storage/clickhouse-layouts
// A local clickhouse-server (Debian's 18.16.1 here) is started for the run.
import { performance } from 'node:perf_hooks';
import { ClickHouseHttp } from '../../packages/server/src/storage/clickhouse/clickhouse-http.js';
import { LOW_CARDINALITY_SETTINGS, schemaV2 } from '../../packages/server/src/storage/clickhouse/clickhouse-schema.js';
import { SPAN_ROW_COLUMNS, SpanRowEncoder } from '../../packages/server/src/storage/clickhouse/span-row.js';
import { startClickHouseServer } from '../../packages/server/src/storage/clickhouse/testing/clickhouse-test-server.js';
import { StandardWorkload } from '../workload/standard-workload.js';
import { processCpuSeconds } from './process-cpu.js';

const spanCount = Number(process.env.CLICKHOUSE_LAYOUT_SPANS ?? 300_000);
const DAY = 'toDate(toUInt16(intDiv(start_ns, 86400000000000)))';
const MINUTE = 'intDiv(start_ns, 60000000000)';
const LC = 'LowCardinality(String)';
const plain = 'Nested(key String, value String, type UInt8, number Float64)';
const lcKeys = `Nested(key ${LC}, value String, type UInt8, number Float64)`;
const lcBoth = `Nested(key ${LC}, value ${LC}, type UInt8, number Float64)`;

function columns(strings: string, attributes: string): string {
  return `trace_hi UInt64, trace_lo UInt64, span_id UInt64, parent_span_id UInt64,
    service ${strings}, name ${strings}, kind UInt8, start_ns UInt64, duration_ns UInt64, status_code UInt8,
    status_message ${strings}, trace_state String, flags UInt32, parent_service ${strings},
    attr ${attributes}, resource ${attributes}, event ${plain}, scope_name ${strings}, scope_version ${strings}, extra String`;
}

const byService = '(service, start_ns)';
const byTrace = `(${MINUTE}, trace_hi, trace_lo)`;
const LAYOUTS: { name: string; columns: string; order: string; granule: number }[] = [
  { name: 'version 2: plain strings', columns: columns('String', plain), order: byService, granule: 1024 },
  { name: 'plain strings', columns: columns('String', plain), order: byService, granule: 8192 },
  { name: 'plain strings', columns: columns('String', plain), order: `(service, name, start_ns)`, granule: 1024 },
  { name: 'LowCardinality names and keys', columns: columns(LC, lcKeys), order: byService, granule: 1024 },
  { name: 'LowCardinality names, keys, values', columns: columns(LC, lcBoth), order: byService, granule: 1024 },
  { name: 'LowCardinality names, keys, values', columns: columns(LC, lcBoth), order: byService, granule: 8192 },
  { name: 'plain strings', columns: columns('String', plain), order: byTrace, granule: 8192 },
  { name: 'LowCardinality names and keys', columns: columns(LC, lcKeys), order: byTrace, granule: 8192 },
  { name: 'LowCardinality names, keys, values', columns: columns(LC, lcBoth), order: byTrace, granule: 1024 },
  {
    name: 'version 3: LowCardinality names, keys, values',
    columns: columns(LC, lcBoth),
    order: byTrace,
    granule: 8192,
  },
];

const spans = new StandardWorkload({ seed: 1 }).spans(spanCount);
const server = await startClickHouseServer();
try {
  const http = new ClickHouseHttp({ url: server.url, settings: LOW_CARDINALITY_SETTINGS });
  await http.command('CREATE DATABASE source');
  for (const statement of schemaV2({ database: 'source' })) await http.command(statement.replace('ON_CLUSTER', ''));
  const encoder = new SpanRowEncoder();
  const written = performance.now();
  for (let i = 0; i < spans.length; i += 5_000) {
    await http.insert('source.spans', SPAN_ROW_COLUMNS, encoder.encode(spans.slice(i, i + 5_000)));
  }
  const writeSeconds = (performance.now() - written) / 1000;
  const traceIds = await http.query<{ trace_hi: string; trace_lo: string }>(
    'SELECT trace_hi, trace_lo FROM source.trace_index ORDER BY cityHash64(trace_hi) LIMIT 40',
  );

  const rows: string[] = [];
  for (const [i, layout] of LAYOUTS.entries()) {
    const table = `source.layout_${i}`;
    await http.command(
      `CREATE TABLE ${table} (${layout.columns}) ENGINE = MergeTree PARTITION BY ${DAY} ORDER BY ${layout.order}
       SETTINGS index_granularity = ${layout.granule}`,
    );
    const cpuBefore = processCpuSeconds(server.pid);
    const copyStarted = performance.now();
    await http.command(`INSERT INTO ${table} SELECT * FROM source.spans`);
    const copySeconds = (performance.now() - copyStarted) / 1000;
    const cpuAfter = processCpuSeconds(server.pid);
    await http.command(`OPTIMIZE TABLE ${table} FINAL`);
    const [size] = await http.query<{ bytes: string; rows: string }>(
      `SELECT sum(bytes_on_disk) AS bytes, sum(rows) AS rows FROM system.parts
       WHERE active AND database = 'source' AND table = 'layout_${i}'`,
    );
    const times: number[] = [];
    for (const { trace_hi: hi, trace_lo: lo } of traceIds) {
      const match = `trace_hi = ${hi} AND trace_lo = ${lo}`;
      const index = `FROM source.trace_index WHERE ${match}`;
      const started = performance.now();
      await http.queryBinary(
        `SELECT ${SPAN_ROW_COLUMNS.join(', ')} FROM ${table} PREWHERE ${match}
         WHERE start_ns >= (SELECT min(min_start_ns) ${index}) AND start_ns <= (SELECT max(max_start_ns) ${index})`,
      );
      times.push(performance.now() - started);
    }
    times.sort((a, b) => a - b);
    const at = (q: number) => times[Math.min(times.length - 1, Math.ceil(q * times.length) - 1)]!.toFixed(1);
    const cpu =
      cpuBefore === undefined || cpuAfter === undefined
        ? 'n/a'
        : (((cpuAfter - cpuBefore) * 1e6) / Number(size!.rows)).toFixed(1);
    rows.push(
      `| ${layout.name} | ${layout.order.replace(MINUTE, 'minute')} | ${layout.granule} | ${(
        Number(size!.bytes) / Number(size!.rows)
      ).toFixed(1)} | ${Math.round(Number(size!.rows) / copySeconds)} | ${cpu} | ${at(0.5)} / ${at(0.9)} / ${at(1)} |`,
    );
    await http.command(`DROP TABLE ${table}`);
  }
  console.log(
    `${spans.length.toLocaleString('en')} spans of the standard workload (seed 1), written in ${writeSeconds.toFixed(1)} s ` +
      `through the store's encoder into version 2's table, then copied by ClickHouse into each layout and merged ` +
      `into one part (server compression zstd). getTrace: version 3's query, 40 traces, ms.\n`,
  );
  console.log(
    '| layout | sort key | granule (rows) | bytes per span | copy (spans/s) | ClickHouse CPU per span in the copy (µs) | getTrace p50 / p90 / max |',
  );
  console.log('|---|---|---:|---:|---:|---:|---:|');
  for (const row of rows) console.log(row);
} finally {
  await server.stop();
}
