// Traces that reach the embedded store in pieces (SDKs batch per service, so
// one trace's spans arrive at different times), and the same batches sent
// again (retrying clients). Each round sends one piece of every trace; the
// head holds one round, so every round is one cut that continues every trace.
//   node --conditions=ariadne-source --import tsx bench/storage/pieces.bench.ts [traces] [pieces] [spansPerPiece] [--resend] [--store=path]
// (--store: a module exporting `openEmbeddedStore` to run instead, e.g. an
// older embedded-store.ts saved beside the current one, for a comparison.)
// Prints per-round times (acknowledgment of a round waits for the cut before
// last once cuts fall behind: the head holds at most two rounds) and checks
// that every trace and every edge reads back once. It also times the
// alternative to cut-time edges: deriving them at query time from the spans.
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import type { Span } from '@ariadne/protocol';
import type { openEmbeddedStore as OpenEmbeddedStore } from '../../packages/server/src/storage/embedded/embedded-store.js';
import { openMemoryStore } from '../../packages/server/src/storage/memory/memory-store.js';
import { crossServiceCalls, DependencyCounter } from '../../packages/server/src/storage/query/dependency-links.js';
import { largeTrace } from '../workload/large-trace.js';
import { SeededRandom } from '../workload/random.js';

const numbers = process.argv.slice(2).filter((arg) => /^\d+$/.test(arg));
const traceCount = Number(numbers[0] ?? 20);
const pieceCount = Number(numbers[1] ?? 50);
const spansPerPiece = Number(numbers[2] ?? 20);
const resend = process.argv.includes('--resend');
const storeModule =
  process.argv.find((arg) => arg.startsWith('--store='))?.slice('--store='.length) ??
  '../../packages/server/src/storage/embedded/embedded-store.js';
const { openEmbeddedStore } = (await import(
  storeModule.startsWith('.') ? storeModule : new URL(storeModule, `file://${process.cwd()}/`).href
)) as { openEmbeddedStore: typeof OpenEmbeddedStore };

const start = 1_767_225_600_000_000_000n;
const traces: Span[][] = [];
for (let t = 0; t < traceCount; t++) {
  // Each trace a graft of standard-workload traces: eight services, calls between them.
  const spans = largeTrace({ spanCount: pieceCount * spansPerPiece, seed: 100 + t, startTimeUnixNano: start });
  // Pieces in random order: children before their parents as often as after.
  const random = new SeededRandom(t);
  for (let i = spans.length - 1; i > 0; i--) {
    const j = random.int(0, i);
    [spans[i], spans[j]] = [spans[j]!, spans[i]!];
  }
  traces.push(spans);
}
const piece = (trace: Span[], round: number) => trace.slice(round * spansPerPiece, (round + 1) * spansPerPiece);
/** What a retrying client sends: equal spans, new objects (a receiver decodes each request anew). */
const copy = (spans: Span[]): Span[] => structuredClone(spans);

const dataDir = await mkdtemp(join(tmpdir(), 'ariadne-pieces-'));
try {
  const roundSpans = traceCount * spansPerPiece;
  const store = await openEmbeddedStore({ dataDir, maxHeadSpans: roundSpans, maxHeadAgeMs: 3_600_000 });
  const memory = openMemoryStore({ maxTraces: 1_000_000 });
  for (const trace of traces) await memory.writeSpans(trace);
  const roundMs: number[] = [];
  let slowestAckMs = 0;
  const cpuStarted = process.cpuUsage();
  const started = performance.now();
  for (let round = 0; round < pieceCount; round++) {
    const roundStarted = performance.now();
    const batches = traces.map((trace) => piece(trace, round));
    if (resend) for (const trace of traces) batches.push(copy(piece(trace, round)));
    await Promise.all(
      batches.map(async (batch) => {
        const sent = performance.now();
        await store.writeSpans(batch);
        slowestAckMs = Math.max(slowestAckMs, performance.now() - sent);
      }),
    );
    roundMs.push(performance.now() - roundStarted);
  }
  const ackedMs = performance.now() - started;
  await store.close();
  const totalMs = performance.now() - started;
  const cpu = process.cpuUsage(cpuStarted);

  const reopened = await openEmbeddedStore({ dataDir, maxHeadAgeMs: 3_600_000 });
  const range = { startNanos: start - 3_600_000_000_000n, endNanos: start + 3_600_000_000_000n };
  const whole = await Promise.all(traces.map(async (trace) => (await reopened.getTrace(trace[0]!.traceId)).length));
  const expectedLinks = JSON.stringify(await memory.getDependencies(range));
  // The first query after an open may wait for the store to rebuild what it keeps in memory.
  const firstStarted = performance.now();
  const links = JSON.stringify(await reopened.getDependencies(range));
  const firstAfterOpenMs = performance.now() - firstStarted;
  const aggregatesStarted = performance.now();
  await reopened.getDependencies(range);
  const aggregatesMs = performance.now() - aggregatesStarted;
  // The alternative: edges at query time, from every span in the range (here: every trace, read whole).
  const queryTimeStarted = performance.now();
  const counter = new DependencyCounter();
  let readSpans = 0;
  for (const trace of traces) {
    const spans = await reopened.getTrace(trace[0]!.traceId);
    readSpans += spans.length;
    for (const call of crossServiceCalls(spans)) counter.add(call.parentService, call.childService, 1, 0);
  }
  const queryTimeMs = performance.now() - queryTimeStarted;
  await reopened.close();
  await memory.close();

  const spanCount = traceCount * pieceCount * spansPerPiece;
  const sent = resend ? 2 * spanCount : spanCount;
  const mean = (values: number[]) => values.reduce((a, b) => a + b, 0) / Math.max(1, values.length);
  const tenth = Math.max(1, Math.floor(pieceCount / 10));
  const round1 = (value: number) => Math.round(value * 10) / 10;
  const result = {
    traces: traceCount,
    pieces: pieceCount,
    spansPerPiece,
    resend,
    spansSent: sent,
    acknowledgedSpansPerSecond: Math.round(sent / (ackedMs / 1000)),
    sustainedSpansPerSecond: Math.round(sent / (totalMs / 1000)),
    cpuSeconds: round1((cpu.user + cpu.system) / 1e6),
    firstRoundsMs: round1(mean(roundMs.slice(0, tenth))),
    lastRoundsMs: round1(mean(roundMs.slice(-tenth))),
    slowestAckMs: Math.round(slowestAckMs),
    everyTraceWholeOnce: whole.every((count) => count === pieceCount * spansPerPiece),
    dependenciesEqualMemoryStore: links === expectedLinks,
    dependenciesFirstAfterOpenMs: round1(firstAfterOpenMs),
    dependenciesFromAggregatesMs: round1(aggregatesMs),
    dependenciesAtQueryTimeMs: round1(queryTimeMs),
    queryTimeMicrosPerSpan: round1((queryTimeMs * 1000) / readSpans),
  };
  console.log(JSON.stringify(result, null, 2));
  console.log(
    `\n${traceCount} traces × ${pieceCount} pieces × ${spansPerPiece} spans${resend ? ', every batch sent twice' : ''}\n`,
  );
  console.log('| | |\n| --- | --- |');
  console.log(
    `| acknowledged / sustained (spans/s) | ${result.acknowledgedSpansPerSecond} / ${result.sustainedSpansPerSecond} |`,
  );
  console.log(`| CPU of this process (s) | ${result.cpuSeconds} |`);
  console.log(`| round time, first / last tenth (ms) | ${result.firstRoundsMs} / ${result.lastRoundsMs} |`);
  console.log(`| slowest acknowledgment (ms) | ${result.slowestAckMs} |`);
  console.log(`| every trace whole, once | ${result.everyTraceWholeOnce} |`);
  console.log(`| dependencies equal the memory store's | ${result.dependenciesEqualMemoryStore} |`);
  console.log(
    `| dependencies: first after open / aggregates / at query time (ms) | ${result.dependenciesFirstAfterOpenMs} / ${result.dependenciesFromAggregatesMs} / ${result.dependenciesAtQueryTimeMs} (${result.queryTimeMicrosPerSpan} µs per span) |`,
  );
} finally {
  await rm(dataDir, { recursive: true, force: true });
}
