import type { Span } from '@ariadne/protocol';

/**
 * A store that finds one span of a trace without decoding the whole trace:
 * the details of a span the user clicks in a 100,000-span trace.
 */
export interface SpanLookup {
  /**
   * The stored spans of the trace with this span id (more than one when the
   * store kept a span twice), in no particular order; `[]` when the trace has
   * no such span. Rejects with `TraceNotFound` when no span of the trace is
   * stored, like `getTrace`.
   */
  getSpansById(traceId: string, spanId: string): Promise<Span[]>;
}

export function hasSpanLookup(reader: object): reader is SpanLookup {
  return typeof (reader as Partial<SpanLookup>).getSpansById === 'function';
}
