import assert from 'node:assert/strict';
import { mkdir, mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { promisify } from 'node:util';
import { brotliDecompressSync, crc32, deflateRaw, deflateRawSync, inflateRawSync } from 'node:zlib';
import { testSpan } from '../query/test-spans.js';
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

/**
 * The block at `path` (version 6, written through `writeSpans`: no text in place) rewritten as version 4 wrote it: the same
 * but for its tables, deflated rather than Brotli, and the offsets after them.
 */
async function asVersion4(path: string): Promise<void> {
  const bytes = await readFile(path);
  const footerAt = bytes.length - 40;
  const metaOffset = Number(bytes.readBigInt64LE(footerAt));
  const metaLength = bytes.readUInt32LE(footerAt + 8);
  const indexOffset = Number(bytes.readBigInt64LE(footerAt + 12));
  const indexLength = bytes.readUInt32LE(footerAt + 20);
  const traceCount = bytes.readUInt32LE(footerAt + 24);
  const meta = JSON.parse(inflateRawSync(bytes.subarray(metaOffset, metaOffset + metaLength)).toString('utf8'));
  assert.equal(meta.version, 6);
  const tables = brotliDecompressSync(
    bytes.subarray(meta.dictionaryOffset, meta.dictionaryOffset + meta.dictionaryLength),
  );
  const deflated = deflateRawSync(tables);
  const aggregates = bytes.subarray(meta.aggregatesOffset, meta.aggregatesOffset + meta.aggregatesLength);
  const head = bytes.subarray(0, meta.dictionaryOffset);
  const aggregatesOffset = head.length + deflated.length;
  const oldMeta = { ...meta, version: 4, dictionaryLength: deflated.length, aggregatesOffset };
  const metaBytes = deflateRawSync(Buffer.from(JSON.stringify(oldMeta)));
  const index = bytes.subarray(indexOffset, indexOffset + indexLength);
  const footer = new ByteWriter(40);
  footer.i64(BigInt(aggregatesOffset + aggregates.length));
  footer.u32(metaBytes.length);
  footer.i64(BigInt(aggregatesOffset + aggregates.length + metaBytes.length));
  footer.u32(index.length);
  footer.u32(traceCount);
  footer.u32(crc32(index, crc32(metaBytes)));
  footer.raw(Buffer.from('ARDNBLK2'));
  await writeFile(path, Buffer.concat([head, deflated, aggregates, metaBytes, index, footer.bytes()]));
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
    await assert.rejects(BlockReader.open(path), /block format version 3 is not readable .* reads versions 4, 5, 6/);
  });

  test('a store whose blocks are of version 4 (deflated tables) opens and reads them', async () => {
    const dataDir = join(dir, 'version-4');
    const span = testSpan({ attributes: [{ key: 'note', value: { type: 'string', value: 'kept in the tables' } }] });
    const store = await openEmbeddedStore({ dataDir });
    await store.writeSpans([span]);
    await store.close();
    const blocks = (await readdir(join(dataDir, 'blocks'))).filter((name) => name.endsWith('.blk'));
    assert.equal(blocks.length, 1);
    await asVersion4(join(dataDir, 'blocks', blocks[0]!));
    const reopened = await openEmbeddedStore({ dataDir });
    try {
      assert.deepEqual(await reopened.getTrace(span.traceId), [span]);
    } finally {
      await reopened.close();
    }
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
