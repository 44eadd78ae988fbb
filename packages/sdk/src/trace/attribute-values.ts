import type { AnyValue, KeyValue } from '@ariadne/protocol';
import type { Attributes as ApiAttributes, AttributeValue } from '@opentelemetry/api';

const EMPTY: AnyValue = Object.freeze({ type: 'empty' });

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

/**
 * Domain values are immutable, so equal ones can be one object: services
 * repeat the same methods, routes, hosts and codes. A cached value also
 * keeps the last whole entry made with it, since a value mostly goes with
 * one key (a method, a route, a status code): an attribute seen before then
 * costs one lookup and no allocation, and queued spans share their entries.
 */
interface Interned {
  readonly value: AnyValue;
  entry: KeyValue | undefined;
}

const intern = (value: AnyValue): Interned => ({ value: Object.freeze(value), entry: undefined });
const TRUE = intern({ type: 'bool', value: true });
const FALSE = intern({ type: 'bool', value: false });
const SMALL_INTS: (Interned | undefined)[] = new Array(1024);
const STRINGS = new Map<string, Interned>();
/** Bounds on what the string cache holds: at most this many values of at most this length (about 1 MB). */
const STRING_CACHE_SIZE = 4096;
const STRING_CACHE_LENGTH = 128;

/** The cached string, or undefined when it is too long to cache or `admit` refuses a new one. */
function internString(value: string, admit?: () => boolean): Interned | undefined {
  if (value.length > STRING_CACHE_LENGTH) return undefined;
  let cached = STRINGS.get(value);
  if (cached === undefined) {
    if (admit !== undefined && !admit()) return undefined;
    // Cleared rather than evicted one by one: a high-cardinality stream just refills it.
    if (STRINGS.size >= STRING_CACHE_SIZE) STRINGS.clear();
    cached = intern({ type: 'string', value });
    STRINGS.set(value, cached);
  }
  return cached;
}

/**
 * How a key's string values fared in the cache. A key whose values are
 * mostly new (an id, a path with ids in it, an address) is cut off after a
 * sample: caching its values would only keep every one of them alive into
 * the old generation (the cache is long-lived) and push the repeated values
 * of other keys out. Its entries are then plain young garbage, as without a
 * cache, until it is sampled again a while later.
 */
interface KeyStats {
  hits: number;
  misses: number;
  uncached: boolean;
  /** Values not looked up since the key was cut off. */
  skipped: number;
}

const KEY_STATS = new Map<string, KeyStats>();
const KEY_STATS_SIZE = 1024;
/** Misses before a key can be cut off, and the bound on the counts (Smis stay Smis). */
const ADMISSION_SAMPLE = 32;
/** A cut-off key is sampled again after this many values: what it holds may have changed. */
const RESAMPLE_AFTER = 1024;
const MAX_COUNT = 1 << 29;

function keyStats(key: string): KeyStats {
  let stats = KEY_STATS.get(key);
  if (stats === undefined) {
    if (KEY_STATS.size >= KEY_STATS_SIZE) KEY_STATS.clear();
    stats = { hits: 0, misses: 0, uncached: false, skipped: 0 };
    KEY_STATS.set(key, stats);
  }
  return stats;
}

/** The interned string for an attribute of `key`, counting hits and misses against the key. */
function internAttributeString(key: string, value: string): Interned | undefined {
  const stats = keyStats(key);
  if (stats.uncached) {
    if (++stats.skipped < RESAMPLE_AFTER) return undefined;
    stats.uncached = false;
    stats.hits = 0;
    stats.misses = 0;
    stats.skipped = 0;
  }
  let missed = false;
  const interned = internString(value, () => {
    missed = true;
    if (stats.misses < MAX_COUNT) stats.misses++;
    if (stats.misses > ADMISSION_SAMPLE && stats.misses > stats.hits) stats.uncached = true;
    return !stats.uncached;
  });
  if (!missed && stats.hits < MAX_COUNT) stats.hits++;
  return interned;
}

/** The cached int, or undefined when it is not a small non-negative integer. */
function internInt(value: number): Interned | undefined {
  if (!(value >= 0 && value < SMALL_INTS.length && Number.isInteger(value))) return undefined;
  let cached = SMALL_INTS[value];
  if (cached === undefined) {
    cached = intern({ type: 'int', value: BigInt(value) });
    SMALL_INTS[value] = cached;
  }
  return cached;
}

function entryOf(interned: Interned, key: string): KeyValue {
  const last = interned.entry;
  if (last !== undefined && last.key === key) return last;
  const entry: KeyValue = Object.freeze({ key, value: interned.value });
  interned.entry = entry;
  return entry;
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
    case 'string': {
      const cut = value.length > lengthLimit ? value.slice(0, lengthLimit) : value;
      return internString(cut)?.value ?? { type: 'string', value: cut };
    }
    case 'number':
      if (!Number.isSafeInteger(value)) return { type: 'double', value };
      return internInt(value)?.value ?? { type: 'int', value: BigInt(value) };
    case 'boolean':
      return value ? TRUE.value : FALSE.value;
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

/** `{ key, value: toAnyValue(value, lengthLimit) }`, shared with earlier spans when the value is cached. */
export function toKeyValue(key: string, value: AttributeValue, lengthLimit: number): KeyValue {
  let interned: Interned | undefined;
  switch (typeof value) {
    case 'string': {
      const cut = value.length > lengthLimit ? value.slice(0, lengthLimit) : value;
      interned = internAttributeString(key, cut);
      // Not through toAnyValue, which would cache what the key's statistics just refused.
      if (interned === undefined) return { key, value: { type: 'string', value: cut } };
      break;
    }
    case 'number':
      interned = internInt(value);
      break;
    case 'boolean':
      interned = value ? TRUE : FALSE;
      break;
  }
  return interned === undefined ? { key, value: toAnyValue(value, lengthLimit) } : entryOf(interned, key);
}

/** Attribute positions `RecentEntries` remembers; records seldom have more, and the rest take the lookup. */
const RECENT_POSITIONS = 32;

/**
 * The entries one tracer made last, by position in the attribute record:
 * spans from one call site list their keys in the same order and repeat many
 * values, so the same key and value at the same position as last time reuse
 * that entry for two comparisons instead of a lookup. Only primitives are
 * remembered (they cannot have changed since), and only shared (frozen)
 * entries. Per tracer because entries depend on its length limit.
 */
export class RecentEntries {
  private readonly keys: string[] = new Array<string>(RECENT_POSITIONS).fill('');
  private readonly values: unknown[] = new Array<unknown>(RECENT_POSITIONS).fill(undefined);
  private readonly entries: (KeyValue | undefined)[] = new Array<KeyValue | undefined>(RECENT_POSITIONS).fill(
    undefined,
  );

  constructor(private readonly lengthLimit: number) {}

  /** `toKeyValue(key, value, lengthLimit)` for the attribute at `position`. */
  entry(position: number, key: string, value: AttributeValue): KeyValue {
    if (position >= RECENT_POSITIONS) return toKeyValue(key, value, this.lengthLimit);
    if (this.keys[position] === key && this.values[position] === value) return this.entries[position] as KeyValue;
    const entry = toKeyValue(key, value, this.lengthLimit);
    if (typeof value !== 'object' && Object.isFrozen(entry)) {
      this.keys[position] = key;
      this.values[position] = value;
      this.entries[position] = entry;
    }
    return entry;
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
    out.push(toKeyValue(key, value, lengthLimit));
  }
  return out.length === 0 && dropped === 0 ? NO_ATTRIBUTES : { attributes: out, dropped };
}
