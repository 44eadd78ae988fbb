import { AriadneError } from '@ariadne/protocol';
import { parseGoDuration } from '../jaeger/go-duration.js';
import { atMost } from '../query-caps.js';

/**
 * A time as Tempo's HTTP API takes it: Unix seconds (`start=1700000000`,
 * fractions allowed), Unix nanoseconds (more than 15 digits, as Grafana sends
 * to the metrics API), or RFC 3339. Returns nanoseconds; `undefined` when absent.
 */
export function parseTempoTime(name: string, text: string | undefined): bigint | undefined {
  if (text === undefined || text.trim() === '') return undefined;
  const value = text.trim();
  if (/^\d{16,19}$/.test(value)) return BigInt(value);
  if (/^\d+(\.\d+)?$/.test(value)) {
    const [whole, fraction = ''] = value.split('.');
    return BigInt(whole!) * 1_000_000_000n + BigInt(fraction.padEnd(9, '0').slice(0, 9));
  }
  const millis = Date.parse(value);
  if (/^\d{4}-\d{2}-\d{2}T/.test(value) && !Number.isNaN(millis)) return BigInt(millis) * 1_000_000n;
  throw new AriadneError('InvalidQuery', `invalid ${name} "${text}": use Unix seconds or RFC 3339`);
}

/** A Go duration (`1.5s`, `100ms`); bare numbers are seconds (Tempo's `step=60`). */
export function parseTempoDuration(name: string, text: string | undefined): bigint | undefined {
  if (text === undefined || text.trim() === '') return undefined;
  const value = text.trim();
  if (/^\d+(\.\d+)?$/.test(value)) return BigInt(Math.round(Number(value) * 1e9));
  try {
    return parseGoDuration(value);
  } catch {
    throw new AriadneError('InvalidQuery', `invalid ${name} "${text}": use a duration such as 100ms or 1.5s`);
  }
}

/** A positive integer up to `max`; more is refused (400 naming the maximum), not silently lowered. */
export function parsePositiveInt(name: string, text: string | undefined, fallback: number, max: number): number {
  if (text === undefined || text.trim() === '') return fallback;
  if (!/^\d+$/.test(text.trim()) || Number(text) < 1) {
    throw new AriadneError('InvalidQuery', `invalid ${name} "${text}": must be a positive integer`);
  }
  return atMost(name, Number(text), max);
}

/**
 * Tempo's `tags` parameter: logfmt pairs, `service.name=cart http.status_code=500 note="a b"`.
 * Returns the pairs in order; throws `InvalidQuery` for a pair without `=` or an open quote.
 */
export function parseLogfmt(text: string): { key: string; value: string }[] {
  const pairs: { key: string; value: string }[] = [];
  let i = 0;
  while (i < text.length) {
    while (i < text.length && /\s/.test(text[i]!)) i++;
    if (i >= text.length) break;
    const keyStart = i;
    while (i < text.length && text[i] !== '=' && !/\s/.test(text[i]!)) i++;
    const key = text.slice(keyStart, i);
    if (text[i] !== '=' || key === '')
      throw new AriadneError('InvalidQuery', `invalid tags "${text}": expected key=value`);
    i++;
    let value = '';
    if (text[i] === '"') {
      i++;
      for (;;) {
        if (i >= text.length) throw new AriadneError('InvalidQuery', `invalid tags "${text}": unterminated quote`);
        const ch = text[i]!;
        if (ch === '"') {
          i++;
          break;
        }
        if (ch === '\\' && i + 1 < text.length) {
          value += text[i + 1];
          i += 2;
          continue;
        }
        value += ch;
        i++;
      }
    } else {
      const valueStart = i;
      while (i < text.length && !/\s/.test(text[i]!)) i++;
      value = text.slice(valueStart, i);
    }
    pairs.push({ key, value });
  }
  return pairs;
}
