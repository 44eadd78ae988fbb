// Embedded store benchmark on the standard workload:
//   node --conditions=ariadne-source --import tsx packages/server/src/storage/embedded/embedded-store.bench.ts [spans]
// Prints ingest rate, bytes per span on disk, and query latencies (trace by id,
// search by service, search by attribute) after a restart.
import { mkdtemp, readdir, rm, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { anyValueToString, type Span } from '@ariadne/protocol';
import type { TraceQuery } from '../span-store.js';
import { openEmbeddedStore } from './embedded-store.js';

// The workload lives in bench/ (outside this package's sources), hence a computed import.
const workloadUrl = new URL('../../../../../bench/workload/standard-workload.ts', import.meta.url).href;
const { StandardWorkload } = (await import(workloadUrl)) as {
  StandardWorkload: new (options?: { seed?: number }) => { spans(count: number): Span[] };
};

const spanCount = Number(process.argv[2] ?? 200_000);
const batchSize = 1_000;
const writers = 4;

const spans = new StandardWorkload({ seed: 1 }).spans(spanCount);
const traceIds = [...new Set(spans.map((span) => span.traceId))];
const dataDir = await mkdtemp(join(tmpdir(), 'ariadne-bench-'));
try {
  let store = await openEmbeddedStore({ dataDir });
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
  const closeStart = performance.now();
  await store.close();
  const closeMs = performance.now() - closeStart;

  let bytes = 0;
  for (const folder of ['blocks', 'wal']) {
    for (const name of await readdir(join(dataDir, folder))) bytes += (await stat(join(dataDir, folder, name))).size;
  }

  const openStart = performance.now();
  store = await openEmbeddedStore({ dataDir });
  const openMs = performance.now() - openStart;
  const timeRange = { startNanos: 0n, endNanos: 2n ** 62n };
  const sample = (count: number) => Array.from({ length: count }, (_, i) => traceIds[(i * 7919) % traceIds.length]!);
  const byId = await measure(sample(200), (id) => store.getTrace(id));
  const services = await store.getServices();
  const byService = await measure(services.concat(services).concat(services), (service) =>
    store.findTraces({ service, timeRange, limit: 20 }),
  );
  const attributeQueries: TraceQuery[] = spans
    .slice(0, 20)
    .map((span) => span.attributes[0]!)
    .map((attribute) => ({
      attributes: [{ key: attribute.key, scope: 'span', operator: '=', value: anyValueToString(attribute.value) }],
      timeRange,
      limit: 20,
    }));
  const byAttribute = await measure(attributeQueries, (query) => store.findTraces(query));
  await store.close();

  const report = {
    spans: spans.length,
    traces: traceIds.length,
    ingestSpansPerSecond: Math.round(spans.length / (ingestMs / 1000)),
    closeMs: Math.round(closeMs),
    bytesPerSpan: Math.round((bytes / spans.length) * 10) / 10,
    reopenMs: Math.round(openMs),
    traceByIdMs: byId,
    searchByServiceMs: byService,
    searchByAttributeMs: byAttribute,
  };
  console.log(JSON.stringify(report, null, 2));
} finally {
  await rm(dataDir, { recursive: true, force: true });
}

async function measure<T>(inputs: T[], run: (input: T) => Promise<unknown>) {
  const times: number[] = [];
  for (const input of inputs) {
    const start = performance.now();
    await run(input);
    times.push(performance.now() - start);
  }
  times.sort((a, b) => a - b);
  const at = (q: number) => Math.round(times[Math.min(times.length - 1, Math.floor(q * times.length))]! * 10) / 10;
  return { p50: at(0.5), p95: at(0.95), p99: at(0.99) };
}
