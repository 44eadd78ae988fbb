import type { Span } from '@ariadne/protocol';
import { SpanEncoder, WalRecordDecoder } from '../storage/embedded/span-codec.js';

/**
 * A batch of spans as bytes, the form in which spans cross threads: decode
 * workers make it, the store's thread takes it, and nothing is copied or
 * turned into JSON on the way (the buffer is transferred). It is a
 * self-contained record of the embedded store's write-ahead log (its own
 * string, resource and scope tables), so that store can log it as it is.
 */
export function encodeSpanBatch(spans: readonly Span[]): Uint8Array {
  return new SpanEncoder().record(spans, []);
}

/** The spans of a batch `encodeSpanBatch` made. */
export function decodeSpanBatch(batch: Uint8Array): Span[] {
  const bytes = Buffer.isBuffer(batch) ? batch : Buffer.from(batch.buffer, batch.byteOffset, batch.byteLength);
  return new WalRecordDecoder().decode(bytes);
}
