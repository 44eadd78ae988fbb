import assert from 'node:assert/strict';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { isAriadneError } from '@ariadne/protocol';
import { QueryDeadline, withQueryDeadline } from '../../query/query-deadline.js';
import { runStoreSuite } from '../conformance/store-suite.js';
import { testSpan } from '../query/test-spans.js';
import { openEmbeddedStoreInWorker } from './embedded-store-in-worker.js';

// The same contract as the store on the calling thread: every case of the shared suite, through the thread's messages.
const dirs: string[] = [];
const open = () => openEmbeddedStoreInWorker({ dataDir: dirs.at(-1)!, maxHeadAgeMs: 3_600_000, maxHeadSpans: 5 });
runStoreSuite({
  name: 'embedded, on its own thread (tiny blocks)',
  open: async () => {
    dirs.push(await mkdtemp(join(tmpdir(), 'ariadne-embedded-thread-')));
    return open();
  },
  reopen: async (store) => {
    await store.close();
    return open();
  },
  cleanUp: async () => {
    await Promise.all(dirs.splice(0).map((dir) => rm(dir, { recursive: true, force: true })));
  },
});

test('errors keep their kind across the thread; a second open of the folder is refused; calls after close fail', async () => {
  const dir = await mkdtemp(join(tmpdir(), 'ariadne-embedded-thread-'));
  const store = await openEmbeddedStoreInWorker({ dataDir: dir });
  try {
    await assert.rejects(store.getTrace('0af7651916cd43dd8448eb211c80319c'), (error) =>
      isAriadneError(error, 'TraceNotFound'),
    );
    await assert.rejects(openEmbeddedStoreInWorker({ dataDir: dir }), (error) =>
      isAriadneError(error, 'StorageFailure'),
    );
    await store.writeSpans([testSpan({ spanId: '00000000000000a1' })]);
    assert.equal((await store.getTrace('0af7651916cd43dd8448eb211c80319c')).length, 1);
  } finally {
    await store.close();
  }
  await assert.rejects(store.getServices(), (error) => isAriadneError(error, 'StorageFailure'));
  // Closed: the folder can be opened again, and the span is there.
  const again = await openEmbeddedStoreInWorker({ dataDir: dir });
  try {
    assert.equal((await again.getTrace('0af7651916cd43dd8448eb211c80319c')).length, 1);
  } finally {
    await again.close();
    await rm(dir, { recursive: true, force: true });
  }
});

test("a query's cancel reaches the store's thread: its search of a trace stops there", async () => {
  const dir = await mkdtemp(join(tmpdir(), 'ariadne-embedded-thread-'));
  const store = await openEmbeddedStoreInWorker({ dataDir: dir });
  try {
    await store.writeSpans([testSpan({ spanId: '00000000000000a1' })]);
    const traceId = '0af7651916cd43dd8448eb211c80319c';
    const deadline = QueryDeadline.after(30_000);
    assert.equal((await withQueryDeadline(deadline, () => store.findSpansInTrace(traceId, 'a1'))).length, 1);
    deadline.cancel();
    await assert.rejects(
      withQueryDeadline(deadline, () => store.findSpansInTrace(traceId, 'a1')),
      (error) => isAriadneError(error, 'QueryTimeout') && /cancelled/.test(error.message),
    );
  } finally {
    await store.close();
    await rm(dir, { recursive: true, force: true });
  }
});
