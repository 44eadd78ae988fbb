import { type Attributes, type HrTime, type Span, SpanKind, type Tracer } from '@opentelemetry/api';
import { sleep } from './sleep.js';

function epochNanos(): bigint {
  return BigInt(Math.round((performance.timeOrigin + performance.now()) * 1e6));
}

function hrTime(nanos: bigint): HrTime {
  return [Number(nanos / 1_000_000_000n), Number(nanos % 1_000_000_000n)];
}

export interface SimulatedSpanOptions {
  readonly kind?: SpanKind;
  readonly attributes?: Attributes;
  /** Runs before the span ends: add events (at `endTime`, inside the span), set the status. */
  readonly finish?: (span: Span, endTime: HrTime) => void;
}

/**
 * Work the demo only pretends to do (a Redis read, a database query, a
 * remote service): a span of exactly `latencyMs`, really slept. The span
 * ends at start + latency rather than when the timer fires, because it
 * stands for a call of exactly that latency and a loaded machine firing the
 * timer late must not push it outside its documented range.
 */
export async function simulatedSpan(
  tracer: Tracer,
  name: string,
  latencyMs: number,
  options: SimulatedSpanOptions = {},
): Promise<void> {
  const start = epochNanos();
  const span = tracer.startSpan(name, {
    kind: options.kind ?? SpanKind.INTERNAL,
    startTime: hrTime(start),
    attributes: { ...options.attributes, 'simulated.latency_ms': latencyMs },
  });
  await sleep(latencyMs);
  const end = hrTime(start + BigInt(latencyMs) * 1_000_000n);
  options.finish?.(span, end);
  span.end(end);
}
