/** A control character: JSON.stringify escapes it, so markers are unlikely to be mistaken for text. */
const MARKER_PREFIX = '\u0001bigint.';
let nonceCounter = 0;

/**
 * `JSON.stringify` for the Jaeger API's values, except that `bigint` values are
 * written as plain JSON numbers with every digit: int64 tags past 2^53 must
 * reach the client intact, as Go's encoder writes them. Node 20 has no
 * `JSON.rawJSON`.
 *
 * Otherwise it is `JSON.stringify`: `toJSON` is honoured, object properties
 * whose value is `undefined`, a function or a symbol are left out (written
 * `null` in arrays), non-finite numbers become `null`, cycles throw a
 * `TypeError`; a top-level value JSON cannot hold gives `"null"`.
 */
export function stringifyJaegerJson(value: unknown): string {
  // Fast path: native JSON.stringify with each bigint replaced by a marker
  // string, then the quoted markers swapped for the digits (about 5x faster
  // than walking the value in JavaScript, see bench/query/to-jaeger-trace.bench.ts). The marker carries a fresh nonce, and
  // the swap must find exactly as many markers as there were bigints: a real
  // string that happens to look like a marker makes the counts differ, and
  // then the slow writer, which is exact by construction, does the work.
  const nonce = `${MARKER_PREFIX}${(nonceCounter++).toString(36)}.${Math.random().toString(36).slice(2)}:`;
  let bigints = 0;
  const text = JSON.stringify(value, (_key, item: unknown) => {
    if (typeof item !== 'bigint') return item;
    bigints++;
    return `${nonce}${item}`;
  }) as string | undefined;
  if (text === undefined) return 'null';
  if (bigints === 0) return text;
  let swapped = 0;
  const marker = new RegExp(`"${escapeRegExp(JSON.stringify(nonce).slice(1, -1))}(-?\\d+)"`, 'g');
  const result = text.replace(marker, (_match, digits: string) => {
    swapped++;
    return digits;
  });
  return swapped === bigints ? result : stringifyJaegerJsonExact(value);
}

function escapeRegExp(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}

/**
 * The reference writer, exact by construction and about five times slower:
 * it walks the value itself. `stringifyJaegerJson` falls back to it.
 */
export function stringifyJaegerJsonExact(value: unknown): string {
  return write(value, new Set()) ?? 'null';
}

function write(value: unknown, ancestors: Set<object>): string | undefined {
  switch (typeof value) {
    case 'string':
      return JSON.stringify(value);
    case 'number':
      return Number.isFinite(value) ? String(value) : 'null';
    case 'bigint':
      return value.toString();
    case 'boolean':
      return value ? 'true' : 'false';
    case 'object':
      return value === null ? 'null' : writeObject(value, ancestors);
    default:
      // undefined, functions, symbols: absent, like JSON.stringify.
      return undefined;
  }
}

function writeObject(value: object, ancestors: Set<object>): string | undefined {
  const withToJson = value as { toJSON?: unknown };
  if (typeof withToJson.toJSON === 'function') return write((withToJson.toJSON as () => unknown)(), ancestors);
  if (ancestors.has(value)) throw new TypeError('stringifyJaegerJson: cyclic structure');
  ancestors.add(value);
  let out: string;
  if (Array.isArray(value)) {
    out = '[';
    for (let i = 0; i < value.length; i++) {
      if (i > 0) out += ',';
      out += write(value[i], ancestors) ?? 'null';
    }
    out += ']';
  } else {
    out = '{';
    let first = true;
    for (const key of Object.keys(value)) {
      const text = write((value as Record<string, unknown>)[key], ancestors);
      if (text === undefined) continue;
      out += first ? JSON.stringify(key) : `,${JSON.stringify(key)}`;
      out += `:${text}`;
      first = false;
    }
    out += '}';
  }
  ancestors.delete(value);
  return out;
}
