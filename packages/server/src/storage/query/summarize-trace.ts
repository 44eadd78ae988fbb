import { durationNanosOf, type Span, StatusCode, serviceNameOf } from '@ariadne/protocol';
import type { ServiceSummary, TraceSummary } from '../span-store.js';

/**
 * A trace's summary from all the spans a store holds for it (at least one).
 * The root is the span whose parent is not in the trace (the earliest such span
 * when there are several, e.g. a root plus orphans whose parent was lost);
 * `durationNanos` runs from the earliest start to the latest end.
 */
export function summarizeTrace(spans: readonly Span[]): TraceSummary {
  const first = spans[0];
  if (first === undefined) throw new RangeError('a trace summary needs at least one span');
  const spanIds = new Set<string>();
  for (const span of spans) spanIds.add(span.spanId);
  let root: Span | undefined;
  let earliest = first;
  let start = first.startTimeUnixNano;
  let end = first.endTimeUnixNano;
  let errorCount = 0;
  const services = new Map<string, { spanCount: number; errorCount: number }>();
  for (const span of spans) {
    if (span.startTimeUnixNano < start) start = span.startTimeUnixNano;
    const spanEnd = span.startTimeUnixNano + durationNanosOf(span);
    if (spanEnd > end) end = spanEnd;
    if (isEarlier(span, earliest)) earliest = span;
    const isRoot = span.parentSpanId === '' || !spanIds.has(span.parentSpanId);
    if (isRoot && (root === undefined || isEarlier(span, root))) root = span;
    const isError = span.status.code === StatusCode.Error;
    if (isError) errorCount++;
    const name = serviceNameOf(span.resource);
    const service = services.get(name) ?? { spanCount: 0, errorCount: 0 };
    service.spanCount++;
    if (isError) service.errorCount++;
    services.set(name, service);
  }
  // Every span whose parent is present forms a cycle otherwise; fall back to the earliest.
  const top = root ?? earliest;
  const serviceSummaries: ServiceSummary[] = [...services]
    .map(([name, counts]) => ({ name, ...counts }))
    .sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
  return {
    traceId: first.traceId,
    rootServiceName: serviceNameOf(top.resource),
    rootSpanName: top.name,
    startTimeUnixNano: start,
    durationNanos: end > start ? end - start : 0n,
    spanCount: spans.length,
    errorCount,
    services: serviceSummaries,
  };
}

/** Earlier start wins; a true root (no parent id) wins a tie. */
function isEarlier(a: Span, b: Span): boolean {
  if (a.startTimeUnixNano !== b.startTimeUnixNano) return a.startTimeUnixNano < b.startTimeUnixNano;
  return a.parentSpanId === '' && b.parentSpanId !== '';
}
