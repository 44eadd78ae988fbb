import { type Span, StatusCode } from '@ariadne/protocol';
import { SeededRandom } from '../workload/random.js';
import { StandardWorkload } from '../workload/standard-workload.js';

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

/**
 * The month's traces, day by day: one standard workload for every day (one
 * attribute vocabulary, as real services repeat their values), shifted to
 * each day's noon, with errors in 2 % of traces only (the workload's own
 * errors kept in those, cleared in the others). Both benchmarks draw the
 * same traces, errors included, so their kept traces can be compared.
 */
export class SimulatedMonth {
  readonly #random = new SeededRandom(7);
  readonly #workload = new StandardWorkload({
    seed: 1000,
    startTimeUnixNano: FIRST_TRACE_NANOS,
    traceIntervalNanos: TRACE_INTERVAL_NANOS,
  });

  /** The next day's traces (call for day 0, 1, 2… in turn), each with whether it is an error trace. */
  dayOfTraces(day: number): { spans: Span[]; error: boolean }[] {
    const shift = dayShift(day);
    const traces: { spans: Span[]; error: boolean }[] = [];
    for (let i = 0; i < TRACES_PER_DAY; i++) {
      const generated = this.#workload.nextTrace().map((span) => shifted(span, shift));
      const error = this.#random.next() < 0.02;
      const spans = generated.map((span) =>
        error || span.status.code !== StatusCode.Error
          ? span
          : { ...span, status: { code: StatusCode.Unset, message: '' } },
      );
      if (error && !spans.some((span) => span.status.code === StatusCode.Error)) {
        const at = this.#random.int(0, spans.length - 1);
        spans[at] = { ...spans[at]!, status: { code: StatusCode.Error, message: 'failed' } };
      }
      traces.push({ spans, error });
    }
    return traces;
  }
}
