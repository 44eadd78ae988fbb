import { AriadneError, type Span } from '@ariadne/protocol';

/** Times are stored as signed 64-bit nanoseconds: the year 2262 is as far as they go. */
const MAX_NANOS = (1n << 63n) - 1n;

/**
 * Refuses a batch with a time the stores cannot keep: before 1970 or past
 * 2^63 - 1 nanoseconds. Decoders accept what their wire format can carry
 * (OTLP's fixed64, Zipkin's and Jaeger's microseconds times 1,000 go further),
 * and such a value would otherwise wrap around in the store, or fail the write
 * of a whole block that also holds other clients' spans.
 */
export function validateSpanTimes(spans: readonly Span[]): void {
  for (const span of spans) {
    check(span, 'start time', span.startTimeUnixNano);
    check(span, 'end time', span.endTimeUnixNano);
    for (const event of span.events) check(span, `event "${event.name.slice(0, 64)}" time`, event.timeUnixNano);
  }
}

function check(span: Span, what: string, nanos: bigint): void {
  if (nanos < 0n || nanos > MAX_NANOS) {
    throw new AriadneError(
      'InvalidPayload',
      `span ${span.spanId}: ${what} ${nanos} ns is out of range (0 to ${MAX_NANOS}, the year 2262)`,
    );
  }
}
