import { randomFillSync } from 'node:crypto';

/**
 * Ids are cut from pooled hex strings: 64 KiB of random bytes from a single
 * `randomFillSync` call (its fixed cost per call outweighed the bytes at
 * 4 KiB), hex-encoded natively 4 KiB at a time, then sliced (V8 slices
 * share the window's memory, so an id costs no copying). A slice keeps its
 * whole window alive, which is why windows stay small: an id held for long
 * pins 8 KB, not the pool. Ids are never all zero (invalid in W3C and OTLP).
 */
const POOL_BYTES = 65536;
const WINDOW_BYTES = 4096;
const pool = Buffer.allocUnsafe(POOL_BYTES);
let poolOffset = POOL_BYTES;
let hex = '';
let position = 0;
const ZERO_TRACE_ID = '00000000000000000000000000000000';
const ZERO_SPAN_ID = '0000000000000000';
/** '0': only an id starting with it can be all zero, and comparing a slice's first character is far cheaper than comparing it whole. */
const ZERO_CHAR = 48;

function take(chars: number): string {
  if (position + chars > hex.length) {
    if (poolOffset === POOL_BYTES) {
      randomFillSync(pool);
      poolOffset = 0;
    }
    hex = pool.toString('hex', poolOffset, poolOffset + WINDOW_BYTES);
    poolOffset += WINDOW_BYTES;
    position = 0;
  }
  const id = hex.slice(position, position + chars);
  position += chars;
  return id;
}

/** A random trace id: 32 lowercase hex characters, never all zero. */
export function randomTraceId(): string {
  const id = take(32);
  return id.charCodeAt(0) === ZERO_CHAR && id === ZERO_TRACE_ID ? randomTraceId() : id;
}

/** A random span id: 16 lowercase hex characters, never all zero. */
export function randomSpanId(): string {
  const id = take(16);
  return id.charCodeAt(0) === ZERO_CHAR && id === ZERO_SPAN_ID ? randomSpanId() : id;
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
