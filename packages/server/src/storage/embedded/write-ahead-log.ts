import { type FileHandle, open, readdir, readFile, truncate, unlink } from 'node:fs/promises';
import { join } from 'node:path';
import { crc32 } from 'node:zlib';
import { AriadneError } from '@ariadne/protocol';
import { fsyncDirectory } from './fsync-directory.js';

/**
 * Write-ahead log: numbered segment files of records
 * `[u32 payload length][u32 crc32 of payload][payload]` (little-endian).
 * Generic over payloads; the store puts one encoded batch in each record.
 */
const HEADER_BYTES = 8;
const SEGMENT = /^(\d{16})\.wal$/;

export function segmentFileName(segment: number): string {
  return `${segment.toString().padStart(16, '0')}.wal`;
}

export async function listSegments(dir: string): Promise<number[]> {
  const names = await readdir(dir);
  return names
    .map((name) => SEGMENT.exec(name)?.[1])
    .filter((seq): seq is string => seq !== undefined)
    .map(Number)
    .sort((a, b) => a - b);
}

export function frameRecord(payload: Uint8Array): Buffer {
  const record = Buffer.allocUnsafe(HEADER_BYTES + payload.length);
  record.writeUInt32LE(payload.length, 0);
  record.writeUInt32LE(crc32(payload), 4);
  record.set(payload, HEADER_BYTES);
  return record;
}

export interface SegmentContents {
  readonly payloads: Buffer[];
  /** Bytes after the last whole, intact record (a torn or corrupt tail); 0 normally. */
  readonly discardedBytes: number;
}

/**
 * Reads one segment. A record cut short or failing its checksum ends the
 * segment: it is what a crash in the middle of a write leaves behind, and
 * nothing after it was ever acknowledged (writes resolve only after fsync, in
 * order). With `repair`, the file is truncated to its intact prefix so that
 * later appends cannot hide behind garbage.
 */
export async function readSegment(path: string, repair: boolean): Promise<SegmentContents> {
  const data = await readFile(path);
  const payloads: Buffer[] = [];
  let offset = 0;
  while (offset + HEADER_BYTES <= data.length) {
    const length = data.readUInt32LE(offset);
    const checksum = data.readUInt32LE(offset + 4);
    const end = offset + HEADER_BYTES + length;
    if (end > data.length) break;
    const payload = data.subarray(offset + HEADER_BYTES, end);
    if (crc32(payload) !== checksum) break;
    payloads.push(payload);
    offset = end;
  }
  const discardedBytes = data.length - offset;
  if (discardedBytes > 0 && repair) await truncate(path, offset);
  return { payloads, discardedBytes };
}

type Entry =
  | { readonly kind: 'record'; readonly bytes: Buffer; resolve(): void; reject(error: unknown): void }
  | { readonly kind: 'rotate'; readonly segment: number; resolve(): void; reject(error: unknown): void };

/**
 * Appends records to the current segment. Every append resolves after the
 * fdatasync that covers it; appends that arrive while a sync is running share
 * the next one (group commit), so throughput does not pay one fsync per batch.
 */
export class WalWriter {
  readonly #dir: string;
  #handle: FileHandle;
  #segment: number;
  #queue: Entry[] = [];
  #flushing = false;
  #idle: (() => void)[] = [];
  #failed: unknown;

  private constructor(dir: string, handle: FileHandle, segment: number) {
    this.#dir = dir;
    this.#handle = handle;
    this.#segment = segment;
  }

  static async open(dir: string, segment: number): Promise<WalWriter> {
    const handle = await open(join(dir, segmentFileName(segment)), 'a');
    await fsyncDirectory(dir);
    return new WalWriter(dir, handle, segment);
  }

  /** The segment that appends made from now on go to. */
  get segment(): number {
    return this.#segment + this.#queue.filter((entry) => entry.kind === 'rotate').length;
  }

  append(payload: Uint8Array): Promise<void> {
    return new Promise((resolve, reject) => {
      this.#queue.push({ kind: 'record', bytes: frameRecord(payload), resolve, reject });
      this.#kick();
    });
  }

  /**
   * Starts a new segment: appends queued before this call land in the old one,
   * appends after it in the new one. Returns the old segment's number and a
   * promise that resolves once the old segment is synced and closed.
   */
  rotate(): { readonly closedSegment: number; readonly closed: Promise<void> } {
    const closedSegment = this.segment;
    const closed = new Promise<void>((resolve, reject) => {
      this.#queue.push({ kind: 'rotate', segment: closedSegment + 1, resolve, reject });
    });
    this.#kick();
    return { closedSegment, closed };
  }

  /** Waits for every queued append, then closes the segment. */
  async close(): Promise<void> {
    await new Promise<void>((resolve) => {
      if (!this.#flushing && this.#queue.length === 0) resolve();
      else this.#idle.push(resolve);
    });
    await this.#handle.close();
  }

  #kick(): void {
    if (this.#flushing) return;
    this.#flushing = true;
    void this.#flush().finally(() => {
      this.#flushing = false;
      if (this.#queue.length > 0) this.#kick();
      else for (const resolve of this.#idle.splice(0)) resolve();
    });
  }

  async #flush(): Promise<void> {
    while (this.#queue.length > 0) {
      const rotateAt = this.#queue.findIndex((entry) => entry.kind === 'rotate');
      const records = this.#queue.splice(0, rotateAt === -1 ? this.#queue.length : rotateAt);
      if (records.length > 0) await this.#settle(records, () => this.#writeAndSync(records));
      const next = this.#queue[0];
      if (next?.kind === 'rotate') {
        this.#queue.shift();
        // Counted as current at once: `segment` adds the rotations still queued,
        // and one taken from the queue but not yet opened must not be missed.
        this.#segment = next.segment;
        await this.#settle([next], async () => {
          await this.#handle.close();
          this.#handle = await open(join(this.#dir, segmentFileName(next.segment)), 'a');
          await fsyncDirectory(this.#dir);
        });
      }
    }
  }

  async #writeAndSync(records: Entry[]): Promise<void> {
    if (this.#failed !== undefined) throw this.#failed;
    const bytes = Buffer.concat(records.map((entry) => (entry.kind === 'record' ? entry.bytes : Buffer.alloc(0))));
    await this.#handle.write(bytes);
    await this.#handle.datasync();
  }

  async #settle(entries: Entry[], work: () => Promise<void>): Promise<void> {
    try {
      await work();
      for (const entry of entries) entry.resolve();
    } catch (cause) {
      // After a failed write the file's tail is unknown: refuse further appends
      // rather than acknowledge records that may sit behind garbage.
      this.#failed ??= cause;
      const error = new AriadneError('StorageFailure', 'write-ahead log write failed', { cause });
      for (const entry of entries) entry.reject(error);
    }
  }
}

export async function deleteSegmentsUpTo(dir: string, lastSegment: number): Promise<void> {
  for (const segment of await listSegments(dir)) {
    if (segment <= lastSegment) await unlink(join(dir, segmentFileName(segment)));
  }
  await fsyncDirectory(dir);
}
