import type { Span } from '@ariadne/protocol';
import { SpanEncoder, WalRecordDecoder } from '../storage/embedded/span-codec.js';
import type { SpanBatch } from '../storage/span-store.js';
import { transferable } from '../threads/transferable.js';

/**
 * The spans as a span batch: a self-contained record of the embedded store's
 * write-ahead log (its own string, resource and scope tables), so that store
 * logs it with its references rewritten rather than encoding the spans again,
 * and each span's content hash, computed while encoding, for its write-time
 * dedupe. Both buffers own their memory, ready to be transferred.
 */
export function encodeSpanBatch(spans: readonly Span[]): SpanBatch {
  const hashes = new Uint32Array(spans.length * 2);
  let at = 0;
  const { record } = new SpanEncoder({ inlineFirstTexts: true }).recordAdmitted(spans, [], (hash0, hash1) => {
    hashes[at++] = hash0;
    hashes[at++] = hash1;
    return true;
  });
  return { bytes: record === undefined ? new Uint8Array(0) : transferable(record), hashes, spanCount: spans.length };
}

/** The spans of a batch `encodeSpanBatch` made. */
export function decodeSpanBatch(bytes: Uint8Array): Span[] {
  if (bytes.byteLength === 0) return [];
  const buffer = Buffer.isBuffer(bytes) ? bytes : Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  return new WalRecordDecoder().decode(buffer);
}
