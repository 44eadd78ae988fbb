import { AriadneError } from '@ariadne/protocol';

/**
 * One spooled batch, the payload of one spool log record (the log frames it
 * with its length and CRC): `[u8 version][u8 flags][u32 span count][f64 time
 * appended, ms][span batch bytes]` (little-endian). The spans are the bytes
 * `pipeline/span-batch.ts` makes (a self-contained record of the embedded
 * store's WAL format), so a batch that arrives as bytes is spooled as it came.
 */
export interface SpoolRecord {
  /**
   * The store may already hold some or all of these spans: an earlier
   * attempt to write them reached it and its outcome is unknown (a
   * connection lost after the request was sent, a timeout, an error after a
   * partial insert). Replay then writes only the spans the store lacks.
   */
  readonly maybeStored: boolean;
  readonly spanCount: number;
  /** `Date.now()` when the batch was spooled (the age on /metrics). */
  readonly appendedAtMs: number;
  readonly batch: Uint8Array;
}

const VERSION = 1;
const HEADER_BYTES = 1 + 1 + 4 + 8;
const MAYBE_STORED = 1;

export function encodeSpoolRecord(record: SpoolRecord): Buffer {
  const out = Buffer.allocUnsafe(HEADER_BYTES + record.batch.byteLength);
  out.writeUInt8(VERSION, 0);
  out.writeUInt8(record.maybeStored ? MAYBE_STORED : 0, 1);
  out.writeUInt32LE(record.spanCount, 2);
  out.writeDoubleLE(record.appendedAtMs, 6);
  out.set(record.batch, HEADER_BYTES);
  return out;
}

export function decodeSpoolRecord(payload: Buffer): SpoolRecord {
  if (payload.length < HEADER_BYTES || payload.readUInt8(0) !== VERSION) {
    throw new AriadneError('Internal', `spool record of an unknown version (${payload.readUInt8(0)})`);
  }
  return {
    maybeStored: (payload.readUInt8(1) & MAYBE_STORED) !== 0,
    spanCount: payload.readUInt32LE(2),
    appendedAtMs: payload.readDoubleLE(6),
    batch: payload.subarray(HEADER_BYTES),
  };
}
