/** Trace ids are 32 lowercase hex characters, span ids 16. All-zero ids are invalid (W3C, OTLP). */
const TRACE_ID = /^[0-9a-f]{32}$/;
const SPAN_ID = /^[0-9a-f]{16}$/;

export const INVALID_TRACE_ID = '0'.repeat(32);
export const INVALID_SPAN_ID = '0'.repeat(16);

export function isValidTraceId(id: string): boolean {
  return TRACE_ID.test(id) && id !== INVALID_TRACE_ID;
}

export function isValidSpanId(id: string): boolean {
  return SPAN_ID.test(id) && id !== INVALID_SPAN_ID;
}

/**
 * Normalises a trace id typed by a person or sent by a 64-bit client
 * (Jaeger, Zipkin): case-folded and left-padded with zeros to 32 characters.
 * Returns `undefined` when the text is not a hex id of 1 to 32 characters.
 */
export function normalizeTraceId(text: string): string | undefined {
  const lower = text.trim().toLowerCase();
  if (!/^[0-9a-f]{1,32}$/.test(lower)) return undefined;
  return lower.padStart(32, '0');
}

const HEX: string[] = Array.from({ length: 256 }, (_, i) => i.toString(16).padStart(2, '0'));

/** Hex of `length` bytes of `bytes` starting at `offset`; fast path used by decoders. */
export function bytesToHex(bytes: Uint8Array, offset = 0, length = bytes.length - offset): string {
  let out = '';
  for (let i = offset; i < offset + length; i++) out += HEX[bytes[i] as number];
  return out;
}

export function hexToBytes(hex: string): Uint8Array {
  const out = new Uint8Array(hex.length >>> 1);
  for (let i = 0; i < out.length; i++) out[i] = Number.parseInt(hex.substr(i * 2, 2), 16);
  return out;
}
