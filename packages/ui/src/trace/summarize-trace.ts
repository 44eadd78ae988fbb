import type { JaegerSpan, JaegerTrace } from '@ariadne/protocol';
import { retentionOf, type TraceRetention } from '../api/trace-retention.js';
import { parentSpanIdOf } from './span-references.js';
import { isErrorSpan } from './span-tags.js';
import type { TraceShape } from './trace-shape.js';

export interface ServiceCount {
  readonly name: string;
  readonly spanCount: number;
  readonly errorCount: number;
}

/** What a search result shows about a trace, computed in one pass without building the tree. */
export interface TraceSummary {
  readonly traceId: string;
  /** Of the earliest span without a parent in the trace; of the earliest span when every span has one (a cycle). */
  readonly rootServiceName: string;
  readonly rootOperationName: string;
  /** False when the trace's root span is missing (its service and operation come from an orphan). */
  readonly hasRoot: boolean;
  /** Microseconds since the epoch. */
  readonly startTime: number;
  readonly duration: number;
  readonly spanCount: number;
  readonly errorCount: number;
  /** Most spans first, then by name. */
  readonly services: readonly ServiceCount[];
  /** In the kept retention tier: the policy that kept it (absent: the full tier). */
  readonly retention?: TraceRetention;
}

/** With a skeleton's `shape`, parents and errors are read from it instead of from ids and tags. */
export function summarizeTrace(trace: JaegerTrace, shape?: TraceShape): TraceSummary {
  const ids = new Set<string>();
  if (shape === undefined) for (const span of trace.spans) ids.add(span.spanID);
  let root: JaegerSpan | undefined;
  let rootIsTrue = false;
  let earliest: JaegerSpan | undefined;
  let startTime = Number.POSITIVE_INFINITY;
  let endTime = Number.NEGATIVE_INFINITY;
  let errorCount = 0;
  // Counted per process (spans share a few process ids), then per service name.
  const byProcess = new Map<string, { spanCount: number; errorCount: number }>();
  const spans = trace.spans;
  for (let i = 0; i < spans.length; i++) {
    const span = spans[i] as JaegerSpan;
    const parentId = shape === undefined ? parentSpanIdOf(span) : undefined;
    const topLevel =
      shape === undefined ? parentId === undefined || !ids.has(parentId) : (shape.parents[i] as number) < 0;
    // A true root (no parent at all) beats an orphan, whatever their start times.
    const trueRoot = shape === undefined ? parentId === undefined : shape.parents[i] === -1;
    if (
      topLevel &&
      (root === undefined || (trueRoot && !rootIsTrue) || (trueRoot === rootIsTrue && span.startTime < root.startTime))
    ) {
      root = span;
      rootIsTrue = trueRoot;
    }
    if (earliest === undefined || span.startTime < earliest.startTime) earliest = span;
    if (span.startTime < startTime) startTime = span.startTime;
    if (span.startTime + span.duration > endTime) endTime = span.startTime + span.duration;
    const error = shape === undefined ? isErrorSpan(span) : shape.failed[i] === 1;
    if (error) errorCount++;
    let counts = byProcess.get(span.processID);
    if (counts === undefined) {
      counts = { spanCount: 0, errorCount: 0 };
      byProcess.set(span.processID, counts);
    }
    counts.spanCount++;
    if (error) counts.errorCount++;
  }
  const services = new Map<string, { spanCount: number; errorCount: number }>();
  for (const [processId, counts] of byProcess) {
    const name = trace.processes[processId]?.serviceName ?? 'unknown service';
    const total = services.get(name);
    if (total === undefined) services.set(name, { ...counts });
    else {
      total.spanCount += counts.spanCount;
      total.errorCount += counts.errorCount;
    }
  }
  const shown = root ?? earliest;
  const empty = trace.spans.length === 0;
  const retention = retentionOf(trace);
  return {
    traceId: trace.traceID,
    rootServiceName: shown === undefined ? '' : serviceNameOf(trace, shown),
    rootOperationName: shown?.operationName ?? '',
    hasRoot: rootIsTrue,
    startTime: empty ? 0 : startTime,
    duration: empty ? 0 : endTime - startTime,
    spanCount: trace.spans.length,
    errorCount,
    services: [...services]
      .map(([name, counts]) => ({ name, ...counts }))
      .sort((a, b) => b.spanCount - a.spanCount || (a.name < b.name ? -1 : a.name > b.name ? 1 : 0)),
    ...(retention === undefined ? {} : { retention }),
  };
}

function serviceNameOf(trace: JaegerTrace, span: JaegerSpan): string {
  return trace.processes[span.processID]?.serviceName ?? 'unknown service';
}

export type TraceOrder = 'recent' | 'longest' | 'spans' | 'errors';

export const TRACE_ORDERS: readonly { readonly value: TraceOrder; readonly label: string }[] = [
  { value: 'recent', label: 'Most recent' },
  { value: 'longest', label: 'Longest first' },
  { value: 'spans', label: 'Most spans' },
  { value: 'errors', label: 'Most errors' },
];

/** A sorted copy; ties fall back to most recent, then trace id, so the order is stable between renders. */
export function sortSummaries(summaries: readonly TraceSummary[], order: TraceOrder): TraceSummary[] {
  const primary: (a: TraceSummary, b: TraceSummary) => number =
    order === 'longest'
      ? (a, b) => b.duration - a.duration
      : order === 'spans'
        ? (a, b) => b.spanCount - a.spanCount
        : order === 'errors'
          ? (a, b) => b.errorCount - a.errorCount
          : () => 0;
  return [...summaries].sort(
    (a, b) =>
      primary(a, b) || b.startTime - a.startTime || (a.traceId < b.traceId ? -1 : a.traceId > b.traceId ? 1 : 0),
  );
}
