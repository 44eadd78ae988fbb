import assert from 'node:assert/strict';
import { appendFile, mkdtemp, readdir, rm, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import {
  deleteSegmentsUpTo,
  frameRecord,
  listSegments,
  readSegment,
  segmentFileName,
  WalWriter,
} from './write-ahead-log.js';

describe('write-ahead log', () => {
  let dir: string;
  before(async () => {
    dir = await mkdtemp(join(tmpdir(), 'ariadne-wal-'));
  });
  after(() => rm(dir, { recursive: true, force: true }));

  test('concurrent appends all land, in order, and read back intact', async () => {
    const wal = await WalWriter.open(dir, 1);
    const payloads = Array.from({ length: 200 }, (_, i) => Buffer.from(`record ${i} ${'x'.repeat(i)}`));
    await Promise.all(payloads.map((payload) => wal.append(payload)));
    await wal.close();
    const { payloads: read, discardedBytes } = await readSegment(join(dir, segmentFileName(1)), false);
    assert.equal(discardedBytes, 0);
    assert.deepEqual(read.map(String), payloads.map(String));
  });

  test('rotate splits appends between segments at the call', async () => {
    const wal = await WalWriter.open(dir, 2);
    const before1 = wal.append(Buffer.from('old'));
    const { closedSegment, closed } = wal.rotate();
    const after1 = wal.append(Buffer.from('new'));
    assert.equal(closedSegment, 2);
    assert.equal(wal.segment, 3);
    await Promise.all([before1, after1, closed]);
    await wal.close();
    assert.deepEqual((await readSegment(join(dir, segmentFileName(2)), false)).payloads.map(String), ['old']);
    assert.deepEqual((await readSegment(join(dir, segmentFileName(3)), false)).payloads.map(String), ['new']);
    assert.deepEqual(await listSegments(dir), [1, 2, 3]);
  });

  test('rotations requested while one is being carried out each get a segment of their own', async () => {
    const own = await mkdtemp(join(tmpdir(), 'ariadne-wal-rotate-'));
    try {
      const wal = await WalWriter.open(own, 1);
      const appendThenRotate = async (text: string) => {
        const appended = wal.append(Buffer.from(text));
        wal.rotate();
        await appended;
      };
      // Each append resolves while the rotation queued behind it is still closing and opening files.
      for (const text of ['a', 'b', 'c', 'd']) await appendThenRotate(text);
      await wal.close();
      assert.deepEqual(await listSegments(own), [1, 2, 3, 4, 5]);
      assert.deepEqual((await readSegment(join(own, segmentFileName(4)), false)).payloads.map(String), ['d']);
    } finally {
      await rm(own, { recursive: true, force: true });
    }
  });

  test('a torn tail is reported and, when repairing, truncated', async () => {
    const path = join(dir, segmentFileName(3));
    const intact = (await stat(path)).size;
    const record = frameRecord(Buffer.from('never acknowledged'));
    await appendFile(path, record.subarray(0, record.length - 3));
    const seen = await readSegment(path, false);
    assert.equal(seen.discardedBytes, record.length - 3);
    assert.equal((await stat(path)).size, intact + record.length - 3);
    const repaired = await readSegment(path, true);
    assert.deepEqual(repaired.payloads.map(String), ['new']);
    assert.equal((await stat(path)).size, intact);
  });

  test('a flipped byte fails the checksum', async () => {
    const path = join(dir, segmentFileName(4));
    const record = frameRecord(Buffer.from('payload'));
    record[record.length - 1] = record[record.length - 1]! ^ 0xff;
    await appendFile(path, Buffer.concat([frameRecord(Buffer.from('good')), record]));
    const { payloads, discardedBytes } = await readSegment(path, false);
    assert.deepEqual(payloads.map(String), ['good']);
    assert.equal(discardedBytes, record.length);
  });

  test('retired segments are deleted', async () => {
    await deleteSegmentsUpTo(dir, 2);
    assert.deepEqual(await listSegments(dir), [3, 4]);
    assert.deepEqual((await readdir(dir)).sort(), [segmentFileName(3), segmentFileName(4)]);
  });
});
