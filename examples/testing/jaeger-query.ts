// Helpers the demo tests share: read traces back through the Jaeger query API
// exactly as the UI does, and name spans and tags without index juggling.
import type { JaegerKeyValue, JaegerSpan, JaegerTrace } from '@ariadne/protocol';

export interface TraceView {
  readonly trace: JaegerTrace;
  serviceOf(span: JaegerSpan): string;
  /** The one span with this name (and service, when given); throws listing what exists otherwise. */
  span(name: string, service?: string): JaegerSpan;
  spans(name: string, service?: string): JaegerSpan[];
  /** The span's CHILD_OF parent, or undefined for a root. */
  parentOf(span: JaegerSpan): JaegerSpan | undefined;
}

export function tag(span: JaegerSpan | { tags: JaegerKeyValue[] }, key: string): unknown {
  return span.tags.find((t) => t.key === key)?.value;
}

/** A log's fields as a plain object. */
export function logFields(span: JaegerSpan): Record<string, unknown>[] {
  return span.logs.map((log) => Object.fromEntries(log.fields.map((f) => [f.key, f.value])));
}

export function durationMillis(span: JaegerSpan): number {
  return span.duration / 1000;
}

export function viewOf(trace: JaegerTrace): TraceView {
  const serviceOf = (span: JaegerSpan) => trace.processes[span.processID]?.serviceName ?? '?';
  const describe = () => trace.spans.map((s) => `${serviceOf(s)}:${s.operationName}`).join(', ');
  const spans = (name: string, service?: string) =>
    trace.spans.filter((s) => s.operationName === name && (service === undefined || serviceOf(s) === service));
  return {
    trace,
    serviceOf,
    spans,
    span(name, service) {
      const found = spans(name, service);
      if (found.length !== 1)
        throw new Error(`expected one span ${service ?? '*'}:${name}, got ${found.length} in [${describe()}]`);
      return found[0] as JaegerSpan;
    },
    parentOf(span) {
      const ref = span.references.find((r) => r.refType === 'CHILD_OF');
      return ref === undefined ? undefined : trace.spans.find((s) => s.spanID === ref.spanID);
    },
  };
}

async function getTrace(queryUrl: string, traceId: string): Promise<JaegerTrace | undefined> {
  const response = await fetch(`${queryUrl}/api/traces/${traceId}`);
  if (response.status === 404) return undefined;
  if (!response.ok) throw new Error(`GET /api/traces/${traceId}: ${response.status} ${await response.text()}`);
  const body = (await response.json()) as { data: JaegerTrace[] };
  return body.data[0];
}

/**
 * Polls until the trace holds at least `minSpans` spans (exporters and the
 * ingest pipeline are asynchronous) or `timeoutMs` passes, then returns what
 * is there; the caller's assertions say what was missing.
 */
export async function waitForTrace(
  queryUrl: string,
  traceId: string,
  minSpans: number,
  timeoutMs = 10_000,
): Promise<TraceView> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const trace = await getTrace(queryUrl, traceId);
    if (trace !== undefined && (trace.spans.length >= minSpans || Date.now() > deadline)) return viewOf(trace);
    if (Date.now() > deadline) throw new Error(`trace ${traceId} did not arrive within ${timeoutMs} ms`);
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}

/** Traces of a service found by the search API (`/api/traces?service=`). */
export async function findTraces(queryUrl: string, service: string, extra = ''): Promise<JaegerTrace[]> {
  const response = await fetch(`${queryUrl}/api/traces?service=${encodeURIComponent(service)}&limit=100${extra}`);
  if (!response.ok) throw new Error(`search ${service}: ${response.status} ${await response.text()}`);
  return ((await response.json()) as { data: JaegerTrace[] }).data;
}
