// Child process of the crash test: writes batches until it is killed, printing
// the number of each batch once `writeSpans` has acknowledged it.
import { testSpan } from '../query/test-spans.js';
import { openEmbeddedStore } from './embedded-store.js';

const [dataDir, maxHeadSpans] = process.argv.slice(2);
if (dataDir === undefined) throw new Error('usage: crash-writer <dataDir> [maxHeadSpans]');
const store = await openEmbeddedStore({ dataDir, maxHeadSpans: Number(maxHeadSpans ?? 100_000) });

let batch = 0;
const writeOne = async (): Promise<void> => {
  const n = ++batch;
  const traceId = n.toString(16).padStart(32, 'c');
  await store.writeSpans(
    Array.from({ length: 5 }, (_, i) =>
      testSpan({ traceId, spanId: (i + 1).toString(16).padStart(16, '0'), name: `batch-${n}` }),
    ),
  );
  process.stdout.write(`${n}\n`);
};
// Four writers at a time, so that group commits and cuts overlap the kill.
const writer = async (): Promise<void> => {
  for (;;) await writeOne();
};
await Promise.all([writer(), writer(), writer(), writer()]);
