import { AriadneError, durationNanosOf, normalizeTraceId, type Span, serviceNameOf } from '@ariadne/protocol';
import { ScanPacer } from '../../query/query-deadline.js';
import { crossServiceCalls, DependencyCounter, isErrorSpan } from '../query/dependency-links.js';
import { mostRecentTraces } from '../query/most-recent-traces.js';
import { RedAccumulator } from '../query/red-metrics.js';
import { ServiceCatalog } from '../query/service-catalog.js';
import { compileSpanMatcher } from '../query/span-matches-query.js';
import { summarizeTrace } from '../query/summarize-trace.js';
import { validateTimeRange } from '../query/validate-time-range.js';
import type { RecentSpansQuery, RecentSpansReader } from '../recent-spans-reader.js';
import type {
  DependencyLink,
  DependencyReader,
  Operation,
  OperationQuery,
  RedMetricsQuery,
  RedMetricsReader,
  RedMetricsSeries,
  SpanStore,
  TimeRange,
  TraceQuery,
  TraceSummary,
} from '../span-store.js';
import { TraceSpans } from './trace-spans.js';

function earliestStart(trace: readonly Span[]): bigint {
  let start = trace[0]!.startTimeUnixNano;
  for (const span of trace) if (span.startTimeUnixNano < start) start = span.startTimeUnixNano;
  return start;
}

export interface MemoryStoreOptions {
  /** Traces kept before the ones written least recently are evicted. Default 100,000. */
  readonly maxTraces?: number;
}

/**
 * A store that keeps everything in this process's memory, for tests, demos and
 * `--storage memory`. Searches and aggregates scan every trace: fine at its
 * bounded size. RED duration quantiles come from log-scale bins (within 2.2%,
 * see `duration-histogram.ts`), like the embedded store's. A span written
 * again with the same ids and content is kept once (`trace-spans.ts`), so a
 * retried batch changes no count. Scans yield to the event loop every few
 * milliseconds and stop at the query's deadline (`query/query-deadline.ts`).
 */
export function openMemoryStore(
  options: MemoryStoreOptions = {},
): SpanStore & DependencyReader & RedMetricsReader & RecentSpansReader {
  const maxTraces = options.maxTraces ?? 100_000;
  if (!Number.isInteger(maxTraces) || maxTraces < 1) {
    throw new RangeError(`maxTraces must be an integer ≥ 1, not ${maxTraces}`);
  }
  // Map iteration order is insertion order: re-inserting a trace on every write
  // keeps the least recently written trace first, which makes eviction O(1).
  const traces = new Map<string, TraceSpans>();
  const catalog = new ServiceCatalog();
  let closed = false;

  const ensureOpen = (): void => {
    if (closed) throw new AriadneError('StorageFailure', 'the memory store is closed');
  };

  return {
    async writeSpans(spans: readonly Span[]): Promise<void> {
      ensureOpen();
      for (const span of spans) {
        let trace = traces.get(span.traceId);
        if (trace === undefined) trace = new TraceSpans();
        else traces.delete(span.traceId);
        // A re-sent trace is written again: it counts as recent, as a write of new spans would.
        traces.set(span.traceId, trace);
        if (trace.add(span)) catalog.add(span);
      }
      while (traces.size > maxTraces) {
        const [oldestId, oldest] = traces.entries().next().value as [string, TraceSpans];
        traces.delete(oldestId);
        for (const span of oldest.spans) catalog.remove(span);
      }
    },

    async readRecentSpans(query: RecentSpansQuery): Promise<Span[]> {
      ensureOpen();
      const found: Span[] = [];
      const services = query.services === undefined ? undefined : new Set(query.services);
      for (const trace of traces.values()) {
        for (const span of trace.spans) {
          const end = span.startTimeUnixNano + durationNanosOf(span);
          if (span.startTimeUnixNano < query.startedAfterNanos || end < query.endedAfterNanos) continue;
          if (services === undefined || services.has(serviceNameOf(span.resource))) found.push(span);
        }
      }
      const endOf = (span: Span) => span.startTimeUnixNano + durationNanosOf(span);
      found.sort((a, b) => (endOf(a) > endOf(b) ? -1 : endOf(a) < endOf(b) ? 1 : 0));
      return found.slice(0, Math.max(1, Math.floor(query.limit)));
    },

    async getTrace(traceId: string, _timeRange?: TimeRange): Promise<Span[]> {
      ensureOpen();
      const trace = traces.get(normalizeTraceId(traceId) ?? traceId);
      if (trace === undefined) throw new AriadneError('TraceNotFound', `trace ${traceId} not found`);
      return [...trace.spans];
    },

    async findTraces(query: TraceQuery): Promise<TraceSummary[]> {
      ensureOpen();
      const matches = compileSpanMatcher(query);
      // Rank by start first and summarize only the winners: most matches are cut by the limit.
      const candidates: { traceId: string; startTimeUnixNano: bigint; trace: Span[] }[] = [];
      // A snapshot: the scan yields, and writes meanwhile must not change what it walks.
      const pacer = new ScanPacer();
      for (const [traceId, { spans }] of [...traces]) {
        await pacer.step();
        if (spans.some(matches)) candidates.push({ traceId, startTimeUnixNano: earliestStart(spans), trace: spans });
      }
      return mostRecentTraces(candidates, query.limit).map((candidate) => summarizeTrace(candidate.trace));
    },

    async getServices(): Promise<string[]> {
      ensureOpen();
      return catalog.services();
    },

    async getOperations(query: OperationQuery): Promise<Operation[]> {
      ensureOpen();
      return catalog.operations(query);
    },

    async getDependencies(timeRange: TimeRange): Promise<DependencyLink[]> {
      ensureOpen();
      validateTimeRange(timeRange);
      const counter = new DependencyCounter();
      const pacer = new ScanPacer();
      for (const trace of [...traces.values()]) {
        await pacer.step();
        for (const call of crossServiceCalls(trace.spans)) {
          const start = call.child.startTimeUnixNano;
          if (start < timeRange.startNanos || start > timeRange.endNanos) continue;
          counter.add(call.parentService, call.childService, 1, isErrorSpan(call.child) ? 1 : 0);
        }
      }
      return counter.links();
    },

    async getRedMetrics(query: RedMetricsQuery): Promise<RedMetricsSeries[]> {
      ensureOpen();
      const red = new RedAccumulator(query);
      const pacer = new ScanPacer();
      for (const trace of [...traces.values()]) {
        await pacer.step();
        for (const span of trace.spans) red.addSpan(span);
      }
      return red.series();
    },

    async close(): Promise<void> {
      closed = true;
      traces.clear();
    },
  };
}
