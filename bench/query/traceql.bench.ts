// TraceQL search latency on the standard workload, spread over one hour:
//   node --conditions=ariadne-source --import tsx bench/query/traceql.bench.ts [spans=10000000] [runs=20] [stores=embedded,clickhouse]
// (or `npm run bench query`). Writes the workload into an embedded store,
// reopens it (so the data sits in block files, as after a restart), then runs
// TraceQL searches of one, three and five conditions and a structural one the
// way Grafana asks (limit 20, 3 spans per spanset, the whole hour) and prints
// p50/p95 per query as Markdown. Then the same on the ClickHouse store (a
// local clickhouse-server started for the run) when the binary is installed.
import { existsSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import type { Span } from '@ariadne/protocol';
import { searchTraceQL } from '../../packages/server/src/query/traceql/search.js';
import { openClickHouseStore } from '../../packages/server/src/storage/clickhouse/clickhouse-store.js';
import {
  CLICKHOUSE_SERVER_BINARY,
  startClickHouseServer,
} from '../../packages/server/src/storage/clickhouse/testing/clickhouse-test-server.js';
import { openEmbeddedStore } from '../../packages/server/src/storage/embedded/embedded-store.js';
import type { SpanStore } from '../../packages/server/src/storage/span-store.js';
import { StandardWorkload } from '../workload/standard-workload.js';

const spanCount = Number(process.argv[2] ?? 10_000_000);
const runs = Number(process.argv[3] ?? 20);
const stores = (process.argv[4] ?? 'embedded,clickhouse').split(',');
const HOUR = 3_600_000_000_000n;
const START = 1_767_225_600_000_000_000n;
const MEAN_SPANS_PER_TRACE = 20n;

export const QUERIES: readonly { readonly label: string; readonly query: string }[] = [
  { label: '1 condition', query: '{ resource.service.name = "checkout" }' },
  {
    label: '3 conditions',
    query: '{ resource.service.name = "checkout" && span.http.response.status_code = 404 && duration > 10ms }',
  },
  {
    label: '5 conditions',
    query:
      '{ resource.service.name = "frontend" && kind = server && span.http.request.method = "GET" && span.http.response.status_code = 200 && duration > 100ms }',
  },
  { label: '1 condition, rare (errors)', query: '{ status = error }' },
  { label: 'structural', query: '{ resource.service.name = "frontend" } >> { status = error }' },
  // The worst case for a search: nothing matches, so the whole hour is scanned.
  {
    label: '2 conditions, no match',
    query: '{ resource.service.name = "checkout" && span.http.response.status_code = 418 }',
  },
];

async function fill(store: SpanStore): Promise<number> {
  const traces = BigInt(spanCount) / MEAN_SPANS_PER_TRACE;
  const workload = new StandardWorkload({ seed: 1, startTimeUnixNano: START, traceIntervalNanos: HOUR / traces });
  let written = 0;
  const writers = 4;
  const batchSpans = 2_000;
  await Promise.all(
    Array.from({ length: writers }, async () => {
      while (written < spanCount) {
        const batch: Span[] = [];
        while (batch.length < batchSpans && written + batch.length < spanCount) batch.push(...workload.nextTrace());
        written += batch.length;
        await store.writeSpans(batch);
      }
    }),
  );
  return written;
}

function percentile(sorted: readonly number[], p: number): number {
  return sorted[Math.min(sorted.length - 1, Math.ceil(p * sorted.length) - 1)]!;
}

class SkipStore extends Error {}

async function measure(store: SpanStore): Promise<void> {
  const timeRange = { startNanos: START, endNanos: START + HOUR };
  console.log('| query | traces found | traces inspected | p50 ms | p95 ms |');
  console.log('|---|---:|---:|---:|---:|');
  for (const { label, query } of QUERIES) {
    const options = { timeRange, limit: 20, spansPerSpanSet: 3 };
    const warm = await searchTraceQL(store, query, options);
    const times: number[] = [];
    for (let i = 0; i < runs; i++) {
      const start = performance.now();
      await searchTraceQL(store, query, options);
      times.push(performance.now() - start);
    }
    times.sort((a, b) => a - b);
    console.log(
      `| ${label}: \`${query}\` | ${warm.traces.length} | ${warm.inspectedTraces} | ${percentile(times, 0.5).toFixed(1)} | ${percentile(times, 0.95).toFixed(1)} |`,
    );
  }
}

const header = (store: string, written: number, seconds: number) =>
  `\n### ${store}\n\n${written.toLocaleString('en')} spans over one hour (standard workload, seed 1), written in ${seconds.toFixed(0)} s; ${runs} runs per query after one warm-up; limit 20, spss 3, the whole hour.\n`;

const dataDir = await mkdtemp(join(tmpdir(), 'ariadne-traceql-bench-'));
try {
  if (!stores.includes('embedded')) throw new SkipStore();
  let store = await openEmbeddedStore({ dataDir });
  const ingestStart = performance.now();
  const written = await fill(store);
  const ingestSeconds = (performance.now() - ingestStart) / 1000;
  await store.close();
  // Reopened, so the data sits in block files as after a restart.
  store = await openEmbeddedStore({ dataDir });
  console.log(header('embedded store (reopened)', written, ingestSeconds));
  await measure(store);
  await store.close();
} catch (error) {
  if (!(error instanceof SkipStore)) throw error;
} finally {
  await rm(dataDir, { recursive: true, force: true });
}

if (!stores.includes('clickhouse')) {
  // not asked for
} else if (!existsSync(CLICKHOUSE_SERVER_BINARY)) {
  console.log(`\n(ClickHouse store skipped: no clickhouse-server at ${CLICKHOUSE_SERVER_BINARY})`);
} else {
  const server = await startClickHouseServer();
  try {
    const store = await openClickHouseStore({ url: server.url, database: 'traceql_bench' });
    const ingestStart = performance.now();
    const written = await fill(store);
    const ingestSeconds = (performance.now() - ingestStart) / 1000;
    console.log(header('ClickHouse store (one local server)', written, ingestSeconds));
    await measure(store);
    await store.close();
  } finally {
    await server.stop();
  }
}
