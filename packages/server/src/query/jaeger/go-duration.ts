import { AriadneError } from '@ariadne/protocol';

const MAX_INT64 = (1n << 63n) - 1n;

/** Go's duration units, in nanoseconds; both micro signs are accepted, as Go does. */
const UNIT_NANOS: Record<string, bigint> = {
  ns: 1n,
  us: 1_000n,
  µs: 1_000n,
  μs: 1_000n,
  ms: 1_000_000n,
  s: 1_000_000_000n,
  m: 60_000_000_000n,
  h: 3_600_000_000_000n,
};

/**
 * Parses a duration the way Go's `time.ParseDuration` does (Jaeger's
 * `minDuration`/`maxDuration`): a sign, then one or more decimal numbers with
 * a unit each, as in `1.5s`, `1m30s`, `500us`, `-2h`; `0` needs no unit.
 * Returns nanoseconds. Throws `AriadneError('InvalidQuery')` worded like Go.
 */
export function parseGoDuration(text: string): bigint {
  const invalid = (reason = 'invalid duration'): AriadneError =>
    new AriadneError('InvalidQuery', `time: ${reason} ${JSON.stringify(text)}`);
  let rest = text;
  let negative = false;
  if (rest.startsWith('-') || rest.startsWith('+')) {
    negative = rest.startsWith('-');
    rest = rest.slice(1);
  }
  if (rest === '0') return 0n;
  if (rest === '') throw invalid();
  let total = 0n;
  while (rest !== '') {
    const number = /^(\d*)(?:\.(\d*))?/.exec(rest);
    const whole = number?.[1] ?? '';
    const fraction = number?.[2] ?? '';
    if (whole === '' && fraction === '') throw invalid();
    rest = rest.slice(number?.[0].length ?? 0);
    const unit = /^[^\d.]*/.exec(rest)?.[0] ?? '';
    if (unit === '') throw invalid('missing unit in duration');
    const unitNanos = UNIT_NANOS[unit];
    if (unitNanos === undefined) throw invalid(`unknown unit ${JSON.stringify(unit)} in duration`);
    rest = rest.slice(unit.length);
    total += BigInt(whole || '0') * unitNanos;
    // Go truncates the fraction to whole nanoseconds too.
    if (fraction !== '') total += (BigInt(fraction) * unitNanos) / 10n ** BigInt(fraction.length);
    if (total > MAX_INT64) throw invalid();
  }
  return negative ? -total : total;
}

/**
 * A lookback as Jaeger UI writes it (`1h`, `2d`, `7d`, `2w`): Go durations
 * plus whole days and weeks, which Go's parser lacks. Must be positive.
 */
export function parseLookback(text: string): bigint {
  const daysOrWeeks = /^(\d+)([dw])$/.exec(text);
  const nanos = daysOrWeeks
    ? BigInt(daysOrWeeks[1]!) * (daysOrWeeks[2] === 'w' ? 7n : 1n) * 86_400_000_000_000n
    : parseGoDuration(text);
  if (nanos <= 0n) throw new AriadneError('InvalidQuery', `lookback must be positive, not ${JSON.stringify(text)}`);
  return nanos;
}
