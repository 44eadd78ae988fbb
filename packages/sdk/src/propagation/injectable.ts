import type { Context, SpanContext } from '@opentelemetry/api';
import { RecordingSpan } from '../trace/recording-span.js';

const SUPPRESS_TRACING_KEY = Symbol.for('OpenTelemetry SDK Context Key SUPPRESS_TRACING');
const SPAN_KEY = Symbol.for('OpenTelemetry Context Key SPAN');
const TRACE_ID = /^[0-9a-f]{32}$/;
const SPAN_ID = /^[0-9a-f]{16}$/;

/** A context worth sending on: valid ids, and tracing not suppressed (OTel's suppressTracing). */
export function isInjectable(context: Context, spanContext: SpanContext): boolean {
  if (context.getValue(SUPPRESS_TRACING_KEY) === true) return false;
  // Our own spans checked their ids when they started: the two regular expressions cost half of an inject.
  const span = context.getValue(SPAN_KEY);
  if (span instanceof RecordingSpan && span.spanContext() === spanContext) return span.hasValidIds;
  return (
    TRACE_ID.test(spanContext.traceId) &&
    spanContext.traceId !== '00000000000000000000000000000000' &&
    SPAN_ID.test(spanContext.spanId) &&
    spanContext.spanId !== '0000000000000000'
  );
}
