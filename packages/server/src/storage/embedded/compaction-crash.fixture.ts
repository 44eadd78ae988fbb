// Child process of the compaction crash test: opens a store whose blocks are
// past the short window and compacts them, printing each step of the
// compaction as a JSON line. With a stop step ("renamed" or "compacting"), it
// stops there (the thread waits, nothing else runs) for the test to SIGKILL
// it at exactly that point; the Nth such step when a count follows (renamed:2).
import { DEFAULT_RETENTION_POLICY } from '../../retention/retention-policy.js';
import { openEmbeddedStore } from './embedded-store.js';

const [dataDir, nowNanos, stopAt = ''] = process.argv.slice(2);
if (dataDir === undefined || nowNanos === undefined)
  throw new Error('usage: compaction-crash <dataDir> <now> [step[:n]]');
const [stopStep, stopCount = '1'] = stopAt.split(':');
let seen = 0;
const HOUR = 3_600_000_000_000n;
const store = await openEmbeddedStore({
  dataDir,
  retentionNanos: HOUR,
  retentionKeptNanos: 30n * 24n * HOUR,
  retentionPolicy: { ...DEFAULT_RETENTION_POLICY, sampleFraction: 0.1 },
  retentionCheckMs: 3_600_000,
  now: () => BigInt(nowNanos),
  onRetention: (event) => {
    process.stdout.write(`${JSON.stringify(event)}\n`);
    if (event.type === stopStep && ++seen === Number(stopCount)) {
      // Holds the thread: the kill lands between this step and the next.
      Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, 120_000);
    }
  },
});
await store.runRetention();
await store.close();
process.stdout.write('done\n');
