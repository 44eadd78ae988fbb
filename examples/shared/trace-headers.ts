import type { IncomingHttpHeaders } from 'node:http';
import type { Attributes } from '@opentelemetry/api';

/**
 * The trace headers a demo service looks for. Recording them on the spans is
 * the demos' own addition to the SDK's HTTP spans: the point of several demos
 * is which propagation format crossed each hop, and the trace should show it.
 */
export const TRACE_HEADERS = ['traceparent', 'tracestate', 'uber-trace-id', 'jaeger-debug-id', 'b3'] as const;

/**
 * Which propagation format carried the caller's context: `w3c`, `jaeger`,
 * `b3`, `jaeger-debug-id` (no context, but a request to trace) or `none`.
 */
export function propagationFormatOf(headers: IncomingHttpHeaders): string {
  if (headers.traceparent !== undefined) return 'w3c';
  if (headers['uber-trace-id'] !== undefined) return 'jaeger';
  if (headers.b3 !== undefined) return 'b3';
  if (headers['jaeger-debug-id'] !== undefined) return 'jaeger-debug-id';
  return 'none';
}

/** `http.request.header.<name>` for each trace header present (arrived on a request, or injected into one). */
export function traceHeaderAttributes(headers: Readonly<Record<string, string | string[] | undefined>>): Attributes {
  const attributes: Attributes = {};
  for (const name of TRACE_HEADERS) {
    const value = headers[name];
    if (typeof value === 'string') attributes[`http.request.header.${name}`] = value;
  }
  return attributes;
}
