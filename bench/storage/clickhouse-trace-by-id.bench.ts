// Where ClickHouse's trace-by-id time goes (issue 15): loads N spans of the
// standard workload (default 2,000,000; CLICKHOUSE_TRACE_BY_ID_SPANS) into one
// local clickhouse-server through the store, merges each day into one part
// (OPTIMIZE … FINAL), then times, one after another over the same traces (every 997th written, up to 150):
// the store's getTrace, the same query with max_threads = 1, the trace index
// lookup alone, the spans alone with the trace's bounds already known (every
// column, then span_id only), and SELECT 1 (the HTTP round trip). Prints a
// Markdown table of p50 and p99.
//   npm run bench storage/clickhouse-trace-by-id
import type { Span } from '@ariadne/protocol';
import { ClickHouseHttp } from '../../packages/server/src/storage/clickhouse/clickhouse-http.js';
import { openClickHouseStore } from '../../packages/server/src/storage/clickhouse/clickhouse-store.js';
import { SPAN_CONTENT_HASH, SPAN_ROW_COLUMNS } from '../../packages/server/src/storage/clickhouse/span-row.js';
import { traceIdHalves } from '../../packages/server/src/storage/clickhouse/sql-literal.js';
import { startClickHouseServer } from '../../packages/server/src/storage/clickhouse/testing/clickhouse-test-server.js';
import { StandardWorkload } from '../workload/standard-workload.js';

const SPANS = Number(process.env.CLICKHOUSE_TRACE_BY_ID_SPANS ?? 2_000_000);
const SAMPLED = 150;
const database = 'ariadne_bench_trace_by_id';

const server = await startClickHouseServer();
try {
  const store = await openClickHouseStore({ url: server.url, database });
  const workload = new StandardWorkload({ seed: 1 });
  const traceIds: string[] = [];
  let written = 0;
  let traces = 0;
  while (written < SPANS) {
    const chunk: Span[] = [];
    while (chunk.length < 16_000) {
      const trace = workload.nextTrace();
      if (traces++ % 997 === 0) traceIds.push(trace[0]!.traceId);
      chunk.push(...trace);
    }
    // 16 writes of 1,000 spans in flight, as the storage benchmark's STORAGE_BENCH_WRITERS=16.
    await Promise.all(Array.from({ length: 16 }, (_, i) => store.writeSpans(chunk.slice(i * 1000, (i + 1) * 1000))));
    written += chunk.length;
  }
  const http = new ClickHouseHttp({ url: server.url });
  await http.command(`OPTIMIZE TABLE ${database}.spans FINAL`);
  const match = (id: string) => {
    const [hi, lo] = traceIdHalves(id);
    return `trace_hi = ${hi} AND trace_lo = ${lo}`;
  };
  const bounds = (id: string) => `FROM ${database}.trace_index WHERE ${match(id)}`;
  // The query getTrace sends (clickhouse-store.ts), for the variants.
  const spansQuery = (id: string, columns: string) =>
    `SELECT ${columns} FROM ${database}.spans PREWHERE ${match(id)}
     WHERE start_ns >= (SELECT min(min_start_ns) ${bounds(id)}) AND start_ns <= (SELECT max(max_start_ns) ${bounds(id)})
     LIMIT 1 BY span_id, ${SPAN_CONTENT_HASH}`;
  const sample = traceIds.slice(0, SAMPLED);
  /** p50 and p99 of `measure` over the sample: it returns the milliseconds that count. */
  const timeOf = async (measure: (id: string) => Promise<number>) => {
    const ms: number[] = [];
    for (const id of sample) ms.push(await measure(id));
    ms.sort((a, b) => a - b);
    const at = (q: number) => ms[Math.min(ms.length - 1, Math.ceil(q * ms.length) - 1)]!.toFixed(1);
    return `${at(0.5)} ms | ${at(0.99)} ms`;
  };
  const time = (run: (id: string) => Promise<unknown>) =>
    timeOf(async (id) => {
      const started = performance.now();
      await run(id);
      return performance.now() - started;
    });
  await time((id) => store.getTrace(id)); // warm-up: the first reads load marks and primary keys
  // The spans alone, the trace's start bounds already known (no subqueries, no dedupe): all columns, then one.
  const spansWithin = async (id: string, columns: string) => {
    const [range] = await http.query<{ first: string; last: string }>(
      `SELECT min(min_start_ns) AS first, max(max_start_ns) AS last ${bounds(id)}`,
    );
    const started = performance.now();
    await http.queryBinary(
      `SELECT ${columns} FROM ${database}.spans PREWHERE ${match(id)}
       WHERE start_ns >= ${range!.first} AND start_ns <= ${range!.last}`,
    );
    return performance.now() - started;
  };
  const rows: [string, string][] = [
    ["the store's `getTrace`", await time((id) => store.getTrace(id))],
    [
      'its query with `max_threads = 1`',
      await time((id) => http.queryBinary(spansQuery(id, SPAN_ROW_COLUMNS.join(', ')), { max_threads: 1 })),
    ],
    [
      'the trace index lookup alone',
      await time((id) => http.query(`SELECT min(min_start_ns), max(max_start_ns) ${bounds(id)}`)),
    ],
    ['the spans, bounds known, every column', await timeOf((id) => spansWithin(id, SPAN_ROW_COLUMNS.join(', ')))],
    ['the spans, bounds known, `span_id` only', await timeOf((id) => spansWithin(id, 'span_id'))],
    ['`SELECT 1` (the HTTP round trip)', await time(() => http.query('SELECT 1'))],
  ];
  console.log(
    `${written.toLocaleString('en')} spans, one part per day; ${sample.length} traces, each read once by each row below\n`,
  );
  console.log('| trace by id, as | p50 | p99 |');
  console.log('|---|---:|---:|');
  for (const [label, cell] of rows) console.log(`| ${label} | ${cell} |`);
  await store.close();
} finally {
  await server.stop();
}
