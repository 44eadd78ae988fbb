// Trace-aware retention (issue 17) over 30 simulated days, the clock injected:
// each day holds a burst of the standard workload (RETENTION_TRACES_PER_DAY
// traces, 60 ms apart, from 12:00) with 2 % of traces erroneous (the
// workload's own errors kept in those traces only), written to an embedded
// store with --retention 6h and --retention-kept 31d and the default policy.
// At the end of each day the previous blocks past the short window are
// compacted. It prints:
// - disk after 30 days (every day past the short window) against keeping
//   everything (the full-tier blocks as written, before any compaction), as
//   an exact ratio;
// - how many error traces, traces whose root was slower than its
//   operation's p99 over the hour before it (the p99 computed here from the
//   raw spans, not from the store), and (service, operation, status, minute)
//   exemplar cells are still there, opened with getTrace;
// - RED metrics (per operation, per day, p50 and p99) and dependencies over
//   the 30 days from the store, against the same computed from every span
//   written (RedAccumulator, crossServiceCalls);
// - ingest throughput while a compaction runs against without, side by
//   side: even days write their burst while the previous day's blocks are
//   compacted, odd days after.
//   npm run bench retention        (RETENTION_DAYS=30, RETENTION_TRACES_PER_DAY=1000,
//                                   RETENTION_ROUNDS=6, RETENTION_SIDE_TRACES=8000)
import { mkdtempSync, readdirSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Span } from '@ariadne/protocol';
import { DEFAULT_RETENTION_POLICY } from '../../packages/server/src/retention/retention-policy.js';
import { BlockReader } from '../../packages/server/src/storage/embedded/block-file.js';
import { parseBlockName } from '../../packages/server/src/storage/embedded/block-names.js';
import { type EmbeddedStore, openEmbeddedStore } from '../../packages/server/src/storage/embedded/embedded-store.js';
import { StandardWorkload } from '../workload/standard-workload.js';
import { RetentionTruth } from './retention-truth.js';
import { BATCH_TRACES, DAY, DAYS, HOUR, SimulatedMonth, T0, TRACES_PER_DAY } from './simulated-days.js';

/** Writes in flight at once, as many clients would send: ingest is then bound by the CPU, not by one fsync at a time. */
const WRITERS = 16;
/** Rounds of the side-by-side ingest measure, and fresh traces written per side and round. */
// 8,000 traces a side (about 2.5 s of writes each): at 1,000 a side lasted about 0.3 s and the cost
// swung from -14 % to +13 % between two runs of the same code.
const ROUNDS = Number(process.env.RETENTION_ROUNDS ?? 6);
const SIDE_TRACES = Number(process.env.RETENTION_SIDE_TRACES ?? 8000);

const dataDir = mkdtempSync(join(tmpdir(), 'ariadne-bench-retention-'));
const clock = { now: T0 };
const policy = DEFAULT_RETENTION_POLICY;
const open = () =>
  openEmbeddedStore({
    dataDir,
    maxHeadSpans: 10_000,
    maxHeadAgeMs: 3_600_000,
    recentSpans: 100_000,
    retentionNanos: 6n * HOUR,
    retentionKeptNanos: 31n * DAY,
    retentionPolicy: policy,
    retentionCheckMs: 3_600_000,
    now: () => clock.now,
    // What keeping everything costs: each full-tier block's size as a compaction starts on it.
    onRetention: (event) => {
      if (event.type === 'compacting') noteFullBlock(event.block);
    },
  });

const truth = new RetentionTruth();
const month = new SimulatedMonth();

/** A day's traces of the simulated month; remembered as the truth unless `record` is false. */
function dayOfTraces(day: number, record = true): Span[][] {
  return month.dayOfTraces(day).map(({ spans, error }) => {
    if (record) truth.remember(spans, error);
    return spans;
  });
}

/** Writes the traces in batches, WRITERS at a time; resolves with the spans written and the time it took. */
async function writeDay(store: EmbeddedStore, traces: readonly Span[][]) {
  let next = 0;
  const started = performance.now();
  const writer = async () => {
    while (next < traces.length) {
      const batch = traces.slice(next, next + BATCH_TRACES).flat();
      next += BATCH_TRACES;
      await store.writeSpans(batch);
    }
  };
  await Promise.all(Array.from({ length: WRITERS }, writer));
  return { spans: traces.reduce((sum, trace) => sum + trace.length, 0), ms: performance.now() - started };
}

/**
 * Ingest with a compaction running against without, side by side on one
 * store: ROUNDS days of old blocks; each round makes one day's blocks due,
 * writes fresh traces while their compaction runs (it yields most of the
 * thread while writes come in), waits for it to end, and writes as many
 * fresh traces with nothing to compact; the order alternates between rounds.
 */
async function ingestSideBySide(): Promise<{
  with: { spans: number; ms: number };
  without: { spans: number; ms: number };
  unfinished: number;
}> {
  const dir = mkdtempSync(join(tmpdir(), 'ariadne-bench-retention-ingest-'));
  const at = { now: T0 };
  const options = {
    dataDir: dir,
    maxHeadSpans: 10_000,
    maxHeadAgeMs: 3_600_000,
    recentSpans: 100_000,
    retentionNanos: 6n * HOUR,
    retentionKeptNanos: 31n * DAY,
    retentionCheckMs: 3_600_000,
    now: () => at.now,
  };
  const totals = { with: { spans: 0, ms: 0 }, without: { spans: 0, ms: 0 }, unfinished: 0 };
  const fresh = new StandardWorkload({
    seed: 5,
    startTimeUnixNano: T0 + BigInt(ROUNDS + 1) * DAY,
    traceIntervalNanos: 1_000_000n,
  });
  try {
    let side = await openEmbeddedStore(options);
    for (let day = 0; day < ROUNDS; day++) await writeDay(side, dayOfTraces(DAYS + day, false));
    await side.close();
    side = await openEmbeddedStore(options);
    for (let round = 0; round < ROUNDS; round++) {
      const traces = () => Array.from({ length: SIDE_TRACES }, () => fresh.nextTrace());
      const withRun = async () => {
        // Only this round's day is past the short window.
        at.now = T0 + BigInt(DAYS + round) * DAY + 23n * HOUR;
        let running = true;
        const compaction = side.runRetention().finally(() => {
          running = false;
        });
        const run = await writeDay(side, traces());
        if (!running) totals.unfinished++;
        await compaction;
        totals.with.spans += run.spans;
        totals.with.ms += run.ms;
      };
      const withoutRun = async () => {
        const run = await writeDay(side, traces());
        totals.without.spans += run.spans;
        totals.without.ms += run.ms;
      };
      if (round % 2 === 0) {
        await withRun();
        await withoutRun();
      } else {
        await withoutRun();
        await withRun();
      }
    }
    await side.close();
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
  return totals;
}

const fullBytesSeen = new Map<string, number>();
function noteFullBlock(name: string): void {
  if (!fullBytesSeen.has(name)) fullBytesSeen.set(name, statSync(join(dataDir, 'blocks', name)).size);
}

/** Full-tier blocks on disk now. */
function noteFullBlocks(): void {
  for (const name of readdirSync(join(dataDir, 'blocks'))) {
    const parsed = parseBlockName(name);
    if (parsed !== undefined && !parsed.kept) noteFullBlock(name);
  }
}

function blockBytes(): number {
  let bytes = 0;
  for (const name of readdirSync(join(dataDir, 'blocks'))) bytes += statSync(join(dataDir, 'blocks', name)).size;
  return bytes;
}

let store = await open();
const wallStart = performance.now();
try {
  for (let day = 0; day < DAYS; day++) {
    const traces = dayOfTraces(day);
    // Before noon: the previous day's blocks are past the short window.
    clock.now = T0 + BigInt(day) * DAY + 11n * HOUR;
    noteFullBlocks();
    await store.runRetention();
    await writeDay(store, traces);
  }
  await store.close();
  noteFullBlocks();
  // The last day past the short window too: the disk after 30 days.
  clock.now = T0 + BigInt(DAYS) * DAY;
  store = await open();
  await store.runRetention();

  const everything = [...fullBytesSeen.values()].reduce((sum, bytes) => sum + bytes, 0);
  const kept = blockBytes();

  // Still openable, each whole.
  const { errorTraces, errorKept, slowTraces, slowKept, slowMissed } = await truth.openable(store);
  if (process.env.RETENTION_DEBUG) for (const missed of slowMissed) console.log(`slow trace not kept: ${missed}`);
  // Exemplar cells: from every kept trace in the kept blocks (read from the files).
  const keptTraces: Span[][] = [];
  for (const name of readdirSync(join(dataDir, 'blocks'))) {
    const block = await BlockReader.open(join(dataDir, 'blocks', name));
    const byTrace = new Map<string, Span[]>();
    const { pages } = await block.meta();
    for (let page = 0; page < pages.length; page++) {
      for (const span of await block.readPage(page))
        byTrace.set(span.traceId, [...(byTrace.get(span.traceId) ?? []), span]);
    }
    keptTraces.push(...byTrace.values());
    await block.close();
  }
  const keptTraceCount = keptTraces.length;
  const cellsCovered = truth.cellsCovered(keptTraces, policy.exemplarsPerMinute);
  const redQuery = truth.redQuery;

  const red = JSON.stringify(await store.getRedMetrics(redQuery), (_, value) =>
    typeof value === 'bigint' ? String(value) : value,
  );
  const redExpected = JSON.stringify(truth.red.series(), (_, value) =>
    typeof value === 'bigint' ? String(value) : value,
  );
  const dependencies = await store.getDependencies(redQuery.timeRange);
  const dependenciesExpected = truth.dependencies.links();
  const stats = await store.retentionStats();
  await store.close();
  const ingest = await ingestSideBySide();

  const spansWritten = [...truth.traces.values()].reduce((sum, trace) => sum + trace.spans, 0);
  const rate = (run: { spans: number; ms: number }) => (run.ms === 0 ? 0 : (run.spans / run.ms) * 1000);
  const pct = (part: number, whole: number) => (whole === 0 ? 'n/a' : `${((100 * part) / whole).toFixed(2)} %`);
  console.log(
    `${DAYS} simulated days × ${TRACES_PER_DAY} traces (${spansWritten.toLocaleString('en')} spans), --retention 6h, --retention-kept 31d, default policy; ${((performance.now() - wallStart) / 1000).toFixed(1)} s wall\n`,
  );
  console.log('| measure | value |');
  console.log('|---|---|');
  console.log(`| disk after ${DAYS} days, every day past the short window | ${kept.toLocaleString('en')} bytes |`);
  console.log(`| keeping everything (the full-tier blocks as written) | ${everything.toLocaleString('en')} bytes |`);
  console.log(`| ratio kept / everything | ${(kept / everything).toFixed(4)} (1/${(everything / kept).toFixed(1)}) |`);
  console.log(
    `| traces kept | ${keptTraceCount.toLocaleString('en')} of ${truth.traces.size.toLocaleString('en')} (${pct(keptTraceCount, truth.traces.size)}) |`,
  );
  console.log(`| error traces openable, whole | ${errorKept} of ${errorTraces} (${pct(errorKept, errorTraces)}) |`);
  console.log(
    `| traces with the root slower than its operation's p99 of the hour, openable | ${slowKept} of ${slowTraces} (${pct(slowKept, slowTraces)}) |`,
  );
  console.log(
    `| (service, operation, status, minute) cells with ≥ ${policy.exemplarsPerMinute} kept trace | ${cellsCovered} of ${truth.cells.size} (${pct(cellsCovered, truth.cells.size)}) |`,
  );
  console.log(
    `| RED metrics (per operation and day, p50/p99) equal to every span's | ${red === redExpected ? 'yes' : 'NO'} |`,
  );
  console.log(
    `| dependencies equal to every span's | ${JSON.stringify(dependencies) === JSON.stringify(dependenciesExpected) ? 'yes' : 'NO'} (${dependencies.length} links) |`,
  );
  console.log(
    `| ingest while a compaction runs (${ROUNDS} rounds; it outlasted the writes in ${ROUNDS - ingest.unfinished}) | ${rate(ingest.with).toFixed(0)} spans/s (${ingest.with.spans.toLocaleString('en')} spans) |`,
  );
  console.log(
    `| ingest without a compaction, alternating with the above | ${rate(ingest.without).toFixed(0)} spans/s (${ingest.without.spans.toLocaleString('en')} spans) |`,
  );
  console.log(
    `| cost of a running compaction | ${(100 * (1 - rate(ingest.with) / rate(ingest.without))).toFixed(1)} % |`,
  );
  console.log(
    `\nkept by policy: ${Object.entries(stats.kept)
      .map(([name, counts]) => `${name} ${counts.traces}`)
      .join(', ')} (the compactions after the last reopen)`,
  );
} finally {
  rmSync(dataDir, { recursive: true, force: true });
}
