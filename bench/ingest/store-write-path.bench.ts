// The embedded store's write path on one thread, stage by stage, in CPU time per
// span, on the sustained run's workload (bench/ingest/fresh-otlp-batches.ts:
// 500-span requests, traces of 20, 10 random 20-character attribute values per
// span): OTLP decode alone; what a decode worker does (decode, limits, encode
// the span batch with content hashes); what the store's thread does to take a
// batch (rewrite it into the head's WAL record, index it, the WAL append); and
// the cut of that head into a block (run by close). Shows where a span's time
// goes when the store's thread is the bottleneck.
//   npm run bench ingest/store-write-path         (WRITE_PATH_BATCHES=200 by default)
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { decodeOtlpTraceRequestProto } from '@ariadne/protocol';
import { decodeBatch } from '../../packages/server/src/pipeline/decode-batch.js';
import { openEmbeddedStore } from '../../packages/server/src/storage/embedded/embedded-store.js';
import type { SpanBatch } from '../../packages/server/src/storage/span-store.js';
import { FreshOtlpBatches } from './fresh-otlp-batches.js';

const BATCHES = Number(process.env.WRITE_PATH_BATCHES ?? 200);
const generator = new FreshOtlpBatches();
const bodies: Uint8Array[] = [];
for (let i = 0; i < BATCHES; i++) bodies.push(generator.newBody(BigInt(Date.now()) * 1_000_000n));
const spans = BATCHES * generator.shape.spansPerRequest;
/** Process CPU time in µs (libuv's compression threads included). */
const cpu = () => {
  const used = process.cpuUsage();
  return used.user + used.system;
};
const perSpan = (micros: number) => (micros / spans).toFixed(1);

let start = cpu();
for (const body of bodies) decodeOtlpTraceRequestProto(body);
const decodeOnly = cpu() - start;

start = cpu();
const batches: SpanBatch[] = bodies.map((body) => {
  const result = decodeBatch({ decoder: 'otlp-proto', body, limits: {} });
  if (!result.ok) throw new Error(result.message);
  return result.batch;
});
const worker = cpu() - start;

const dataDir = mkdtempSync(join(tmpdir(), 'ariadne-write-path-'));
// One head for the whole run: the cut happens once, at close, and is measured alone.
const store = await openEmbeddedStore({ dataDir, maxHeadSpans: 10_000_000, maxHeadAgeMs: 3_600_000 });
start = cpu();
await Promise.all(batches.map((batch) => store.writeSpanBatch(batch)));
const write = cpu() - start;
start = cpu();
await store.close();
const cut = cpu() - start;
rmSync(dataDir, { recursive: true, force: true });

console.log(
  `${spans.toLocaleString('en-US')} spans in ${BATCHES} requests of ${generator.shape.spansPerRequest}; CPU time per span, one thread (plus libuv's for compression and fsync). Node ${process.version}.\n`,
);
console.log('| stage | where it runs | µs per span |');
console.log('|---|---|---:|');
console.log(`| OTLP protobuf decode alone | decode worker | ${perSpan(decodeOnly)} |`);
console.log(`| decode, limits, span batch with content hashes | decode worker | ${perSpan(worker)} |`);
console.log(`| take a batch: rewrite into the head's WAL record, index, append | store thread | ${perSpan(write)} |`);
console.log(`| cut the head into a block | store thread | ${perSpan(cut)} |`);
