// The storage benchmark: loads N spans of the standard workload (default 1
// million; STORAGE_BENCH_SPANS or the first argument changes it, e.g. 10000000
// for the figures in BENCHMARKS.md) into each store, then measures ingest,
// size on disk and queries.
//   node --conditions=ariadne-source --import tsx bench/storage/storage.bench.ts [spans] [--stores=embedded,clickhouse]
//   STORAGE_BENCH_SPANS=10000000 npm run bench storage/storage
// Prints a Markdown table (and the raw figures as JSON). ClickHouse runs when
// its store and test harness exist and `clickhouse-server` is installed; its
// server's own CPU (merges included) is read from /proc during ingest.
import { existsSync } from 'node:fs';
import { mkdtemp, readdir, rm, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { anyValueToString, type Span, SpanKind } from '@ariadne/protocol';
import {
  type DependencyReader,
  hasDependencies,
  hasRedMetrics,
  type RedMetricsReader,
  type SpanStore,
  type TimeRange,
  type TraceQuery,
} from '../../packages/server/src/storage/span-store.js';
import { StandardWorkload, WORKLOAD_SERVICES } from '../workload/standard-workload.js';
import { processCpuSeconds } from './process-cpu.js';

type Store = SpanStore & DependencyReader & RedMetricsReader;

interface Contender {
  readonly name: string;
  open(): Promise<Store>;
  bytesOnDisk(): Promise<number>;
  /** CPU seconds used so far by a server the store talks to (ClickHouse), when there is one. */
  serverCpuSeconds?(): number | undefined;
  dispose(): Promise<void>;
}

const args = process.argv.slice(2);
const spanCount = Number(args.find((arg) => /^\d+$/.test(arg)) ?? process.env.STORAGE_BENCH_SPANS ?? 1_000_000);
const storeNames = (args.find((arg) => arg.startsWith('--stores='))?.slice('--stores='.length) ?? 'embedded,clickhouse')
  .split(',')
  .filter(Boolean);
const BATCH = 1_000;
/**
 * Concurrent writers (STORAGE_BENCH_WRITERS, default 4). A collector has many requests in flight
 * (up to --max-in-flight-spans); ClickHouse's group commit makes one insert of all the writes that
 * wait, so more writers mean larger inserts, and ClickHouse's CPU per span falls with the insert size.
 */
const WRITERS = Number(process.env.STORAGE_BENCH_WRITERS ?? 4);
/** Generated between timed ingest phases, so the generator's cost is not counted. */
const CHUNK = 200_000;
const HOUR = 3_600_000_000_000n;

async function embedded(): Promise<Contender> {
  const { openEmbeddedStore } = await import('../../packages/server/src/storage/embedded/embedded-store.js');
  const dataDir = await mkdtemp(join(tmpdir(), 'ariadne-bench-'));
  return {
    name: 'embedded',
    open: () => openEmbeddedStore({ dataDir }),
    bytesOnDisk: () => folderBytes(dataDir),
    dispose: () => rm(dataDir, { recursive: true, force: true }),
  };
}

async function clickhouse(): Promise<Contender | undefined> {
  const storeModule = '../../packages/server/src/storage/clickhouse/clickhouse-store.ts';
  const harnessModule = '../../packages/server/src/storage/clickhouse/testing/clickhouse-test-server.ts';
  if (!existsSync(new URL(storeModule, import.meta.url)) || !existsSync(new URL(harnessModule, import.meta.url))) {
    console.error('clickhouse: store or harness not there yet, skipped');
    return undefined;
  }
  const harness = (await import(harnessModule)) as {
    CLICKHOUSE_SERVER_BINARY: string;
    startClickHouseServer(): Promise<{ url: string; pid?: number; stop(): Promise<void> }>;
  };
  if (!existsSync(harness.CLICKHOUSE_SERVER_BINARY)) {
    console.error(`clickhouse: no server binary at ${harness.CLICKHOUSE_SERVER_BINARY}, skipped`);
    return undefined;
  }
  const { openClickHouseStore } = (await import(storeModule)) as {
    openClickHouseStore(options: { url: string; database: string }): Promise<Store>;
  };
  const server = await harness.startClickHouseServer();
  const database = 'ariadne_bench';
  return {
    name: 'clickhouse (1 node)',
    open: () => openClickHouseStore({ url: server.url, database }),
    bytesOnDisk: async () => {
      const query = `SELECT sum(bytes_on_disk) FROM system.parts WHERE active AND database = '${database}'`;
      const response = await fetch(`${server.url}/?query=${encodeURIComponent(query)}`);
      return Number((await response.text()).trim());
    },
    serverCpuSeconds: () => processCpuSeconds(server.pid),
    dispose: () => server.stop(),
  };
}

interface Samples {
  traceIds: string[];
  attributeValues: string[];
  lastHour: TimeRange;
}

/** Loads the workload; returns spans per second of ingest (generation excluded) and query samples. */
async function load(store: Store): Promise<{ ingestSpansPerSecond: number; cpuMicros: number; samples: Samples }> {
  const workload = new StandardWorkload({ seed: 1 });
  const traceIds: string[] = [];
  const attributeValues: string[] = [];
  let maxStart = 0n;
  let written = 0;
  let traces = 0;
  let ingestMs = 0;
  let cpuMicros = 0;
  while (written < spanCount) {
    const chunk: Span[] = [];
    while (chunk.length < Math.min(CHUNK, spanCount - written)) {
      const trace = workload.nextTrace();
      if (traces++ % 997 === 0) traceIds.push(trace[0]!.traceId);
      for (const span of trace) chunk.push(span);
    }
    const last = chunk.at(-1)!;
    if (last.startTimeUnixNano > maxStart) maxStart = last.startTimeUnixNano;
    attributeValues.push(anyValueToString(last.attributes[3]!.value));
    const started = performance.now();
    const cpuStarted = process.cpuUsage();
    let next = 0;
    await Promise.all(
      Array.from({ length: WRITERS }, async () => {
        while (next < chunk.length) {
          const batch = chunk.slice(next, next + BATCH);
          next += BATCH;
          await store.writeSpans(batch);
        }
      }),
    );
    ingestMs += performance.now() - started;
    const cpu = process.cpuUsage(cpuStarted);
    cpuMicros += cpu.user + cpu.system;
    written += chunk.length;
  }
  return {
    ingestSpansPerSecond: Math.round(written / (ingestMs / 1000)),
    cpuMicros,
    samples: {
      traceIds,
      attributeValues: attributeValues.slice(-20),
      lastHour: { startNanos: maxStart + 2_000_000_000n - HOUR, endNanos: maxStart + 2_000_000_000n },
    },
  };
}

type Percentiles = Record<string, number>;

async function measure<T>(
  inputs: readonly T[],
  run: (input: T) => Promise<unknown>,
  quantiles: number[],
): Promise<Percentiles> {
  const times: number[] = [];
  for (const input of inputs) {
    const started = performance.now();
    await run(input);
    times.push(performance.now() - started);
  }
  times.sort((a, b) => a - b);
  const at = (q: number) => Math.round(times[Math.min(times.length - 1, Math.ceil(q * times.length) - 1)]! * 10) / 10;
  return Object.fromEntries(quantiles.map((q) => [`p${Math.round(q * 100)}`, at(q)]));
}

async function run(contender: Contender): Promise<Record<string, unknown>> {
  let store = await contender.open();
  const serverCpuBefore = contender.serverCpuSeconds?.();
  const { ingestSpansPerSecond, cpuMicros, samples } = await load(store);
  const closeStarted = performance.now();
  const closeCpuStarted = process.cpuUsage();
  await store.close();
  const closeCpu = process.cpuUsage(closeCpuStarted);
  const serverCpuAfter = contender.serverCpuSeconds?.();
  const serverMicrosPerSpan =
    serverCpuBefore === undefined || serverCpuAfter === undefined
      ? undefined
      : Math.round(((serverCpuAfter - serverCpuBefore) * 1e6) / spanCount);
  // CPU time of this process (every thread): a figure the load of a shared machine moves less than wall time.
  // For ClickHouse it leaves out the server's own work.
  const spansPerCpuSecond = Math.round(spanCount / ((cpuMicros + closeCpu.user + closeCpu.system) / 1e6));
  const closeMs = Math.round(performance.now() - closeStarted);
  // Sustained: until everything written is in its final form (blocks, segments), not only acknowledged.
  const sustainedSpansPerSecond = Math.round(spanCount / (spanCount / ingestSpansPerSecond + closeMs / 1000));
  const bytes = await contender.bytesOnDisk();
  const openStarted = performance.now();
  store = await contender.open();
  const reopenMs = Math.round(performance.now() - openStarted);
  const timeRange = samples.lastHour;
  const byService = (limit: number) =>
    measure(
      [...WORKLOAD_SERVICES, ...WORKLOAD_SERVICES],
      (service) => store.findTraces({ service, timeRange, limit }),
      [0.5, 0.95],
    );
  const result: Record<string, unknown> = {
    store: contender.name,
    spans: spanCount,
    ingestSpansPerSecond,
    sustainedSpansPerSecond,
    spansPerCpuSecond,
    serverMicrosPerSpan,
    bytesPerSpan: Math.round((bytes / spanCount) * 10) / 10,
    closeMs,
    reopenMs,
    traceById: await measure(samples.traceIds.slice(0, 200), (id) => store.getTrace(id), [0.5, 0.99]),
    searchByService: await byService(20),
    searchByAttribute: await measure(
      samples.attributeValues,
      (value) =>
        store.findTraces({
          attributes: [{ key: 'app.attribute_3', scope: 'span', operator: '=', value }],
          timeRange,
          limit: 20,
        } satisfies TraceQuery),
      [0.5, 0.95],
    ),
    searchByMinDuration: await measure(
      [800_000_000n, 850_000_000n, 880_000_000n, 890_000_000n, 895_000_000n],
      (minDurationNanos) => store.findTraces({ minDurationNanos, timeRange, limit: 20 }),
      [0.5, 0.95],
    ),
    servicesAndOperations: await measure(
      WORKLOAD_SERVICES,
      async (service) => {
        await store.getServices();
        await store.getOperations({ service });
      },
      [0.5, 0.95],
    ),
    redOneHour: await measure(
      [0, 1, 2],
      async () =>
        hasRedMetrics(store) &&
        store.getRedMetrics({
          services: WORKLOAD_SERVICES,
          groupByOperation: false,
          spanKinds: [SpanKind.Server],
          timeRange,
          stepNanos: 60_000_000_000n,
          quantiles: [0.5, 0.95, 0.99],
        }),
      [0.5, 0.95],
    ),
    redOneHourByOperation: await measure(
      [0, 1, 2],
      async () =>
        hasRedMetrics(store) &&
        store.getRedMetrics({
          services: WORKLOAD_SERVICES,
          groupByOperation: true,
          spanKinds: [],
          timeRange,
          stepNanos: 60_000_000_000n,
          quantiles: [0.5, 0.95, 0.99],
        }),
      [0.5, 0.95],
    ),
    dependenciesOneHour: await measure(
      [0, 1, 2],
      async () => hasDependencies(store) && store.getDependencies(timeRange),
      [0.5, 0.95],
    ),
  };
  await store.close();
  return result;
}

async function folderBytes(dir: string): Promise<number> {
  let bytes = 0;
  for (const entry of await readdir(dir, { withFileTypes: true })) {
    const path = join(dir, entry.name);
    bytes += entry.isDirectory() ? await folderBytes(path) : (await stat(path)).size;
  }
  return bytes;
}

const results: Record<string, unknown>[] = [];
for (const name of storeNames) {
  const contender = name === 'embedded' ? await embedded() : name === 'clickhouse' ? await clickhouse() : undefined;
  if (contender === undefined) continue;
  try {
    results.push(await run(contender));
  } finally {
    await contender.dispose();
  }
}

console.log(JSON.stringify(results, null, 2));
const rows: [string, (result: Record<string, unknown>) => string][] = [
  ['ingest, acknowledged (spans/s)', (r) => String(r.ingestSpansPerSecond)],
  ['ingest, sustained incl. final flush (spans/s)', (r) => String(r.sustainedSpansPerSecond)],
  ['ingest, spans per CPU-second of this process', (r) => String(r.spansPerCpuSecond)],
  ['ingest, server CPU per span, merges included (µs)', (r) => String(r.serverMicrosPerSpan ?? 'n/a')],
  ['bytes per span on disk', (r) => String(r.bytesPerSpan)],
  ['trace by id p50 / p99 (ms)', (r) => pair(r.traceById, 'p50', 'p99')],
  ['search by service, 1 h, limit 20, p50 / p95 (ms)', (r) => pair(r.searchByService, 'p50', 'p95')],
  ['search by attribute value, 1 h, p50 / p95 (ms)', (r) => pair(r.searchByAttribute, 'p50', 'p95')],
  ['search by min duration, 1 h, p50 / p95 (ms)', (r) => pair(r.searchByMinDuration, 'p50', 'p95')],
  ['services + operations p50 / p95 (ms)', (r) => pair(r.servicesAndOperations, 'p50', 'p95')],
  ['RED 1 h per service p50 / p95 (ms)', (r) => pair(r.redOneHour, 'p50', 'p95')],
  ['RED 1 h per operation p50 / p95 (ms)', (r) => pair(r.redOneHourByOperation, 'p50', 'p95')],
  ['dependencies 1 h p50 / p95 (ms)', (r) => pair(r.dependenciesOneHour, 'p50', 'p95')],
  ['close (ms) / reopen (ms)', (r) => `${r.closeMs} / ${r.reopenMs}`],
];
console.log(
  `\n${spanCount.toLocaleString('en')} spans of the standard workload, ${WRITERS} writers of ${BATCH.toLocaleString('en')}-span batches\n`,
);
console.log(`| | ${results.map((r) => r.store).join(' | ')} |`);
console.log(`| --- |${results.map(() => ' --- |').join('')}`);
for (const [label, cell] of rows) console.log(`| ${label} | ${results.map(cell).join(' | ')} |`);

function pair(value: unknown, a: string, b: string): string {
  const record = value as Percentiles;
  return `${record[a]} / ${record[b]}`;
}
