import type { AnyValue, Attributes } from '../model/any-value.js';
import type { JaegerKeyValue } from './ui-model.js';

/**
 * One attribute as a typed Jaeger tag, the way the OpenTelemetry collector's
 * Jaeger translator does it: int -> `int64` (a `bigint`, every digit kept),
 * double -> `float64`, bytes -> `binary` (base64 in JSON, as Go writes
 * `[]byte`), arrays and kvlists -> `string` holding their JSON text.
 */
export function anyValueToJaegerTag(key: string, value: AnyValue): JaegerKeyValue {
  switch (value.type) {
    case 'string':
      return { key, type: 'string', value: value.value };
    case 'bool':
      return { key, type: 'bool', value: value.value };
    case 'int':
      return { key, type: 'int64', value: value.value };
    case 'double':
      // JSON (and Go's encoder, which Jaeger would fail on) has no NaN or
      // Infinity: send them as text rather than lose the tag.
      return Number.isFinite(value.value)
        ? { key, type: 'float64', value: value.value }
        : { key, type: 'string', value: String(value.value) };
    case 'bytes':
      return { key, type: 'binary', value: bytesToBase64(value.value) };
    case 'array':
    case 'kvlist':
      return { key, type: 'string', value: anyValueJsonText(value) };
    case 'empty':
      return { key, type: 'string', value: '' };
  }
}

/** Appends the tags of `attributes` to `out` in their order; returns `out`. */
export function appendJaegerTags(out: JaegerKeyValue[], attributes: Attributes): JaegerKeyValue[] {
  for (const attribute of attributes) out.push(anyValueToJaegerTag(attribute.key, attribute.value));
  return out;
}

/**
 * The JSON text of a value (pdata's `AsString` for slices and maps), with
 * int64 values written in full. Keys keep the attribute order.
 */
export function anyValueJsonText(value: AnyValue): string {
  switch (value.type) {
    case 'string':
      return JSON.stringify(value.value);
    case 'bool':
    case 'int':
      return String(value.value);
    case 'double':
      return Number.isFinite(value.value) ? String(value.value) : JSON.stringify(String(value.value));
    case 'bytes':
      return JSON.stringify(bytesToBase64(value.value));
    case 'array':
      return `[${value.value.map(anyValueJsonText).join(',')}]`;
    case 'kvlist':
      return `{${value.value.map((kv) => `${JSON.stringify(kv.key)}:${anyValueJsonText(kv.value)}`).join(',')}}`;
    case 'empty':
      return 'null';
  }
}

function bytesToBase64(bytes: Uint8Array): string {
  return Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength).toString('base64');
}
