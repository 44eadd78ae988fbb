import { AriadneError } from '../errors.js';
import { describe } from './zipkin-ids.js';

// Fatal: JSON must be UTF-8 (RFC 8259), and a body that is not would be stored
// with replacement characters where the client's text was.
const utf8 = new TextDecoder('utf-8', { fatal: true });

/** Parses a JSON request body given as text or bytes; bad JSON or bytes that are not UTF-8 are an `InvalidPayload`. */
export function parseJsonBody(body: string | Uint8Array, format: string): unknown {
  let text: string;
  try {
    text = typeof body === 'string' ? body : utf8.decode(body);
  } catch (error) {
    throw new AriadneError('InvalidPayload', `${format}: body is not valid UTF-8`, { cause: error });
  }
  try {
    return JSON.parse(text);
  } catch (error) {
    throw new AriadneError('InvalidPayload', `${format}: body is not JSON (${(error as Error).message})`, {
      cause: error,
    });
  }
}

/** Typed field access for decoding untrusted JSON objects; every mismatch names the field. */
export class JsonFields {
  constructor(
    readonly format: string,
    readonly object: Record<string, unknown>,
    readonly where: string,
  ) {}

  static of(format: string, value: unknown, where: string): JsonFields {
    if (value === null || typeof value !== 'object' || Array.isArray(value)) fail(format, where, 'an object', value);
    return new JsonFields(format, value as Record<string, unknown>, where);
  }

  raw(key: string): unknown {
    return Object.hasOwn(this.object, key) ? this.object[key] : undefined;
  }

  string(key: string): string {
    const value = this.raw(key);
    if (value === undefined || value === null) return '';
    if (typeof value !== 'string') fail(this.format, `${this.where}.${key}`, 'a string', value);
    return value;
  }

  boolean(key: string): boolean {
    const value = this.raw(key);
    if (value === undefined || value === null) return false;
    if (typeof value !== 'boolean') fail(this.format, `${this.where}.${key}`, 'a boolean', value);
    return value;
  }

  /** A non-negative integer of microseconds (or a port); absent is 0. Numeric strings are accepted. */
  micros(key: string): bigint {
    const value = this.raw(key);
    if (value === undefined || value === null) return 0n;
    if (typeof value === 'number' && Number.isFinite(value) && value >= 0) return BigInt(Math.floor(value));
    if (typeof value === 'string' && /^\d{1,19}$/.test(value)) return BigInt(value);
    fail(this.format, `${this.where}.${key}`, 'a non-negative integer', value);
  }

  array(key: string): unknown[] {
    const value = this.raw(key);
    if (value === undefined || value === null) return [];
    if (!Array.isArray(value)) fail(this.format, `${this.where}.${key}`, 'an array', value);
    return value;
  }

  fail(key: string, expected: string, value: unknown): never {
    fail(this.format, `${this.where}.${key}`, expected, value);
  }
}

function fail(format: string, where: string, expected: string, value: unknown): never {
  throw new AriadneError('InvalidPayload', `${format}: ${where}: expected ${expected}, got ${describe(value)}`);
}
