import assert from 'node:assert/strict';
import { mkdtemp, readdir, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { openStore } from './open-store.js';
import { testSpan } from './query/test-spans.js';

test('openStore opens the memory store with its trace limit', async () => {
  const store = await openStore({ storage: 'memory', dataDir: '/nonexistent', maxTraces: 1 });
  await store.writeSpans([testSpan({ traceId: '1'.repeat(32) }), testSpan({ traceId: '2'.repeat(32) })]);
  await assert.rejects(store.getTrace('1'.repeat(32)));
  assert.equal((await store.getTrace('2'.repeat(32))).length, 1);
  await store.close();
});

test('openStore opens the embedded store in the data folder', async () => {
  const dataDir = await mkdtemp(join(tmpdir(), 'ariadne-open-store-'));
  try {
    const store = await openStore({ storage: 'embedded', dataDir });
    await store.writeSpans([testSpan()]);
    await store.close();
    // recent-spans: the write-time dedupe's window, saved by a clean close.
    assert.deepEqual((await readdir(dataDir)).sort(), ['blocks', 'recent-spans', 'wal']);
    const reopened = await openStore({ storage: 'embedded', dataDir });
    assert.equal((await reopened.getTrace(testSpan().traceId)).length, 1);
    await reopened.close();
  } finally {
    await rm(dataDir, { recursive: true, force: true });
  }
});

test('openStore hands the retention to the embedded store', async () => {
  const dataDir = await mkdtemp(join(tmpdir(), 'ariadne-open-store-'));
  try {
    const store = await openStore({ storage: 'embedded', dataDir });
    await store.writeSpans([testSpan()]); // started in 2023: older than an hour
    await store.close();
    const reopened = await openStore({ storage: 'embedded', dataDir, retentionNanos: 3_600_000_000_000n });
    await assert.rejects(reopened.getTrace(testSpan().traceId));
    await reopened.close();
  } finally {
    await rm(dataDir, { recursive: true, force: true });
  }
});
