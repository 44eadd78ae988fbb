import assert from 'node:assert/strict';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { AriadneError, type Span } from '@ariadne/protocol';
import { openMemoryStore } from '../memory/memory-store.js';
import { SpoolGroup } from './spool-group.js';
import { spoolTestBatch } from './spool-ingest-load.js';
import { openSpooledStore } from './spooled-store.js';

/**
 * A store that refuses while `down`, and otherwise takes `insertMs` per
 * write, as a ClickHouse insert does.
 */
function flakyStore(insertMs: number) {
  const memory = openMemoryStore();
  const control = { down: false };
  const store = {
    ...memory,
    async writeSpans(spans: readonly Span[]) {
      if (control.down) throw new AriadneError('StorageFailure', 'connection refused (the test store is down)');
      await new Promise((resolve) => setTimeout(resolve, insertMs));
      return memory.writeSpans(spans);
    },
  };
  return { store, control, memory };
}

test('under writes that never pause, the spool empties once the store is back, and writes go direct again', async () => {
  const dir = await mkdtemp(join(tmpdir(), 'ariadne-spool-handover-'));
  const { store, control, memory } = flakyStore(30);
  const { store: spooled } = await openSpooledStore(store, {
    dir,
    group: new SpoolGroup(),
    retryMinMs: 20,
    retryMaxMs: 50,
  });
  const written: string[] = [];
  let running = true;
  // Each writer sends its next batch as soon as the last is acknowledged: an
  // append (an fsync) always arrives while a replay insert is in flight.
  const writer = async () => {
    while (running) {
      const { traceId, spans } = spoolTestBatch();
      await spooled.writeSpans(spans);
      written.push(traceId);
    }
  };
  const waitFor = async (condition: () => boolean, what: string) => {
    const deadline = Date.now() + 60_000;
    while (!condition()) {
      if (Date.now() > deadline) throw new Error(`timed out waiting for ${what} (${JSON.stringify(spooled.spool)})`);
      await new Promise((resolve) => setTimeout(resolve, 10));
    }
  };
  try {
    control.down = true;
    const writers = Array.from({ length: 4 }, writer);
    await waitFor(() => spooled.spool.batches >= 50, 'batches to be spooled while the store is down');
    control.down = false;
    await waitFor(() => spooled.spool.mode === 'direct', 'the spool to empty while writes go on');
    const acknowledged = written.length;
    await waitFor(() => written.length >= acknowledged + 20, 'more writes');
    running = false;
    await Promise.all(writers);
    await spooled.drained();
    for (const traceId of written) assert.equal((await memory.getTrace(traceId)).length, 10, traceId);
  } finally {
    running = false;
    await spooled.close();
    await rm(dir, { recursive: true, force: true });
  }
});
