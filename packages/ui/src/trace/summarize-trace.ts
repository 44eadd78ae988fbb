import type { JaegerSpan, JaegerTrace } from '@ariadne/protocol';
import { retentionOf, type TraceRetention } from '../api/trace-retention.js';
import type { SpanColumns } from './span-columns.js';
import { parentSpanIdOf } from './span-references.js';
import { isErrorSpan } from './span-tags.js';

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

/**
 * With a skeleton's `columns`, read from them alone (parents, errors and
 * services as the server said, no span object made); else from the spans'
 * ids and tags.
 */
export function summarizeTrace(trace: JaegerTrace, columns?: SpanColumns): TraceSummary {
  if (columns !== undefined) return summarizeColumns(trace, columns);
  const ids = new Set<string>();
  for (const span of trace.spans) ids.add(span.spanID);
  let root: JaegerSpan | undefined;
  let rootIsTrue = false;
  let earliest: JaegerSpan | undefined;
  let startTime = Number.POSITIVE_INFINITY;
  let endTime = Number.NEGATIVE_INFINITY;
  let errorCount = 0;
  // Counted per process (spans share a few process ids), then per service name.
  const byProcess = new Map<string, { spanCount: number; errorCount: number }>();
  for (const span of trace.spans) {
    const parentId = parentSpanIdOf(span);
    const topLevel = parentId === undefined || !ids.has(parentId);
    // A true root (no parent at all) beats an orphan, whatever their start times.
    const trueRoot = parentId === undefined;
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
    const error = isErrorSpan(span);
    if (error) errorCount++;
    let counts = byProcess.get(span.processID);
    if (counts === undefined) {
      counts = { spanCount: 0, errorCount: 0 };
      byProcess.set(span.processID, counts);
    }
    counts.spanCount++;
    if (error) counts.errorCount++;
  }
  const shown = root ?? earliest;
  return summaryOf(
    trace,
    [...byProcess].map(([processId, counts]) => [trace.processes[processId]?.serviceName ?? 'unknown service', counts]),
    {
      rootServiceName: shown === undefined ? '' : serviceNameOf(trace, shown),
      rootOperationName: shown?.operationName ?? '',
      hasRoot: rootIsTrue,
      startTime,
      endTime,
      spanCount: trace.spans.length,
      errorCount,
    },
  );
}

/** `summarizeTrace` from the columns: the spans are in start order, so the first top-level span is the earliest. */
function summarizeColumns(trace: JaegerTrace, columns: SpanColumns): TraceSummary {
  const { count: n, parents, failed, starts, durations, processOf } = columns;
  let root = -1;
  let rootIsTrue = false;
  let startTime = Number.POSITIVE_INFINITY;
  let endTime = Number.NEGATIVE_INFINITY;
  let errorCount = 0;
  const spansOf = new Float64Array(columns.processes.length);
  const errorsOf = new Float64Array(columns.processes.length);
  for (let i = 0; i < n; i++) {
    const parent = parents[i] as number;
    // A true root (no parent at all) beats an orphan; among equals, the earliest.
    if (parent < 0 && (root < 0 || (parent === -1 && !rootIsTrue))) {
      root = i;
      rootIsTrue = parent === -1;
    }
    const start = starts[i] as number;
    if (start < startTime) startTime = start;
    const end = start + (durations[i] as number);
    if (end > endTime) endTime = end;
    const p = processOf[i] as number;
    spansOf[p] = (spansOf[p] as number) + 1;
    if (failed[i] === 1) {
      errorCount++;
      errorsOf[p] = (errorsOf[p] as number) + 1;
    }
  }
  const shown = root >= 0 ? root : n > 0 ? 0 : -1;
  return summaryOf(
    trace,
    columns.processes.map((p, k) => [
      p.serviceName,
      { spanCount: spansOf[k] as number, errorCount: errorsOf[k] as number },
    ]),
    {
      rootServiceName:
        shown < 0 ? '' : (columns.processes[processOf[shown] as number] as { serviceName: string }).serviceName,
      rootOperationName: shown < 0 ? '' : (columns.operationNames[columns.operationOf[shown] as number] as string),
      hasRoot: rootIsTrue,
      startTime,
      endTime,
      spanCount: n,
      errorCount,
    },
  );
}

interface Counts {
  spanCount: number;
  errorCount: number;
}

/** The summary from counts per process, added up per service name. */
function summaryOf(
  trace: JaegerTrace,
  byProcess: readonly (readonly [string, Counts])[],
  facts: {
    rootServiceName: string;
    rootOperationName: string;
    hasRoot: boolean;
    startTime: number;
    endTime: number;
    spanCount: number;
    errorCount: number;
  },
): TraceSummary {
  const services = new Map<string, Counts>();
  for (const [name, counts] of byProcess) {
    const total = services.get(name);
    if (total === undefined) services.set(name, { ...counts });
    else {
      total.spanCount += counts.spanCount;
      total.errorCount += counts.errorCount;
    }
  }
  const empty = facts.spanCount === 0;
  const retention = retentionOf(trace);
  return {
    traceId: trace.traceID,
    rootServiceName: facts.rootServiceName,
    rootOperationName: facts.rootOperationName,
    hasRoot: facts.hasRoot,
    startTime: empty ? 0 : facts.startTime,
    duration: empty ? 0 : facts.endTime - facts.startTime,
    spanCount: facts.spanCount,
    errorCount: facts.errorCount,
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
