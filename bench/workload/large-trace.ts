import type { Span } from '@ariadne/protocol';
import { SeededRandom } from './random.js';
import { StandardWorkload } from './standard-workload.js';

export interface LargeTraceOptions {
  readonly spanCount: number;
  readonly seed?: number;
  /** Start of the root span, nanoseconds since the epoch (default: 2026-01-01T00:00:00Z). */
  readonly startTimeUnixNano?: bigint;
  /** A new parent is drawn among the first this-many spans (default 2,000): wide and moderately deep, like a batch job's fan-out. */
  readonly attachAmong?: number;
}

/**
 * One trace of exactly `spanCount` spans for UI and query benchmarks, built
 * from the standard workload's traces (same services, operations, attributes,
 * events, errors) grafted onto one another: each further workload trace's
 * root becomes the child of a span already in the big trace, its times scaled
 * to fit inside that parent (no clock skew). Seeded: the same options give the
 * same spans. Parents come before their children in the output.
 */
export function largeTrace(options: LargeTraceOptions): Span[] {
  const seed = options.seed ?? 7;
  const workload = new StandardWorkload({
    seed,
    ...(options.startTimeUnixNano === undefined ? {} : { startTimeUnixNano: options.startTimeUnixNano }),
  });
  const random = new SeededRandom(seed ^ 0x5eed);
  const attachAmong = options.attachAmong ?? 2000;
  const out: Span[] = [];
  let traceId = '';
  while (out.length < options.spanCount) {
    const part = workload.nextTrace().slice(0, options.spanCount - out.length);
    const partRoot = part[0] as Span;
    if (out.length === 0) {
      traceId = partRoot.traceId;
      for (const span of part) out.push(span);
      continue;
    }
    const parent = out[random.int(0, Math.min(out.length, attachAmong) - 1)] as Span;
    const partStart = partRoot.startTimeUnixNano;
    let partEnd = partStart;
    for (const span of part) if (span.endTimeUnixNano > partEnd) partEnd = span.endTimeUnixNano;
    const parentDuration = parent.endTimeUnixNano - parent.startTimeUnixNano;
    const extent = partEnd - partStart > 0n ? partEnd - partStart : 1n;
    // Fit the grafted part in the parent's second 90%, scaled down only when it would overrun.
    const room = (parentDuration * 9n) / 10n;
    const offset = parent.startTimeUnixNano + (parentDuration - room) / 2n;
    const scale = (t: bigint) => offset + (extent > room ? ((t - partStart) * room) / extent : t - partStart);
    for (const span of part) {
      out.push({
        ...span,
        traceId,
        parentSpanId: span === partRoot ? parent.spanId : span.parentSpanId,
        startTimeUnixNano: scale(span.startTimeUnixNano),
        endTimeUnixNano: scale(span.endTimeUnixNano),
        events: span.events.map((event) => ({ ...event, timeUnixNano: scale(event.timeUnixNano) })),
        // Links pointed at the previous workload trace, which is now part of this one.
        links: span.links.map((link) => ({ ...link, traceId })),
      });
    }
  }
  return out;
}
