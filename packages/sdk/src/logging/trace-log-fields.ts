import { type Context, context, TraceFlags, trace } from '@opentelemetry/api';

/** The ids of a span as log fields, under the names OpenTelemetry's log correlation uses (and Grafana's derived fields expect). */
export interface TraceLogFields {
  readonly trace_id: string;
  readonly span_id: string;
  /** Two hex digits, `01` when sampled. */
  readonly trace_flags: string;
}

const INVALID_TRACE_ID = '00000000000000000000000000000000';

/** The active (or given) context's span ids, or undefined outside a span. */
export function traceLogFields(ctx: Context = context.active()): TraceLogFields | undefined {
  const spanContext = trace.getSpanContext(ctx);
  if (spanContext === undefined || spanContext.traceId === INVALID_TRACE_ID) return undefined;
  return {
    trace_id: spanContext.traceId,
    span_id: spanContext.spanId,
    trace_flags: (spanContext.traceFlags & TraceFlags.SAMPLED) === TraceFlags.SAMPLED ? '01' : '00',
  };
}

const NO_FIELDS: Readonly<Record<string, never>> = Object.freeze({});

/**
 * A pino mixin: `pino({ mixin: traceLogMixin })` puts `trace_id`, `span_id`
 * and `trace_flags` of the active span on every line logged inside one
 * (pino merges what the mixin returns into each line; outside a span it
 * adds nothing). To combine with a mixin of your own, spread
 * `traceLogFields()` into its result.
 */
export function traceLogMixin(): object {
  return traceLogFields() ?? NO_FIELDS;
}
