// Child process of the kept-tier crash test: opens the ClickHouse kept store
// with its clock at argv `now` and runs a retention pass, printing each step
// of a day's copy as a line. At the step named `stopAt` it holds (nothing
// else runs) for the test to SIGKILL it exactly there.
import { DEFAULT_RETENTION_POLICY } from '../../retention/retention-policy.js';
import { openClickHouseKeptStore } from './clickhouse-kept-store.js';

const [url, database, nowNanos, stopAt = ''] = process.argv.slice(2);
if (url === undefined || database === undefined || nowNanos === undefined)
  throw new Error('usage: kept-tier-crash <url> <database> <now> [step]');
const HOUR = 3_600_000_000_000n;
const store = await openClickHouseKeptStore({
  url,
  database,
  retentionNanos: HOUR,
  retentionKeptNanos: 30n * 24n * HOUR,
  retentionPolicy: { ...DEFAULT_RETENTION_POLICY, sampleFraction: 0.1 },
  now: () => BigInt(nowNanos),
  onCopyStep: (step) => {
    process.stdout.write(`${step}\n`);
    if (step === stopAt) Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, 120_000);
  },
});
await store.applyRetention();
await store.close();
process.stdout.write('done\n');
