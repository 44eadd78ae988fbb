// ClickHouse store benchmark beside the embedded store, on the standard workload,
// in one run (the machine's load hits both alike, so the ratios mean something):
//   node --conditions=ariadne-source --import tsx packages/server/src/storage/clickhouse/clickhouse-store.bench.ts [spans]
// Starts its own clickhouse-server (testing harness). Prints Markdown: ingest rate
// with 4 concurrent writers of 1,000-span batches, and p50/p95 latencies of trace
// by id, search by service and search by attribute.
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { anyValueToString, type Span } from '@ariadne/protocol';
import { openEmbeddedStore } from '../embedded/embedded-store.js';
import type { SpanStore, TraceQuery } from '../span-store.js';
import { openClickHouseStore } from './clickhouse-store.js';
import { startClickHouseServer } from './testing/clickhouse-test-server.js';

// The workload lives in bench/ (outside this package's sources), hence a computed import.
const workloadUrl = new URL('../../../../../bench/workload/standard-workload.ts', import.meta.url).href;
const { StandardWorkload } = (await import(workloadUrl)) as {
  StandardWorkload: new (options?: { seed?: number }) => { spans(count: number): Span[] };
};

const spanCount = Number(process.argv[2] ?? 50_000);
const batchSize = 1_000;
const writers = 4;
const spans = new StandardWorkload({ seed: 1 }).spans(spanCount);
const traceIds = [...new Set(spans.map((span) => span.traceId))];
const timeRange = { startNanos: 0n, endNanos: 2n ** 62n };

interface Figures {
  ingestSpansPerSecond: number;
  traceById: Quantiles;
  searchByService: Quantiles;
  searchByAttribute: Quantiles;
}
type Quantiles = { p50: number; p95: number };

async function run(store: SpanStore): Promise<Figures> {
  const ingestStart = performance.now();
  let next = 0;
  await Promise.all(
    Array.from({ length: writers }, async () => {
      while (next < spans.length) {
        const batch = spans.slice(next, next + batchSize);
        next += batchSize;
        await store.writeSpans(batch);
      }
    }),
  );
  const ingestMs = performance.now() - ingestStart;
  const sample = Array.from({ length: 100 }, (_, i) => traceIds[(i * 7919) % traceIds.length]!);
  const traceById = await measure(sample, (id) => store.getTrace(id));
  const services = await store.getServices();
  const searchByService = await measure([...services, ...services], (service) =>
    store.findTraces({ service, timeRange, limit: 20 }),
  );
  const attributeQueries: TraceQuery[] = spans
    .filter((span) => span.attributes.length > 0)
    .slice(0, 20)
    .map((span) => span.attributes[0]!)
    .map((attribute) => ({
      attributes: [{ key: attribute.key, scope: 'span', operator: '=', value: anyValueToString(attribute.value) }],
      timeRange,
      limit: 20,
    }));
  const searchByAttribute = await measure(attributeQueries, (query) => store.findTraces(query));
  await store.close();
  return {
    ingestSpansPerSecond: Math.round(spans.length / (ingestMs / 1000)),
    traceById,
    searchByService,
    searchByAttribute,
  };
}

async function measure<T>(inputs: T[], action: (input: T) => Promise<unknown>): Promise<Quantiles> {
  const times: number[] = [];
  for (const input of inputs) {
    const start = performance.now();
    await action(input);
    times.push(performance.now() - start);
  }
  times.sort((a, b) => a - b);
  const at = (q: number) => Math.round(times[Math.min(times.length - 1, Math.floor(q * times.length))]! * 10) / 10;
  return { p50: at(0.5), p95: at(0.95) };
}

const server = await startClickHouseServer();
const dataDir = await mkdtemp(join(tmpdir(), 'ariadne-bench-'));
try {
  const clickhouse = await run(await openClickHouseStore({ url: server.url, database: 'bench' }));
  const embedded = await run(await openEmbeddedStore({ dataDir }));
  const version = (await (await fetch(`${server.url}/?query=SELECT%20version()`)).text()).trim();
  const row = (name: string, f: Figures) =>
    `| ${name} | ${f.ingestSpansPerSecond.toLocaleString('en')} | ${f.traceById.p50} / ${f.traceById.p95} | ${f.searchByService.p50} / ${f.searchByService.p95} | ${f.searchByAttribute.p50} / ${f.searchByAttribute.p95} |`;
  console.log(
    `ClickHouse ${version}; ${spans.length.toLocaleString('en')} spans, ${traceIds.length.toLocaleString('en')} traces, ${writers} writers × ${batchSize}-span batches\n`,
  );
  console.log(
    '| store | ingest spans/s | trace by id ms p50 / p95 | search by service ms p50 / p95 | search by attribute ms p50 / p95 |',
  );
  console.log('|---|---|---|---|---|');
  console.log(row('ClickHouse (single node)', clickhouse));
  console.log(row('embedded', embedded));
} finally {
  await server.stop();
  await rm(dataDir, { recursive: true, force: true });
}
