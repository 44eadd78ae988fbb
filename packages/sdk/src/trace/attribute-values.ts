import type { AnyValue, KeyValue } from '@ariadne/protocol';
import type { Attributes as ApiAttributes, AttributeValue } from '@opentelemetry/api';

const EMPTY: AnyValue = Object.freeze({ type: 'empty' });
const TRUE: AnyValue = Object.freeze({ type: 'bool', value: true });
const FALSE: AnyValue = Object.freeze({ type: 'bool', value: false });

/**
 * The OTel SDK's rule: a string, number or boolean, or an array whose
 * non-null elements all share one of those types. `null`/`undefined` are
 * handled by callers (ignored, never counted as dropped).
 */
export function isAttributeValue(value: unknown): value is AttributeValue {
  const type = typeof value;
  if (type === 'string' || type === 'number' || type === 'boolean') return true;
  if (!Array.isArray(value)) return false;
  let elementType: string | undefined;
  for (const element of value) {
    if (element === null || element === undefined) continue;
    const t = typeof element;
    if (elementType === undefined) {
      if (t !== 'string' && t !== 'number' && t !== 'boolean') return false;
      elementType = t;
    } else if (t !== elementType) return false;
  }
  return true;
}

/** Domain values are immutable, so equal ones can be one object: services repeat the same methods, routes, hosts and codes. */
const SMALL_INTS: (AnyValue | undefined)[] = new Array(1024);
const STRINGS = new Map<string, AnyValue>();
/** Bounds on what the string cache holds: at most this many values of at most this length (about 0.5 MB). */
const STRING_CACHE_SIZE = 4096;
const STRING_CACHE_LENGTH = 128;

function stringValue(value: string): AnyValue {
  if (value.length > STRING_CACHE_LENGTH) return { type: 'string', value };
  let cached = STRINGS.get(value);
  if (cached === undefined) {
    // Cleared rather than evicted one by one: a high-cardinality stream just refills it.
    if (STRINGS.size >= STRING_CACHE_SIZE) STRINGS.clear();
    cached = Object.freeze({ type: 'string', value });
    STRINGS.set(value, cached);
  }
  return cached;
}

function intValue(value: number): AnyValue {
  if (value < 0 || value >= SMALL_INTS.length) return { type: 'int', value: BigInt(value) };
  let cached = SMALL_INTS[value];
  if (cached === undefined) {
    cached = Object.freeze({ type: 'int', value: BigInt(value) });
    SMALL_INTS[value] = cached;
  }
  return cached;
}

/**
 * An api attribute value as the domain's `AnyValue`, the way OTel's OTLP
 * exporters map it: integral numbers are ints, other numbers doubles. Integers
 * beyond ±2^53 stay doubles because their integer digits are not exact
 * anyway. Strings (also inside arrays) are cut to `lengthLimit` characters.
 * The value must have passed `isAttributeValue`.
 */
export function toAnyValue(value: AttributeValue, lengthLimit: number): AnyValue {
  switch (typeof value) {
    case 'string':
      return stringValue(value.length > lengthLimit ? value.slice(0, lengthLimit) : value);
    case 'number':
      return Number.isSafeInteger(value) ? intValue(value) : { type: 'double', value };
    case 'boolean':
      return value ? TRUE : FALSE;
    default: {
      const array = value as readonly (string | number | boolean | null | undefined)[];
      const out: AnyValue[] = new Array(array.length);
      for (let i = 0; i < array.length; i++) {
        const element = array[i];
        out[i] = element === null || element === undefined ? EMPTY : toAnyValue(element, lengthLimit);
      }
      return { type: 'array', value: out };
    }
  }
}

export interface LimitedAttributes {
  readonly attributes: readonly KeyValue[];
  readonly dropped: number;
}

const NO_ATTRIBUTES: LimitedAttributes = Object.freeze({ attributes: Object.freeze([]), dropped: 0 });

/**
 * A whole api attribute record (of an event or a link) as a domain list:
 * invalid keys and values left out silently, the first `countLimit` kept,
 * the rest counted as dropped. Object keys are unique, so no de-duplication.
 */
export function limitAttributes(
  attributes: ApiAttributes | undefined,
  countLimit: number,
  lengthLimit: number,
): LimitedAttributes {
  if (attributes === undefined || attributes === null || typeof attributes !== 'object') return NO_ATTRIBUTES;
  const out: KeyValue[] = [];
  let dropped = 0;
  for (const key in attributes) {
    // biome-ignore lint/suspicious/noPrototypeBuiltins: in for...in V8 makes hasOwnProperty.call an enum-cache check; Object.hasOwn stays a runtime call
    if (!Object.prototype.hasOwnProperty.call(attributes, key) || key === '') continue;
    const value = attributes[key];
    if (value === undefined || value === null || !isAttributeValue(value)) continue;
    if (out.length >= countLimit) {
      dropped++;
      continue;
    }
    out.push({ key, value: toAnyValue(value, lengthLimit) });
  }
  return out.length === 0 && dropped === 0 ? NO_ATTRIBUTES : { attributes: out, dropped };
}
