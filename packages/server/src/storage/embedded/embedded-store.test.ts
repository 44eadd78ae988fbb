import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { appendFile, cp, mkdtemp, readdir, rm, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, test } from 'node:test';
import { fileURLToPath } from 'node:url';
import { isAriadneError } from '@ariadne/protocol';
import { runResentSpansSuite } from '../conformance/resent-spans-suite.js';
import { runStoreSuite } from '../conformance/store-suite.js';
import { testSpan } from '../query/test-spans.js';
import type { SpanStore } from '../span-store.js';
import { type EmbeddedStoreOptions, openEmbeddedStore } from './embedded-store.js';

/** Runs the conformance suite over a fresh folder; `reopen` decides how a restart happens. */
function suiteOn(name: string, settings: Omit<EmbeddedStoreOptions, 'dataDir'>, crash: boolean): void {
  const dirs: string[] = [];
  const open = () => openEmbeddedStore({ dataDir: dirs.at(-1)!, maxHeadAgeMs: 3_600_000, ...settings });
  runStoreSuite({
    name,
    open: async () => {
      dirs.push(await mkdtemp(join(tmpdir(), 'ariadne-embedded-')));
      return open();
    },
    // A crash abandons the old instance without closing it: a copy of its folder
    // (what the disk holds after a kill, every acknowledged write fsynced) opens
    // while it still holds the lock, and only the WAL can bring the data back.
    reopen: async (store) => {
      if (!crash) {
        await store.close();
        return open();
      }
      const copy = await mkdtemp(join(tmpdir(), 'ariadne-embedded-'));
      await cp(dirs.at(-1)!, copy, { recursive: true });
      dirs.push(copy);
      return open();
    },
    cleanUp: async () => {
      await Promise.all(dirs.splice(0).map((dir) => rm(dir, { recursive: true, force: true })));
    },
  });
}

suiteOn('embedded (head and WAL, clean restarts)', {}, false);
suiteOn('embedded (head and WAL, crash restarts)', {}, true);
// (No crash variant here: an abandoned instance would still be cutting in the background;
// the real crash test below kills a child process instead.)
// Three spans per head: the fixtures end up in many blocks, traces split across blocks and the head.
suiteOn('embedded (tiny blocks)', { maxHeadSpans: 3 }, false);
// Nothing kept between reads: every block read loads its metadata, index and dictionary again.
suiteOn('embedded (tiny blocks, no block cache)', { maxHeadSpans: 3, blockCacheBytes: 0 }, false);

/** The re-sent spans suite (issue 13) on a fresh folder, reopened cleanly. */
function resentOn(name: string, settings: Omit<EmbeddedStoreOptions, 'dataDir'>, aggregatesCountCopies?: string): void {
  let dir = '';
  const open = () => openEmbeddedStore({ dataDir: dir, maxHeadAgeMs: 3_600_000, ...settings });
  runResentSpansSuite({
    name,
    open: async () => {
      dir = await mkdtemp(join(tmpdir(), 'ariadne-embedded-'));
      return open();
    },
    reopen: async (store) => {
      await store.close();
      return open();
    },
    cleanUp: () => rm(dir, { recursive: true, force: true }),
    ...(aggregatesCountCopies === undefined ? {} : { aggregatesCountCopies }),
  });
}

resentOn('embedded', {});
// Copies caught in many blocks and the head.
resentOn('embedded (tiny blocks)', { maxHeadSpans: 3 });
resentOn('embedded (tiny blocks, no block cache)', { maxHeadSpans: 3, blockCacheBytes: 0 });
// A window of 5 spans lets most copies be stored, in many blocks and the head: reads must skip them.
resentOn(
  'embedded (a window of 5 recent spans)',
  { maxHeadSpans: 3, recentSpans: 5 },
  'copies from outside the window of recent spans are stored; reads show them once, RED and dependencies count them',
);

const span = (trace: number, n: number) =>
  testSpan({
    traceId: trace.toString(16).padStart(32, 'a'),
    spanId: n.toString(16).padStart(16, '0'),
    parentSpanId: n === 1 ? '' : '1'.padStart(16, '0'),
    name: `op-${n % 3}`,
    startTimeUnixNano: 1_700_000_000_000_000_000n + BigInt(trace * 1000 + n),
  });

/** Starts the crash writer, SIGKILLs it once `count` batches are acknowledged, returns their numbers. */
function runAndKill(dataDir: string, maxHeadSpans: number, count: number): Promise<number[]> {
  const script = fileURLToPath(new URL('./crash-writer.fixture.ts', import.meta.url));
  const child = spawn(
    process.execPath,
    ['--conditions=ariadne-source', '--import', 'tsx', script, dataDir, String(maxHeadSpans)],
    {
      stdio: ['ignore', 'pipe', 'pipe'],
    },
  );
  const acknowledged: number[] = [];
  let stderr = '';
  child.stderr.on('data', (chunk) => {
    stderr += chunk;
  });
  let pending = '';
  return new Promise((resolve, reject) => {
    child.stdout.on('data', (chunk: Buffer) => {
      pending += chunk.toString();
      const lines = pending.split('\n');
      pending = lines.pop()!;
      for (const line of lines) acknowledged.push(Number(line));
      if (acknowledged.length >= count) child.kill('SIGKILL');
    });
    child.on('exit', (code, signal) => {
      if (signal === 'SIGKILL') resolve(acknowledged);
      else reject(new Error(`crash writer exited with ${code}: ${stderr}`));
    });
  });
}

describe('embedded store durability', () => {
  const dirs: string[] = [];
  const freshDir = async () => {
    const dir = await mkdtemp(join(tmpdir(), 'ariadne-embedded-'));
    dirs.push(dir);
    return dir;
  };
  after(() => Promise.all(dirs.map((dir) => rm(dir, { recursive: true, force: true }))));

  async function assertHasAll(store: SpanStore, traces: number, spansPerTrace: number): Promise<void> {
    for (let trace = 1; trace <= traces; trace++) {
      const stored = await store.getTrace(span(trace, 1).traceId);
      assert.equal(stored.length, spansPerTrace, `trace ${trace}`);
    }
  }

  test('every acknowledged span survives a crash (no close)', async () => {
    const dataDir = await freshDir();
    const first = await openEmbeddedStore({ dataDir, maxHeadSpans: 25, maxHeadAgeMs: 3_600_000 });
    const writes: Promise<void>[] = [];
    for (let n = 1; n <= 10; n++) {
      writes.push(first.writeSpans(Array.from({ length: 10 }, (_, t) => span(t + 1, n))));
    }
    await Promise.all(writes);
    // Stop `first` from cutting in the background, as a dead process would.
    await first.close();
    const second = await openEmbeddedStore({ dataDir, maxHeadAgeMs: 3_600_000 });
    await assertHasAll(second, 10, 10);
    await second.close();
  });

  for (const maxHeadSpans of [100_000, 40]) {
    test(`a process killed mid-write keeps every acknowledged batch (head of ${maxHeadSpans} spans)`, async () => {
      const dataDir = await freshDir();
      const acknowledged = await runAndKill(dataDir, maxHeadSpans, 60);
      const store = await openEmbeddedStore({ dataDir, maxHeadAgeMs: 3_600_000 });
      for (const n of acknowledged) {
        const spans = await store.getTrace(n.toString(16).padStart(32, 'c'));
        assert.equal(spans.length, 5, `batch ${n}`);
        assert.ok(spans.every((stored) => stored.name === `batch-${n}`));
      }
      await store.close();
    });
  }

  /** What the disk holds if the process using `dataDir` died now: a copy, opened while the original stays locked. */
  const crashCopy = async (dataDir: string) => {
    const copy = await freshDir();
    await cp(dataDir, copy, { recursive: true });
    return copy;
  };

  test('a replayed WAL replays again after a second crash (the new segment carries the tables anew)', async () => {
    // Crash images: copies of the folder while the store that wrote it still runs.
    const crashImage = async (from: string) => {
      const to = await freshDir();
      await cp(from, to, { recursive: true });
      return to;
    };
    const first = await freshDir();
    const a = await openEmbeddedStore({ dataDir: first, maxHeadAgeMs: 3_600_000 });
    await a.writeSpans([span(1, 1), span(1, 2)]);
    const second = await crashImage(first);
    const b = await openEmbeddedStore({ dataDir: second, maxHeadAgeMs: 3_600_000 });
    // Strings and resources the replay already put in the head's tables, and new ones.
    const later = [
      span(1, 3),
      { ...span(2, 1), name: 'only after the replay' },
      testSpan({ ...span(3, 1), service: 'other' }),
    ];
    await b.writeSpans(later);
    const third = await crashImage(second);
    const c = await openEmbeddedStore({ dataDir: third, maxHeadAgeMs: 3_600_000 });
    assert.deepStrictEqual(await c.getTrace(span(1, 1).traceId), [span(1, 1), span(1, 2), span(1, 3)]);
    assert.deepStrictEqual(await c.getTrace(later[1]!.traceId), [later[1]]);
    assert.deepStrictEqual(await c.getTrace(later[2]!.traceId), [later[2]]);
    await Promise.all([a.close(), b.close(), c.close()]);
  });

  test('a torn or corrupt WAL tail is cut away, not fatal', async () => {
    const original = await freshDir();
    const first = await openEmbeddedStore({ dataDir: original, maxHeadAgeMs: 3_600_000 });
    await first.writeSpans([span(1, 1), span(1, 2)]);
    await first.writeSpans([span(2, 1)]);
    const dataDir = await crashCopy(original);
    const walDir = join(dataDir, 'wal');
    const [segment] = (await readdir(walDir)).sort().slice(-1);
    const segmentPath = join(walDir, segment!);
    const intactSize = (await stat(segmentPath)).size;
    // A record header promising more bytes than follow (torn write), then noise.
    const torn = Buffer.alloc(8 + 5);
    torn.writeUInt32LE(1_000, 0);
    torn.writeUInt32LE(0xdeadbeef, 4);
    await appendFile(segmentPath, Buffer.concat([torn, Buffer.from('garbage after a crash')]));

    const second = await openEmbeddedStore({ dataDir, maxHeadAgeMs: 3_600_000 });
    assert.equal((await stat(segmentPath)).size, intactSize, 'the corrupt tail is truncated');
    assert.equal((await second.getTrace(span(1, 1).traceId)).length, 2);
    assert.equal((await second.getTrace(span(2, 1).traceId)).length, 1);
    // New writes after the repair are not hidden behind the old garbage.
    await second.writeSpans([span(3, 1)]);
    const third = await openEmbeddedStore({ dataDir: await crashCopy(dataDir), maxHeadAgeMs: 3_600_000 });
    assert.equal((await third.getTrace(span(3, 1).traceId)).length, 1);
    assert.equal((await third.getTrace(span(1, 1).traceId)).length, 2);
    await Promise.all([first.close(), second.close(), third.close()]);
  });

  test('a record with a bad checksum ends the log there', async () => {
    const original = await freshDir();
    const first = await openEmbeddedStore({ dataDir: original, maxHeadAgeMs: 3_600_000 });
    await first.writeSpans([span(1, 1)]);
    const dataDir = await crashCopy(original);
    const walDir = join(dataDir, 'wal');
    const [segment] = (await readdir(walDir)).sort().slice(-1);
    const bogus = Buffer.alloc(8 + 4);
    bogus.writeUInt32LE(4, 0);
    bogus.writeUInt32LE(12345, 4);
    await appendFile(join(walDir, segment!), bogus);
    const second = await openEmbeddedStore({ dataDir, maxHeadAgeMs: 3_600_000 });
    assert.equal((await second.getTrace(span(1, 1).traceId)).length, 1);
    await Promise.all([first.close(), second.close()]);
  });

  test('cutting writes blocks and retires the WAL segments they cover', async () => {
    const dataDir = await freshDir();
    const store = await openEmbeddedStore({ dataDir, maxHeadSpans: 10, maxHeadAgeMs: 3_600_000 });
    for (let n = 1; n <= 5; n++) await store.writeSpans(Array.from({ length: 6 }, (_, t) => span(t + 1, n)));
    await store.close();
    const blocks = await readdir(join(dataDir, 'blocks'));
    assert.ok(blocks.length >= 2, `several blocks, got ${blocks.join(', ')}`);
    assert.ok(blocks.every((name) => name.endsWith('.blk')));
    const wal = await readdir(join(dataDir, 'wal'));
    for (const name of wal) assert.equal((await stat(join(dataDir, 'wal', name))).size, 0, `${name} is retired`);
    const reopened = await openEmbeddedStore({ dataDir });
    await assertHasAll(reopened, 6, 5);
    await reopened.close();
  });
});

describe('embedded store retention', () => {
  const HOUR = 3_600_000_000_000n;
  const t0 = 1_700_000_000_000_000_000n - (1_700_000_000_000_000_000n % HOUR); // on an hour boundary
  const at = (trace: number, start: bigint, service = 'svc') =>
    testSpan({
      traceId: trace.toString(16).padStart(32, 'e'),
      spanId: '1'.padStart(16, '0'),
      service,
      startTimeUnixNano: start,
      endTimeUnixNano: start + 1_000n,
    });
  let dataDir = '';
  after(() => rm(dataDir, { recursive: true, force: true }));
  const blockFiles = async () => (await readdir(join(dataDir, 'blocks'))).filter((name) => name.endsWith('.blk'));

  test('blocks never mix hours; whole blocks past the retention are deleted at open and periodically', async () => {
    dataDir = await mkdtemp(join(tmpdir(), 'ariadne-retention-'));
    let now = t0 + 2n * HOUR + HOUR / 2n;
    const settings = { maxHeadAgeMs: 3_600_000, now: () => now };
    // One cut holding three hours (and a trace across the first boundary) makes three blocks.
    const first = await openEmbeddedStore({ dataDir, ...settings });
    await first.writeSpans([
      at(1, t0 + 10n),
      at(2, t0 + HOUR - 1n),
      { ...at(2, t0 + HOUR + 1n), spanId: '2'.padStart(16, '0') },
      at(3, t0 + HOUR + HOUR / 4n),
      at(4, t0 + 2n * HOUR + 5n, 'late'),
    ]);
    await first.close();
    assert.equal((await blockFiles()).length, 3, 'one block per hour');

    // Retention of 1 h at 2:30: the hour-0 block ends before 1:30 and goes; hour 1 ends at 1:15 and goes too.
    const second = await openEmbeddedStore({ dataDir, ...settings, retentionNanos: HOUR });
    assert.equal((await blockFiles()).length, 1, 'expired blocks are deleted at open');
    await assert.rejects(second.getTrace(at(1, 0n).traceId), (error) => isAriadneError(error, 'TraceNotFound'));
    await assert.rejects(second.getTrace(at(3, 0n).traceId), (error) => isAriadneError(error, 'TraceNotFound'));
    assert.equal((await second.getTrace(at(4, 0n).traceId)).length, 1);
    assert.deepEqual(await second.getServices(), ['late']);
    await second.close();

    // Periodically: once the clock moves past the last block, it goes while the store runs.
    const third = await openEmbeddedStore({ dataDir, ...settings, retentionNanos: HOUR, retentionCheckMs: 10 });
    assert.equal((await blockFiles()).length, 1);
    now += 2n * HOUR;
    while ((await blockFiles()).length > 0) await new Promise((resolve) => setTimeout(resolve, 10));
    await assert.rejects(third.getTrace(at(4, 0n).traceId), (error) => isAriadneError(error, 'TraceNotFound'));
    assert.deepEqual(await third.getServices(), []);
    await third.close();
  });
});
