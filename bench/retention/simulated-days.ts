import type { Span } from '@ariadne/protocol';

/**
 * The simulated month both retention benchmarks write (the embedded store's
 * and ClickHouse's), so that their figures describe the same days: DAYS days
 * of TRACES_PER_DAY traces each, the standard workload 60 ms apart from 12:00,
 * written BATCH_TRACES traces a write, on a clock that starts at T0.
 */
export const DAYS = Number(process.env.RETENTION_DAYS ?? 30);
export const TRACES_PER_DAY = Number(process.env.RETENTION_TRACES_PER_DAY ?? 1000);
export const HOUR = 3_600_000_000_000n;
export const DAY = 24n * HOUR;
export const T0 = 1_767_225_600_000_000_000n; // 2026-01-01T00:00:00Z
export const BATCH_TRACES = 25;
/** The workload's first trace starts at noon of day 0, the next ones this far apart. */
export const FIRST_TRACE_NANOS = T0 + 12n * HOUR;
export const TRACE_INTERVAL_NANOS = 60_000_000n;

/**
 * How far a day's traces move: the workload runs on without gaps, so each
 * day's burst is moved back to its day's noon.
 */
export function dayShift(day: number): bigint {
  return BigInt(day) * DAY - BigInt(day * TRACES_PER_DAY) * TRACE_INTERVAL_NANOS;
}

/** A span moved in time by `by`, its events with it. */
export function shifted(span: Span, by: bigint): Span {
  return {
    ...span,
    startTimeUnixNano: span.startTimeUnixNano + by,
    endTimeUnixNano: span.endTimeUnixNano + by,
    events: span.events.map((event) => ({ ...event, timeUnixNano: event.timeUnixNano + by })),
  };
}
