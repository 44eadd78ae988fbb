import assert from 'node:assert/strict';
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { promisify } from 'node:util';
import { crc32, deflateRaw } from 'node:zlib';
import { BlockReader } from './block-file.js';
import { ByteWriter } from './byte-writer.js';
import { openEmbeddedStore } from './embedded-store.js';
import { frameRecord, segmentFileName } from './write-ahead-log.js';

const deflate = promisify(deflateRaw);

/** A block file as version 3 wrote it, reduced to what opening reads: magic, meta, index, footer. */
async function version3Block(path: string): Promise<void> {
  const magic = Buffer.from('ARDNBLK2');
  const meta = await deflate(Buffer.from(JSON.stringify({ version: 3, traceCount: 0, pages: [] })));
  const index = await deflate(Buffer.alloc(0));
  const footer = new ByteWriter(40);
  footer.i64(BigInt(magic.length));
  footer.u32(meta.length);
  footer.i64(BigInt(magic.length + meta.length));
  footer.u32(index.length);
  footer.u32(0);
  footer.u32(crc32(index, crc32(meta)));
  footer.raw(magic);
  await writeFile(path, Buffer.concat([magic, meta, index, footer.bytes()]));
}

describe('files of an older format', () => {
  let dir: string;
  before(async () => {
    dir = await mkdtemp(join(tmpdir(), 'ariadne-old-formats-'));
  });
  after(() => rm(dir, { recursive: true, force: true }));

  test('a block of format version 3 is refused with its version named', async () => {
    const path = join(dir, 'old.blk');
    await version3Block(path);
    await assert.rejects(BlockReader.open(path), /block format version 3 is not readable .* reads version 4/);
  });

  test('a store whose WAL holds a record of the previous format does not open, and says why', async () => {
    const dataDir = join(dir, 'store');
    await mkdir(join(dataDir, 'wal'), { recursive: true });
    // Version 2 records began with their version byte, then a string table.
    await writeFile(join(dataDir, 'wal', segmentFileName(1)), frameRecord(Buffer.from([2, 0, 0, 0, 0])));
    await assert.rejects(openEmbeddedStore({ dataDir }), /WAL record version 2 is not readable/);
    // The refusal leaves the folder usable by the version that wrote it: the lock is released.
    await rm(join(dataDir, 'wal', segmentFileName(1)));
    const store = await openEmbeddedStore({ dataDir });
    await store.close();
  });
});
