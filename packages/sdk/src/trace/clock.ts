import type { TimeInput } from '@opentelemetry/api';

/**
 * Span times are bigint nanoseconds since the Unix epoch, taken from the
 * monotonic `performance` clock anchored at `performance.timeOrigin`: two
 * readings in one process never go backwards, and sub-millisecond precision
 * survives. `timeOrigin` is split into whole milliseconds and a fraction
 * because `timeOrigin * 1e6` exceeds 2^53 and would lose ~256 ns.
 */
const origin = performance.timeOrigin;
const ORIGIN_NANOS = BigInt(Math.trunc(origin)) * 1_000_000n + BigInt(Math.round((origin % 1) * 1e6));

/**
 * `process.hrtime.bigint()` reads the same monotonic clock as
 * `performance.now()` but hands back nanoseconds as a bigint in one call, with
 * no float-to-bigint conversion; the offset anchors it to
 * `performance.timeOrigin + performance.now()` once, at load.
 */
const HRTIME_OFFSET = ORIGIN_NANOS + BigInt(Math.round(performance.now() * 1e6)) - process.hrtime.bigint();
/** Held once: the global `process` is a getter in Node, and two spans' worth of lookups showed in profiles. */
const hrtimeBigInt = process.hrtime.bigint;

/** Now, in nanoseconds since the Unix epoch. */
export function nowNanos(): bigint {
  return HRTIME_OFFSET + hrtimeBigInt();
}

/** Milliseconds since the epoch (possibly fractional) to nanoseconds, keeping sub-millisecond digits. */
export function millisToNanos(millis: number): bigint {
  const whole = Math.trunc(millis);
  return BigInt(whole) * 1_000_000n + BigInt(Math.round((millis - whole) * 1e6));
}

/**
 * Every api `TimeInput` form, as OpenTelemetry's SDK reads it: `[seconds,
 * nanos]`, a `Date`, epoch milliseconds, or (a number not later than
 * `performance.now()`) a `performance.now()` reading. Anything else is now.
 */
export function timeInputToNanos(input: TimeInput | undefined): bigint {
  if (input === undefined || input === null) return nowNanos();
  if (typeof input === 'number') {
    if (!Number.isFinite(input)) return nowNanos();
    // OTel's heuristic: small numbers are performance.now() readings.
    if (input <= performance.now()) return ORIGIN_NANOS + BigInt(Math.round(input * 1e6));
    return millisToNanos(input);
  }
  if (input instanceof Date) {
    const millis = input.getTime();
    return Number.isFinite(millis) ? millisToNanos(millis) : nowNanos();
  }
  if (Array.isArray(input) && input.length === 2 && typeof input[0] === 'number' && typeof input[1] === 'number') {
    return BigInt(Math.trunc(input[0])) * 1_000_000_000n + BigInt(Math.trunc(input[1]));
  }
  return nowNanos();
}

/** True for the values `timeInputToNanos` understands, used to tell `addEvent(name, time)` from `addEvent(name, attributes)`. */
export function isTimeInput(value: unknown): value is TimeInput {
  return (
    typeof value === 'number' ||
    value instanceof Date ||
    (Array.isArray(value) && value.length === 2 && typeof value[0] === 'number' && typeof value[1] === 'number')
  );
}
