/**
 * Attribute values, as rich as OTLP's `AnyValue`. Integers are `bigint` so
 * int64 values survive every hop without precision loss.
 */
export type AnyValue =
  | { readonly type: 'string'; readonly value: string }
  | { readonly type: 'bool'; readonly value: boolean }
  | { readonly type: 'int'; readonly value: bigint }
  | { readonly type: 'double'; readonly value: number }
  | { readonly type: 'bytes'; readonly value: Uint8Array }
  | { readonly type: 'array'; readonly value: readonly AnyValue[] }
  | { readonly type: 'kvlist'; readonly value: readonly KeyValue[] }
  /** OTLP allows a key with no value at all. */
  | { readonly type: 'empty' };

export interface KeyValue {
  readonly key: string;
  readonly value: AnyValue;
}

/** Attribute lists keep OTLP's order; keys are expected (not enforced) to be unique. */
export type Attributes = readonly KeyValue[];

export const stringValue = (value: string): AnyValue => ({ type: 'string', value });
export const boolValue = (value: boolean): AnyValue => ({ type: 'bool', value });
export const intValue = (value: bigint | number): AnyValue => ({ type: 'int', value: BigInt(value) });
export const doubleValue = (value: number): AnyValue => ({ type: 'double', value });

/** Finds an attribute by key; `undefined` means the key is absent. */
export function findAttribute(attributes: Attributes, key: string): AnyValue | undefined {
  for (const attribute of attributes) if (attribute.key === key) return attribute.value;
  return undefined;
}

/** A value as plain text, the way a search box or a Jaeger tag filter compares it. */
export function anyValueToString(value: AnyValue): string {
  switch (value.type) {
    case 'string':
      return value.value;
    case 'bool':
    case 'int':
    case 'double':
      return String(value.value);
    case 'bytes':
      return Buffer.from(value.value).toString('base64');
    case 'array':
      return JSON.stringify(value.value.map(anyValueToJsonish));
    case 'kvlist':
      return JSON.stringify(Object.fromEntries(value.value.map((kv) => [kv.key, anyValueToJsonish(kv.value)])));
    case 'empty':
      return '';
  }
}

function anyValueToJsonish(value: AnyValue): unknown {
  switch (value.type) {
    case 'int':
      return Number.isSafeInteger(Number(value.value)) ? Number(value.value) : value.value.toString();
    case 'array':
      return value.value.map(anyValueToJsonish);
    case 'kvlist':
      return Object.fromEntries(value.value.map((kv) => [kv.key, anyValueToJsonish(kv.value)]));
    case 'bytes':
      return Buffer.from(value.value).toString('base64');
    case 'empty':
      return null;
    default:
      return value.value;
  }
}
