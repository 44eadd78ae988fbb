import type { JaegerTrace } from '@ariadne/protocol';
import type { TraceRetention } from '../../storage/span-store.js';

/** Jaeger's trace JSON, and Ariadne's retention tier beside it (Jaeger's clients ignore the field). */
export type JaegerTraceWithRetention = JaegerTrace & { readonly retention?: TraceRetention };

/** The trace as Jaeger's JSON, with its retention tier when it is in the kept tier. */
export function withRetention(trace: JaegerTrace, retention: TraceRetention | undefined): JaegerTraceWithRetention {
  return retention === undefined ? trace : { ...trace, retention: { tier: retention.tier, keptBy: retention.keptBy } };
}
