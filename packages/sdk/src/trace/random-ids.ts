import { randomFillSync } from 'node:crypto';

/**
 * Ids are cut from one pooled hex string: 4 KiB of random bytes from a
 * single `randomFillSync` call, hex-encoded natively in one go, then sliced
 * (V8 slices share the pool's memory, so an id costs no copying). The pool
 * lasts 256 trace ids. Ids are never all zero (invalid in W3C and OTLP).
 */
const POOL_BYTES = 4096;
const pool = Buffer.allocUnsafe(POOL_BYTES);
let hex = '';
let position = POOL_BYTES * 2;
const ZERO_TRACE_ID = '00000000000000000000000000000000';
const ZERO_SPAN_ID = '0000000000000000';

function take(chars: number): string {
  if (position + chars > hex.length) {
    randomFillSync(pool);
    hex = pool.toString('hex');
    position = 0;
  }
  const id = hex.slice(position, position + chars);
  position += chars;
  return id;
}

/** A random trace id: 32 lowercase hex characters, never all zero. */
export function randomTraceId(): string {
  const id = take(32);
  return id === ZERO_TRACE_ID ? randomTraceId() : id;
}

/** A random span id: 16 lowercase hex characters, never all zero. */
export function randomSpanId(): string {
  const id = take(16);
  return id === ZERO_SPAN_ID ? randomSpanId() : id;
}

/** Where a tracer gets its ids; replace it for deterministic tests or for ids that encode time (AWS X-Ray). */
export interface IdGenerator {
  generateTraceId(): string;
  generateSpanId(): string;
}

export const randomIdGenerator: IdGenerator = Object.freeze({
  generateTraceId: randomTraceId,
  generateSpanId: randomSpanId,
});
