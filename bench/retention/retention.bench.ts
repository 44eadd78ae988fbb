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
// What a running compaction costs ingest is compaction-cost.bench.ts (which
// `npm run bench retention` runs after this one).
//   npm run bench retention        (RETENTION_DAYS=30, RETENTION_TRACES_PER_DAY=1000)
import { mkdtempSync, readdirSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Span } from '@ariadne/protocol';
import { DEFAULT_RETENTION_POLICY } from '../../packages/server/src/retention/retention-policy.js';
import { BlockReader } from '../../packages/server/src/storage/embedded/block-file.js';
import { parseBlockName } from '../../packages/server/src/storage/embedded/block-names.js';
import { openEmbeddedStore } from '../../packages/server/src/storage/embedded/embedded-store.js';
import { RetentionTruth } from './retention-truth.js';
import { DAY, DAYS, HOUR, SimulatedMonth, T0, TRACES_PER_DAY } from './simulated-days.js';
import { writeTraces } from './write-traces.js';

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
    await writeTraces(store, traces);
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

  const spansWritten = [...truth.traces.values()].reduce((sum, trace) => sum + trace.spans, 0);
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
    `\nkept by policy: ${Object.entries(stats.kept)
      .map(([name, counts]) => `${name} ${counts.traces}`)
      .join(', ')} (the compactions after the last reopen)`,
  );
} finally {
  rmSync(dataDir, { recursive: true, force: true });
}
