import { mkdir, stat, unlink } from 'node:fs/promises';
import { join } from 'node:path';
import { AriadneError } from '@ariadne/protocol';
import { fsyncDirectory } from '../embedded/fsync-directory.js';
import { listSegments, readSegment, segmentFileName, WalWriter } from '../embedded/write-ahead-log.js';
import { comparePositions, readSpoolCursor, type SpoolPosition, writeSpoolCursor } from './spool-cursor.js';
import { decodeSpoolRecord, encodeSpoolRecord, type SpoolRecord } from './spool-record.js';

/** Bytes of the framing the WAL adds to each record (length and CRC). */
const FRAME_BYTES = 8;

/** One batch in the spool, not yet replayed. Its spans stay on disk until replay reads them. */
export interface SpoolEntry {
  readonly position: SpoolPosition;
  readonly spanCount: number;
  readonly appendedAtMs: number;
  /** Bytes it takes in its segment file, framing included. */
  readonly bytes: number;
  /** The store may hold some of its spans already (see SpoolRecord.maybeStored, and `attempted` in the cursor). */
  maybeStored: boolean;
  /** Fsynced: acknowledged, and replay may take it. */
  durable: boolean;
}

/** What the log reports about its files, for the shared byte budget. */
export interface SpoolDiskAccount {
  /** Bytes were added to the spool's files. */
  added(bytes: number): void;
  /** Bytes left them (a replayed segment deleted). */
  removed(bytes: number): void;
}

export interface SpoolLogOptions {
  /** A segment file is closed and a new one started past this size. Default 16 MiB. */
  readonly segmentBytes?: number;
  readonly account?: SpoolDiskAccount;
}

export interface SpoolRecovery {
  /** Bytes of torn or corrupt records dropped from segment tails (never acknowledged ones when at the end of the last segment). */
  readonly discardedBytes: number;
  readonly entries: number;
}

/**
 * The spool's files: numbered segment files of fsynced records (the embedded
 * store's WAL framing and group commit, `embedded/write-ahead-log.ts`) plus
 * a cursor saying how far replay got. Entries are replayed in append order;
 * a segment is deleted once replay has passed it. Recovery keeps every
 * record that was whole and intact, and drops a torn or corrupt tail: a
 * crash in the middle of an append leaves one, and that append was never
 * acknowledged (acknowledgment waits for the fsync, in order).
 */
export class SpoolLog {
  readonly #dir: string;
  readonly #segmentBytes: number;
  readonly #account: SpoolDiskAccount | undefined;
  #writer: WalWriter;
  /**
   * The segment appends go to now. Kept here, not read from the writer: its
   * count lags while a rotation is under way, and a position must name the
   * file the record really lands in.
   */
  #current: number;
  /** Entries not yet replayed, oldest first (durable ones form a prefix). */
  readonly #pending: SpoolEntry[] = [];
  /** Per segment still on disk: its size and how many records it holds (appends included). */
  readonly #segments = new Map<number, { bytes: number; records: number }>();
  #replayed: SpoolPosition;
  #cache: { segment: number; payloads: Buffer[] } | undefined;

  private constructor(dir: string, writer: WalWriter, replayed: SpoolPosition, options: SpoolLogOptions) {
    this.#dir = dir;
    this.#writer = writer;
    this.#current = writer.segment;
    this.#replayed = replayed;
    this.#segmentBytes = options.segmentBytes ?? 16 * 1024 * 1024;
    this.#account = options.account;
  }

  /** Opens (creating) the spool in `dir` and recovers what a previous process left. */
  static async open(dir: string, options: SpoolLogOptions = {}): Promise<{ log: SpoolLog; recovery: SpoolRecovery }> {
    await mkdir(dir, { recursive: true });
    const cursor = await readSpoolCursor(dir);
    const segments = await listSegments(dir);
    const found: { segment: number; bytes: number; entries: SpoolEntry[] }[] = [];
    let discardedBytes = 0;
    for (const [i, segment] of segments.entries()) {
      const path = join(dir, segmentFileName(segment));
      // Only the last segment can have been cut by a crash; repairing it keeps later appends clean.
      const contents = await readSegment(path, i === segments.length - 1);
      discardedBytes += contents.discardedBytes;
      const entries: SpoolEntry[] = [];
      for (const [record, payload] of contents.payloads.entries()) {
        const position = { segment, record };
        if (comparePositions(position, cursor.replayed) < 0) continue;
        const decoded = decodeSpoolRecord(payload);
        entries.push({
          position,
          spanCount: decoded.spanCount,
          appendedAtMs: decoded.appendedAtMs,
          bytes: payload.length + FRAME_BYTES,
          maybeStored: decoded.maybeStored || comparePositions(position, cursor.attempted) < 0,
          durable: true,
        });
      }
      found.push({ segment, bytes: (await stat(path)).size, entries });
    }
    // Always a fresh segment for new appends: nothing is appended to a file recovery read.
    const writer = await WalWriter.open(dir, (segments.at(-1) ?? 0) + 1);
    const log = new SpoolLog(dir, writer, cursor.replayed, options);
    for (const { segment, bytes, entries } of found) {
      if (entries.length === 0) {
        await unlink(join(dir, segmentFileName(segment)));
        continue;
      }
      log.#segments.set(segment, { bytes, records: Number.MAX_SAFE_INTEGER });
      log.#account?.added(bytes);
      log.#pending.push(...entries);
    }
    log.#segments.set(writer.segment, { bytes: 0, records: 0 });
    await fsyncDirectory(dir);
    return { log, recovery: { discardedBytes, entries: log.#pending.length } };
  }

  /** Entries not yet replayed (durable or being appended). */
  get size(): number {
    return this.#pending.length;
  }

  /** Bytes of the spool's segment files. */
  get diskBytes(): number {
    let total = 0;
    for (const { bytes } of this.#segments.values()) total += bytes;
    return total;
  }

  /** When the oldest entry not yet replayed was spooled, or undefined when none is. */
  get oldestAppendedAtMs(): number | undefined {
    return this.#pending[0]?.appendedAtMs;
  }

  /** Bytes an append of a batch of `batchBytes` adds to the files. */
  static recordBytes(batchBytes: number): number {
    return (
      encodeSpoolRecord({ maybeStored: false, spanCount: 0, appendedAtMs: 0, batch: new Uint8Array(0) }).length +
      FRAME_BYTES +
      batchBytes
    );
  }

  /** Appends a batch; resolves once it is fsynced (then, and only then, it may be acknowledged). */
  async append(record: SpoolRecord): Promise<SpoolEntry> {
    const payload = encodeSpoolRecord(record);
    const segment = this.#current;
    const info = this.#segments.get(segment) ?? { bytes: 0, records: 0 };
    this.#segments.set(segment, info);
    const entry: SpoolEntry = {
      position: { segment, record: info.records++ },
      spanCount: record.spanCount,
      appendedAtMs: record.appendedAtMs,
      bytes: payload.length + FRAME_BYTES,
      maybeStored: record.maybeStored,
      durable: false,
    };
    info.bytes += entry.bytes;
    this.#account?.added(entry.bytes);
    this.#pending.push(entry);
    const written = this.#writer.append(payload);
    if (info.bytes >= this.#segmentBytes) this.#rotate();
    try {
      await written;
    } catch (error) {
      const at = this.#pending.indexOf(entry);
      if (at >= 0) this.#pending.splice(at, 1);
      throw error;
    }
    entry.durable = true;
    return entry;
  }

  /**
   * The oldest durable entries, as many as fit `maxSpans` (at least one),
   * from one segment, with their records read back from disk. Empty when no
   * durable entry waits.
   */
  async oldest(maxSpans: number): Promise<{ entry: SpoolEntry; record: SpoolRecord }[]> {
    const first = this.#pending[0];
    if (first === undefined || !first.durable) return [];
    const group: SpoolEntry[] = [];
    let spans = 0;
    for (const entry of this.#pending) {
      if (!entry.durable || entry.position.segment !== first.position.segment) break;
      if (group.length > 0 && spans + entry.spanCount > maxSpans) break;
      group.push(entry);
      spans += entry.spanCount;
    }
    const last = group.at(-1)!.position.record;
    if (this.#cache?.segment !== first.position.segment || this.#cache.payloads.length <= last) {
      const contents = await readSegment(join(this.#dir, segmentFileName(first.position.segment)), false);
      this.#cache = { segment: first.position.segment, payloads: contents.payloads };
    }
    const payloads = this.#cache.payloads;
    return group.map((entry) => {
      const payload = payloads[entry.position.record];
      if (payload === undefined) {
        throw new AriadneError('StorageFailure', `spool record ${describe(entry.position)} is missing from its file`);
      }
      return { entry, record: decodeSpoolRecord(payload) };
    });
  }

  /** Records that replay is about to send `entries` (the oldest ones): after a crash they count as maybe stored. */
  async markAttempted(entries: readonly SpoolEntry[]): Promise<void> {
    const last = entries.at(-1);
    if (last === undefined) return;
    await writeSpoolCursor(this.#dir, { replayed: this.#replayed, attempted: after(last.position) });
  }

  /**
   * Records that the store holds `entries` (the oldest ones, in order);
   * deletes the segment files replay has passed. When nothing is left,
   * starts a fresh segment so the spool's files shrink to nothing.
   */
  async markReplayed(entries: readonly SpoolEntry[]): Promise<void> {
    const last = entries.at(-1);
    if (last === undefined) return;
    if (this.#pending[entries.length - 1] !== last) throw new AriadneError('Internal', 'spool replay out of order');
    this.#pending.splice(0, entries.length);
    this.#replayed = after(last.position);
    if (this.#pending.length === 0) {
      const closed = this.#rotate();
      this.#replayed = { segment: this.#current, record: 0 };
      await closed;
    }
    await writeSpoolCursor(this.#dir, { replayed: this.#replayed, attempted: this.#replayed });
    const keepFrom = this.#pending[0]?.position.segment ?? this.#replayed.segment;
    let deleted = false;
    for (const [segment, info] of this.#segments) {
      if (segment >= keepFrom || segment >= this.#current) continue;
      await unlink(join(this.#dir, segmentFileName(segment))).catch(ignoreMissing);
      this.#segments.delete(segment);
      this.#account?.removed(info.bytes);
      deleted = true;
    }
    if (deleted) {
      await fsyncDirectory(this.#dir);
      if (this.#cache !== undefined && this.#cache.segment < keepFrom) this.#cache = undefined;
    }
  }

  /** Later appends go to a new segment file; resolves once the old one is synced and closed. */
  #rotate(): Promise<void> {
    const { closed } = this.#writer.rotate();
    this.#current++;
    this.#segments.set(this.#current, { bytes: 0, records: 0 });
    return closed;
  }

  /** Waits for appends in flight and closes the current segment. The files stay for the next open. */
  async close(): Promise<void> {
    await this.#writer.close();
    let total = 0;
    for (const { bytes } of this.#segments.values()) total += bytes;
    this.#account?.removed(total);
    this.#segments.clear();
  }
}

function after(position: SpoolPosition): SpoolPosition {
  return { segment: position.segment, record: position.record + 1 };
}

function describe(position: SpoolPosition): string {
  return `${position.segment}:${position.record}`;
}

function ignoreMissing(error: unknown): void {
  if ((error as NodeJS.ErrnoException).code !== 'ENOENT') throw error;
}
