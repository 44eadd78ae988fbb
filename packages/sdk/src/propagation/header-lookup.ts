import type { TextMapGetter } from '@opentelemetry/api';

/**
 * All values of a header, found case-insensitively: HTTP header names are
 * case-insensitive, but carriers such as plain objects or message headers
 * keep whatever case the sender used. The exact lowercase name is tried
 * first (Node lowercases incoming headers), the other keys only on a miss.
 * Array values (repeated headers) come back as several values.
 */
export function headerValues<C>(getter: TextMapGetter<C>, carrier: C, lowercaseName: string): string[] {
  let value = getter.get(carrier, lowercaseName);
  if (value === undefined) {
    for (const key of getter.keys(carrier)) {
      if (key.length === lowercaseName.length && key.toLowerCase() === lowercaseName) {
        value = getter.get(carrier, key);
        if (value !== undefined) break;
      }
    }
  }
  if (value === undefined) return [];
  if (typeof value === 'string') return [value];
  return value.filter((v): v is string => typeof v === 'string');
}

/** The header's single value; `undefined` when absent or repeated (ambiguous, so not trusted). */
export function singleHeader<C>(getter: TextMapGetter<C>, carrier: C, lowercaseName: string): string | undefined {
  // The usual case, one string under the lowercase name, without building a list.
  const value = getter.get(carrier, lowercaseName);
  if (typeof value === 'string') return value;
  const values = headerValues(getter, carrier, lowercaseName);
  return values.length === 1 ? values[0] : undefined;
}

/** The header's first value, for formats whose specs do not forbid repeats (B3, Jaeger). */
export function firstHeader<C>(getter: TextMapGetter<C>, carrier: C, lowercaseName: string): string | undefined {
  const value = getter.get(carrier, lowercaseName);
  if (typeof value === 'string') return value;
  return headerValues(getter, carrier, lowercaseName)[0];
}
