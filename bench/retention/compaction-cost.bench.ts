// What a running compaction costs ingest (issue 17: "a compaction costs no
// more than 5 % of ingest throughput while it runs"), on the embedded store
// with the kept tier, the clock injected. One store holds ROUNDS days of old
// blocks (a day of the simulated month each). Each round makes one of those
// days due, writes fresh traces (WRITERS writes of 25 traces in flight) while
// its compaction runs, waits for the compaction to end, and writes as many
// fresh traces with nothing to compact; the order alternates between rounds.
// Every round gives its own cost (1 − with / without), so the spread shows
// beside the mean: one round's pair runs seconds apart, and a machine's drift
// over minutes moves both of its sides alike.
//   npm run bench retention/compaction-cost   (COMPACTION_ROUNDS=12, COMPACTION_SIDE_TRACES=8000)
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { openEmbeddedStore } from '../../packages/server/src/storage/embedded/embedded-store.js';
import { StandardWorkload } from '../workload/standard-workload.js';
import { DAY, HOUR, SimulatedMonth, T0 } from './simulated-days.js';
import { WRITERS, type WriteRun, writeTraces as write } from './write-traces.js';

// A side of 8,000 traces is about 3 s of writes; at 1,000 (0.3 s) one run's cost swung from −14 % to +13 %.
const ROUNDS = Number(process.env.COMPACTION_ROUNDS ?? 12);
const SIDE_TRACES = Number(process.env.COMPACTION_SIDE_TRACES ?? 8000);

const rate = (side: WriteRun) => (side.ms === 0 ? 0 : (side.spans / side.ms) * 1000);
/** Spans written per second of the process's CPU: what another process on the machine moves least. */
const cpuRate = (side: WriteRun) => (side.cpuMs === 0 ? 0 : (side.spans / side.cpuMs) * 1000);

const dir = mkdtempSync(join(tmpdir(), 'ariadne-bench-compaction-cost-'));
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
const rounds: { with: WriteRun; without: WriteRun; first: 'with' | 'without'; outlasted: boolean }[] = [];
const started = performance.now();
try {
  const month = new SimulatedMonth();
  let store = await openEmbeddedStore(options);
  for (let day = 0; day < ROUNDS; day++)
    await write(
      store,
      month.dayOfTraces(day).map(({ spans }) => spans),
    );
  await store.close();
  store = await openEmbeddedStore(options);
  const fresh = new StandardWorkload({
    seed: 5,
    startTimeUnixNano: T0 + BigInt(ROUNDS + 1) * DAY,
    traceIntervalNanos: 1_000_000n,
  });
  const traces = () => Array.from({ length: SIDE_TRACES }, () => fresh.nextTrace());
  // Not counted: the first writes compile the write path, which would weigh on whichever side came first.
  await write(store, traces());
  for (let round = 0; round < ROUNDS; round++) {
    let outlasted = false;
    const withCompaction = async (): Promise<WriteRun> => {
      // Only this round's day is past the short window (its traces start at noon).
      at.now = T0 + BigInt(round) * DAY + 23n * HOUR;
      let running = true;
      const compaction = store.runRetention().finally(() => {
        running = false;
      });
      const side = await write(store, traces());
      outlasted = running;
      await compaction;
      return side;
    };
    const without = () => write(store, traces());
    const first = round % 2 === 0 ? 'with' : 'without';
    const a = first === 'with' ? await withCompaction() : await without();
    const b = first === 'with' ? await without() : await withCompaction();
    rounds.push(
      first === 'with' ? { with: a, without: b, first, outlasted } : { with: b, without: a, first, outlasted },
    );
  }
  await store.close();
} finally {
  rmSync(dir, { recursive: true, force: true });
}

const costs = rounds.map((round) => 1 - rate(round.with) / rate(round.without));
const total = (pick: (round: (typeof rounds)[number]) => WriteRun): WriteRun => ({
  spans: rounds.reduce((sum, round) => sum + pick(round).spans, 0),
  ms: rounds.reduce((sum, round) => sum + pick(round).ms, 0),
  cpuMs: rounds.reduce((sum, round) => sum + pick(round).cpuMs, 0),
});
const mean = costs.reduce((sum, cost) => sum + cost, 0) / costs.length;
const sd = Math.sqrt(costs.reduce((sum, cost) => sum + (cost - mean) ** 2, 0) / Math.max(1, costs.length - 1));
const sorted = [...costs].sort((a, b) => a - b);
const median =
  sorted.length % 2 === 1
    ? sorted[(sorted.length - 1) / 2]!
    : (sorted[sorted.length / 2 - 1]! + sorted[sorted.length / 2]!) / 2;
// Student's t at 95 %, two-sided, for the degrees of freedom of a dozen or so rounds.
const T95: Record<number, number> = {
  3: 3.18,
  4: 2.78,
  5: 2.57,
  6: 2.45,
  7: 2.36,
  8: 2.31,
  9: 2.26,
  10: 2.23,
  11: 2.2,
};
const t95 = T95[costs.length - 1] ?? (costs.length - 1 >= 12 ? 2.18 : Number.NaN);
const halfWidth = (t95 * sd) / Math.sqrt(costs.length);
const pct = (value: number) => `${(100 * value).toFixed(1)} %`;

console.log(
  `${ROUNDS} rounds of ${SIDE_TRACES.toLocaleString('en')} fresh traces a side, ${WRITERS} writes in flight; ${((performance.now() - started) / 1000).toFixed(1)} s wall\n`,
);
console.log(
  '| round | first | with a compaction (spans/s) | without (spans/s) | cost | spans per CPU-second, with / without | cost in CPU | the compaction outlasted the writes |',
);
console.log('|---:|---|---:|---:|---:|---:|---:|---|');
rounds.forEach((round, index) => {
  console.log(
    `| ${index + 1} | ${round.first} | ${rate(round.with).toFixed(0)} | ${rate(round.without).toFixed(0)} | ${pct(costs[index]!)} | ${cpuRate(round.with).toFixed(0)} / ${cpuRate(round.without).toFixed(0)} | ${pct(1 - cpuRate(round.with) / cpuRate(round.without))} | ${round.outlasted ? 'yes' : 'no'} |`,
  );
});
console.log('\n| measure | value |');
console.log('|---|---|');
console.log(
  `| ingest while a compaction runs, all rounds | ${rate(total((round) => round.with)).toFixed(0)} spans/s |`,
);
console.log(`| ingest without, all rounds | ${rate(total((round) => round.without)).toFixed(0)} spans/s |`);
console.log(
  `| cost, all rounds pooled | ${pct(1 - rate(total((round) => round.with)) / rate(total((round) => round.without)))} |`,
);
console.log(`| cost, mean of the rounds ± 95 % interval | ${pct(mean)} ± ${pct(halfWidth)} |`);
console.log(`| cost, median of the rounds | ${pct(median)} |`);
const cpuWith = cpuRate(total((round) => round.with));
const cpuWithout = cpuRate(total((round) => round.without));
console.log(
  `| spans per CPU-second of the process (every thread), with / without, all rounds | ${cpuWith.toFixed(0)} / ${cpuWithout.toFixed(0)}: ${pct(1 - cpuWith / cpuWithout)} fewer spans per CPU-second |`,
);
