import { AriadneError } from '../errors.js';
import { bytesToHex } from '../model/ids.js';

const HEX = /^[0-9a-fA-F]+$/;

/**
 * A hex id from Zipkin JSON, left-padded with zeros to `width` characters
 * (64-bit trace ids become 128-bit; Zipkin itself pads short ids too).
 * All-zero ids are invalid. `where` names the field for the error message.
 */
export function parseHexId(text: unknown, width: 16 | 32, where: string): string {
  if (typeof text !== 'string' || text.length === 0 || text.length > width || !HEX.test(text)) {
    throw new AriadneError('InvalidPayload', `${where}: expected up to ${width} hex characters, got ${describe(text)}`);
  }
  const id = text.toLowerCase().padStart(width, '0');
  if (/^0+$/.test(id)) throw new AriadneError('InvalidPayload', `${where}: id is zero`);
  return id;
}

/** A binary id from Zipkin protobuf: trace ids are 8 or 16 bytes, span ids 8. */
export function binaryId(bytes: Uint8Array, width: 16 | 32, where: string): string {
  const ok = width === 32 ? bytes.length === 8 || bytes.length === 16 : bytes.length === 8;
  if (!ok) throw new AriadneError('InvalidPayload', `${where}: ${bytes.length} bytes is not a valid id length`);
  const id = bytesToHex(bytes).padStart(width, '0');
  if (/^0+$/.test(id)) throw new AriadneError('InvalidPayload', `${where}: id is zero`);
  return id;
}

export function describe(value: unknown): string {
  if (typeof value === 'string') return JSON.stringify(value.length > 40 ? `${value.slice(0, 40)}…` : value);
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'an array';
  return typeof value === 'object' ? 'an object' : String(value);
}
