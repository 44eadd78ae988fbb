import type { Context, SpanContext } from '@opentelemetry/api';

const SUPPRESS_TRACING_KEY = Symbol.for('OpenTelemetry SDK Context Key SUPPRESS_TRACING');
const TRACE_ID = /^[0-9a-f]{32}$/;
const SPAN_ID = /^[0-9a-f]{16}$/;

/** A context worth sending on: valid ids, and tracing not suppressed (OTel's suppressTracing). */
export function isInjectable(context: Context, spanContext: SpanContext): boolean {
  return (
    context.getValue(SUPPRESS_TRACING_KEY) !== true &&
    TRACE_ID.test(spanContext.traceId) &&
    spanContext.traceId !== '00000000000000000000000000000000' &&
    SPAN_ID.test(spanContext.spanId) &&
    spanContext.spanId !== '0000000000000000'
  );
}
