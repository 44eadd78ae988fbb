/**
 * A trace id as Jaeger prints it: 16 hex characters when the high 64 bits are
 * zero (ids from 64-bit clients), else all 32. Jaeger's `TraceID.String()`
 * does this, and Jaeger UI compares ids as text, so links between traces only
 * work when both sides print the same way.
 */
export function toJaegerTraceId(traceId: string): string {
  return traceId.length === 32 && traceId.startsWith('0000000000000000') ? traceId.slice(16) : traceId;
}
