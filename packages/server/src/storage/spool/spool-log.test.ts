import assert from 'node:assert/strict';
import { appendFile, mkdtemp, readdir, rm, stat, truncate } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, test } from 'node:test';
import { segmentFileName } from '../embedded/write-ahead-log.js';
import { SpoolGroup } from './spool-group.js';
import { SpoolLog } from './spool-log.js';

const record = (text: string, maybeStored = false) => ({
  maybeStored,
  spanCount: text.length,
  appendedAtMs: 1_000 + text.length,
  batch: Buffer.from(text),
});
const texts = (group: { record: { batch: Uint8Array } }[]) =>
  group.map(({ record }) => Buffer.from(record.batch).toString());

describe('spool log', () => {
  let dir: string;
  beforeEach(async () => {
    dir = await mkdtemp(join(tmpdir(), 'ariadne-spool-'));
  });
  afterEach(() => rm(dir, { recursive: true, force: true }));

  test('appends come back in order, across reopening, until replayed', async () => {
    const group = new SpoolGroup(1 << 20);
    const { log } = await SpoolLog.open(dir, { account: group });
    await Promise.all(['a', 'bb', 'ccc', 'dddd'].map((text) => log.append(record(text))));
    assert.equal(log.size, 4);
    assert.equal(log.oldestAppendedAtMs, 1_001);
    assert.ok(group.bytes > 0 && group.bytes === log.diskBytes);
    const first = await log.oldest(3); // a, bb: ccc would pass 3 spans
    assert.deepEqual(texts(first), ['a', 'bb']);
    await log.markReplayed(first.map(({ entry }) => entry));
    await log.close();
    assert.equal(group.bytes, 0);

    const reopened = await SpoolLog.open(dir, { account: group });
    assert.equal(reopened.recovery.entries, 2);
    const rest = await reopened.log.oldest(100);
    assert.deepEqual(texts(rest), ['ccc', 'dddd']);
    assert.equal(rest[0]!.entry.maybeStored, false);
    await reopened.log.markReplayed(rest.map(({ entry }) => entry));
    assert.equal(reopened.log.size, 0);
    // Replayed to the end: the files shrink to one empty segment.
    const segments = (await readdir(dir)).filter((name) => name.endsWith('.wal'));
    assert.equal(segments.length, 1);
    assert.equal((await stat(join(dir, segments[0]!))).size, 0);
    assert.equal(reopened.log.diskBytes, 0);
    await reopened.log.close();
  });

  test('a crash during a replay insert leaves those batches maybe stored; the flag in a record survives', async () => {
    const { log } = await SpoolLog.open(dir);
    for (const text of ['one', 'two', 'three']) await log.append(record(text, text === 'three'));
    const first = await log.oldest(6);
    assert.deepEqual(texts(first), ['one', 'two']);
    await log.markAttempted(first.map(({ entry }) => entry));
    // No markReplayed: the process "died" during the insert.
    await log.close();
    const { log: reopened } = await SpoolLog.open(dir);
    const all = await reopened.oldest(100);
    assert.deepEqual(
      all.map(({ entry }) => entry.maybeStored),
      [true, true, true],
    );
    await reopened.close();
    const { log: again } = await SpoolLog.open(dir);
    const second = await again.oldest(100);
    await again.markReplayed(second.slice(0, 2).map(({ entry }) => entry));
    await again.close();
    const { log: last } = await SpoolLog.open(dir);
    const left = await last.oldest(100);
    assert.deepEqual(texts(left), ['three']);
    assert.equal(left[0]!.entry.maybeStored, true);
    await last.close();
  });

  test('a torn tail is dropped, every whole record before it kept', async () => {
    const { log } = await SpoolLog.open(dir);
    for (const text of ['kept-1', 'kept-2', 'torn-3']) await log.append(record(text));
    await log.close();
    const [segment] = (await readdir(dir)).filter((name) => name.endsWith('.wal'));
    const path = join(dir, segment!);
    // The last append cut short, as a crash in the middle of its write leaves it.
    await truncate(path, (await stat(path)).size - 3);
    const { log: reopened, recovery } = await SpoolLog.open(dir);
    assert.ok(recovery.discardedBytes > 0);
    assert.deepEqual(texts(await reopened.oldest(100)), ['kept-1', 'kept-2']);
    // Later appends go to a new segment and read back after the kept ones.
    await reopened.append(record('after'));
    assert.deepEqual(texts(await reopened.oldest(100)), ['kept-1', 'kept-2']);
    await reopened.close();
    const { log: third } = await SpoolLog.open(dir);
    const a = await third.oldest(100);
    await third.markReplayed(a.map(({ entry }) => entry));
    assert.deepEqual(texts(await third.oldest(100)), ['after']);
    await third.close();
  });

  test('garbage after the last record (a torn frame header) is dropped too', async () => {
    const { log } = await SpoolLog.open(dir);
    await log.append(record('whole'));
    await log.close();
    const [segment] = (await readdir(dir)).filter((name) => name.endsWith('.wal'));
    await appendFile(join(dir, segment!), Buffer.from([0xff, 0xff, 0x00]));
    const { log: reopened, recovery } = await SpoolLog.open(dir);
    assert.equal(recovery.discardedBytes, 3);
    assert.deepEqual(texts(await reopened.oldest(100)), ['whole']);
    await reopened.close();
  });

  test('segments rotate past their size and are deleted once replayed', async () => {
    const group = new SpoolGroup(1 << 20);
    const { log } = await SpoolLog.open(dir, { segmentBytes: 64, account: group });
    for (let i = 0; i < 10; i++) await log.append(record(`batch-${i}-${'x'.repeat(40)}`));
    const segmentsOf = async () => (await readdir(dir)).filter((name) => name.endsWith('.wal')).sort();
    assert.ok((await segmentsOf()).length >= 5);
    const seen: string[] = [];
    while (log.size > 0) {
      const group = await log.oldest(1_000);
      seen.push(...texts(group));
      await log.markReplayed(group.map(({ entry }) => entry));
    }
    assert.deepEqual(
      seen.map((text) => text.split('-')[1]),
      ['0', '1', '2', '3', '4', '5', '6', '7', '8', '9'],
    );
    assert.deepEqual(await segmentsOf(), [segmentFileName(Number((await segmentsOf())[0]!.slice(0, 16)))]);
    assert.equal(group.bytes, 0);
    await log.close();
  });
});
