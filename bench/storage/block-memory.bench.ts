// What the embedded store keeps in memory for each block it holds, and what
// reading a block costs once the block cache no longer holds it (issue 13's
// soak: memory that grows with the blocks kept). The soak's workload
// (bench/ingest/fresh-otlp-batches.ts: requests of 500 spans, traces of 20,
// 10 random 20-character attribute values a span) written straight to a store
// in cuts of 50,000 spans, heap and external memory taken after a full GC
// after each cut; then one block opened 100 times with a cache that keeps
// nothing (what a block keeps itself); then reads of an old trace and
// searches, with the default cache (hot) and with none (every read loads).
//   npm run bench storage/block-memory          (BLOCK_MEMORY_CUTS=8 by default)
// The write-time dedupe and dependency windows are set to 50,000 spans, so
// they are full after the first cut and the growth after it is the blocks'.
import { mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
import { decodeBatch } from '../../packages/server/src/pipeline/decode-batch.js';
import { BlockCache } from '../../packages/server/src/storage/embedded/block-cache.js';
import { BlockReader } from '../../packages/server/src/storage/embedded/block-file.js';
import { openEmbeddedStore } from '../../packages/server/src/storage/embedded/embedded-store.js';
import { OperationPool } from '../../packages/server/src/storage/embedded/operation-pool.js';
import type { TraceQuery } from '../../packages/server/src/storage/span-store.js';
import { FreshOtlpBatches } from '../ingest/fresh-otlp-batches.js';

const CUTS = Math.max(4, Number(process.env.BLOCK_MEMORY_CUTS ?? 8));
const HEAD_SPANS = 50_000;
const KIB = 1024;
const MIB = 1024 * 1024;
setFlagsFromString('--expose-gc');
const gc = runInNewContext('gc') as () => void;
const memory = () => {
  gc();
  gc();
  return process.memoryUsage();
};
const until = async (condition: () => boolean) => {
  while (!condition()) await new Promise((resolve) => setTimeout(resolve, 20));
};

const dataDir = mkdtempSync(join(tmpdir(), 'ariadne-block-memory-'));
const blockDir = join(dataDir, 'blocks');
const blockFiles = () =>
  readdirSync(blockDir)
    .filter((name) => name.endsWith('.blk'))
    .sort();
const settings = { dataDir, maxHeadSpans: HEAD_SPANS, maxHeadAgeMs: 3_600_000, recentSpans: HEAD_SPANS };
try {
  // 1. Memory after each cut.
  const store = await openEmbeddedStore(settings);
  const generator = new FreshOtlpBatches();
  const samples: { blocks: number; jsBytes: number; rss: number }[] = [];
  const started = performance.now();
  for (let cut = 1; cut <= CUTS; cut++) {
    const writes: Promise<void>[] = [];
    for (let i = 0; i < HEAD_SPANS / generator.shape.spansPerRequest; i++) {
      const result = decodeBatch({
        decoder: 'otlp-proto',
        body: generator.newBody(BigInt(Date.now()) * 1_000_000n),
        limits: {},
      });
      if (!result.ok) throw new Error(result.message);
      writes.push(store.writeSpanBatch(result.batch));
      if (writes.length >= 16) await writes.shift();
    }
    await Promise.all(writes);
    // The cut is over once its block is there and the WAL segments it covers are deleted, and
    // the folder's fsync after that has returned (the cut's frame, with its head, is then gone).
    await until(() => blockFiles().length >= cut && readdirSync(join(dataDir, 'wal')).length === 1);
    await new Promise((resolve) => setTimeout(resolve, 200));
    const used = memory();
    samples.push({ blocks: blockFiles().length, jsBytes: used.heapUsed + used.external, rss: used.rss });
  }
  const writeSeconds = (performance.now() - started) / 1000;
  // Two cuts to settle (the windows fill in the first), then the slope.
  const first = samples[2]!;
  const last = samples[samples.length - 1]!;
  const perBlock = (field: 'jsBytes' | 'rss') => (last[field] - first[field]) / (last.blocks - first.blocks);
  await store.close();

  // 2. What one open block keeps itself.
  const file = join(blockDir, blockFiles()[0]!);
  const keepNothing = { cache: new BlockCache(0), operations: new OperationPool() };
  const before = memory();
  const readers: BlockReader[] = [];
  for (let i = 0; i < 100; i++) readers.push(await BlockReader.open(file, keepNothing));
  const opened = memory();
  const traceCount = readers[0]!.traceCount;
  const oldTrace = (await readers[0]!.traceIndex()).traceId(7);
  const residentBytes = (opened.heapUsed + opened.external - before.heapUsed - before.external) / readers.length;
  for (const reader of readers) await reader.close();
  // What each kind of cached value holds, measured, against what the cache counts for it.
  const kinds: [string, (reader: BlockReader) => Promise<unknown>, number][] = [
    ['metadata', (reader) => reader.meta(), 20],
    ['trace index', (reader) => reader.traceIndex(), 20],
    ['aggregates', (reader) => reader.aggregates(), 20],
    ['dictionary (strings, resources, scopes)', (reader) => reader.dictionary(), 3],
  ];
  const cached: { kind: string; measured: number; counted: number }[] = [];
  for (const [kind, read, copies] of kinds) {
    const caches = Array.from({ length: copies }, () => new BlockCache(2 ** 40));
    const copiesOpen = await Promise.all(
      caches.map((cache) => BlockReader.open(file, { cache, operations: keepNothing.operations })),
    );
    const start = memory();
    const held = [];
    for (const reader of copiesOpen) held.push(await read(reader));
    const end = memory();
    cached.push({
      kind,
      measured: (end.heapUsed + end.external - start.heapUsed - start.external) / copies,
      counted: caches.reduce((sum, cache) => sum + cache.bytes, 0) / copies,
    });
    held.length = 0;
    for (const reader of copiesOpen) await reader.close();
  }

  // 3. Reads with the default cache (after one read to warm it) and with none.
  const hot = await timeReads({});
  const cold = await timeReads({ blockCacheBytes: 0 });

  console.log(
    `The embedded store, written ${CUTS} cuts of ${fmt(HEAD_SPANS)} spans of the soak's workload (requests of 500 spans, traces of 20, ` +
      `10 random 20-character attribute values a span: blocks of ${fmt(traceCount)} traces) in ${fmt(writeSeconds)} s; ` +
      `JS memory is heapUsed + external after a full GC. Node ${process.version}.\n`,
  );
  console.log('| | |');
  console.log('|---|---:|');
  console.log(
    `| JS memory growth per block, block ${first.blocks} to ${last.blocks} | ${fmt(perBlock('jsBytes') / KIB, 1)} KiB |`,
  );
  console.log(`| RSS growth per block, same blocks | ${fmt(perBlock('rss') / KIB, 1)} KiB |`);
  console.log(`| JS memory at block ${first.blocks} → ${last.blocks} | ${mib(first.jsBytes)} → ${mib(last.jsBytes)} |`);
  console.log(`| RSS at block ${first.blocks} → ${last.blocks} | ${mib(first.rss)} → ${mib(last.rss)} |`);
  console.log(
    `| JS memory after each cut, MiB | ${samples.map((sample) => fmt(sample.jsBytes / MIB, 1)).join(', ')} |`,
  );
  console.log(`| RSS after each cut, MiB | ${samples.map((sample) => fmt(sample.rss / MIB, 1)).join(', ')} |`);
  console.log(
    `| what an open block keeps itself (100 readers of one block, a cache that keeps nothing) | ${fmt(residentBytes / KIB, 1)} KiB |`,
  );
  console.log(
    '\nWhat the block cache holds for one block of these, by kind (one block read into a cache of its own):\n',
  );
  console.log('| value | measured (heapUsed + external) | the cache counts |');
  console.log('|---|---:|---:|');
  for (const { kind, measured, counted } of cached) {
    console.log(`| ${kind} | ${fmt(measured / KIB, 1)} KiB | ${fmt(counted / KIB, 1)} KiB |`);
  }
  console.log(`\nReads over the ${CUTS} blocks (a trace of the oldest block; ms per read, mean of 3 after a first):\n`);
  console.log('| read | default cache (hot) | no cache (every read loads) | ratio |');
  console.log('|---|---:|---:|---:|');
  for (const [name, ms] of Object.entries(hot)) {
    const coldMs = cold[name]!;
    console.log(`| ${name} | ${fmt(ms, 2)} | ${fmt(coldMs, 2)} | ${fmt(coldMs / ms, 1)}× |`);
  }

  async function timeReads(options: { blockCacheBytes?: number }): Promise<Record<string, number>> {
    const reading = await openEmbeddedStore({ ...settings, ...options });
    try {
      // The dependency index is rebuilt from the newest blocks at open: let that finish first.
      await reading.getDependencies({ startNanos: 0n, endNanos: 1n });
      const search = (query: Partial<TraceQuery>) => reading.findTraces({ timeRange: allTime(), limit: 20, ...query });
      const reads: Record<string, () => Promise<unknown>> = {
        'getTrace (20 spans)': () => reading.getTrace(oldTrace),
        getTraceOutline: () => reading.getTraceOutline(oldTrace),
        'findTraces service=frontend, limit 20': () => search({ service: 'frontend' }),
        'findTraces operation and an attribute value no span has': () =>
          search({
            service: 'frontend',
            operation: 'GET /frontend/op1',
            attributes: [{ key: 'app.attribute_0', operator: '=', value: 'no span has this', scope: 'span' }],
          }),
      };
      const times: Record<string, number> = {};
      for (const [name, read] of Object.entries(reads)) times[name] = await msPerRead(read);
      return times;
    } finally {
      await reading.close();
    }
  }
} finally {
  rmSync(dataDir, { recursive: true, force: true });
}

/** Mean over 3 reads after a first one (which warms the cache when there is one). */
async function msPerRead(read: () => Promise<unknown>): Promise<number> {
  await read();
  const start = performance.now();
  for (let i = 0; i < 3; i++) await read();
  return (performance.now() - start) / 3;
}

function allTime() {
  return { startNanos: 0n, endNanos: (BigInt(Date.now()) + 60_000n) * 1_000_000n };
}

function fmt(value: number, digits = 0): string {
  return value.toLocaleString('en-US', { minimumFractionDigits: digits, maximumFractionDigits: digits });
}

function mib(bytes: number): string {
  return `${fmt(bytes / MIB, 1)} MiB`;
}
