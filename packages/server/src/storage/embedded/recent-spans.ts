import { readFile, rename, unlink, writeFile } from 'node:fs/promises';
import { crc32 } from 'node:zlib';
import { BoundedHashTable } from './bounded-hash-table.js';

const MAGIC = Buffer.from('ARDNRCT1');

/**
 * The write-time dedupe: the content hashes (ids, times and every field,
 * computed as the span is encoded: `SpanEncoder.recordAdmitted`) of the last
 * `window` spans the store took, at least, and at most twice as many. A span
 * whose hash is there is a client's retry, or a copy earlier in its batch,
 * and is not stored again. Memory: 8 bytes a slot, in two generations of at
 * most the power of two at or above 2 × window slots each (16 MB for the
 * default window of 500,000 spans), reached only once that many spans went
 * through.
 */
export class RecentSpans {
  readonly #hashes: BoundedHashTable;

  constructor(window: number) {
    this.#hashes = new BoundedHashTable(window, []);
  }

  /** True, remembering the hash, when no span with this content hash was taken recently. */
  readonly admit = (hash0: number, hash1: number): boolean => this.#hashes.addIfAbsent(hash0, hash1);

  /**
   * Writes the hashes to a file (`MAGIC`, u32 count, the hashes as u32
   * pairs, crc32 of all before it), so that a clean restart keeps the window.
   */
  async save(path: string): Promise<void> {
    const keys = this.#hashes.keys();
    const bytes = Buffer.alloc(MAGIC.length + 4 + keys.byteLength + 4);
    MAGIC.copy(bytes, 0);
    bytes.writeUInt32LE(keys.length / 2, MAGIC.length);
    Buffer.from(keys.buffer, keys.byteOffset, keys.byteLength).copy(bytes, MAGIC.length + 4);
    bytes.writeUInt32LE(crc32(bytes.subarray(0, bytes.length - 4)), bytes.length - 4);
    await writeFile(`${path}.tmp`, bytes);
    await rename(`${path}.tmp`, path);
  }

  /**
   * Takes the hashes of a file `save` wrote, and deletes it: it describes the
   * store as it was closed, not as it will be. A missing or damaged file
   * (a crash) adds nothing. Call after the WAL replay: spans the WAL still
   * holds must not be taken for copies of themselves.
   */
  async load(path: string): Promise<void> {
    let bytes: Buffer;
    try {
      bytes = await readFile(path);
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === 'ENOENT') return;
      throw error;
    }
    await unlink(path);
    if (bytes.length < MAGIC.length + 8 || !bytes.subarray(0, MAGIC.length).equals(MAGIC)) return;
    const count = bytes.readUInt32LE(MAGIC.length);
    if (bytes.length !== MAGIC.length + 4 + count * 8 + 4) return;
    if (crc32(bytes.subarray(0, bytes.length - 4)) !== bytes.readUInt32LE(bytes.length - 4)) return;
    for (let i = 0; i < count; i++) {
      const at = MAGIC.length + 4 + i * 8;
      this.#hashes.addIfAbsent(bytes.readUInt32LE(at), bytes.readUInt32LE(at + 4));
    }
  }
}
