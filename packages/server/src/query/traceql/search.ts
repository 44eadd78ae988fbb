import { type AnyValue, AriadneError, type KeyValue, type Span, serviceNameOf } from '@ariadne/protocol';
import type { SpanReader, TimeRange, TraceSummary } from '../../storage/span-store.js';
import { TRACEQL_EVALUATIONS } from '../evaluation-slots.js';
import { ScanPacer } from '../query-deadline.js';
import type { FieldExpr, Pipeline, Query, SpansetExpr, Static } from './ast.js';
import { compileTraceQL } from './compile.js';
import { evaluatePaced, executeInContext, type Spanset, TraceContext } from './execute.js';
import { formatField } from './format-field.js';
import { MetricsAccumulator, type MetricsSeries } from './metrics.js';
import { planTraceQL, type TraceQLPlan } from './plan.js';
import { RegexWork } from './regex-work.js';

export interface TraceQLSearchOptions {
  readonly timeRange: TimeRange;
  /** At most this many traces, ≥ 1. */
  readonly limit: number;
  /** At most this many spans listed per spanset (`matched` still counts them all), ≥ 0. Tempo's default is 3. */
  readonly spansPerSpanSet: number;
  /**
   * Candidate traces loaded at most before giving up with what was found
   * (`truncated`): bounds queries the stores cannot narrow. Default 100,000.
   */
  readonly maxInspectedTraces?: number;
}

export interface TraceQLSpanResult {
  readonly span: Span;
  /** The attributes the query looked at or selected, as Tempo shows them. */
  readonly attributes: readonly KeyValue[];
}

export interface TraceQLSpansetResult {
  readonly spans: readonly TraceQLSpanResult[];
  /** Spans in the spanset, including those not listed. */
  readonly matched: number;
  /** `by()` groups and the aggregate value, as attributes. */
  readonly attributes: readonly KeyValue[];
}

export interface TraceQLTraceResult {
  readonly traceId: string;
  readonly rootServiceName: string;
  readonly rootTraceName: string;
  readonly startTimeUnixNano: bigint;
  readonly durationNanos: bigint;
  readonly spanSets: readonly TraceQLSpansetResult[];
  readonly serviceStats: ReadonlyMap<string, { spanCount: number; errorCount: number }>;
}

export interface TraceQLSearchResult {
  /** Most recent first. */
  readonly traces: readonly TraceQLTraceResult[];
  /** Traces loaded and evaluated. */
  readonly inspectedTraces: number;
  readonly inspectedSpans: number;
  /** Stopped at `maxInspectedTraces` before the limit was met or the candidates ran out. */
  readonly truncated: boolean;
}

/** Tempo's placeholders when the root span has not arrived. */
export const MISSING_ROOT_SERVICE = '<root span not yet received>';

const FIRST_FETCH = 20;
const MAX_FETCH = 200_000;
const CONCURRENCY = 8;

/**
 * Runs a TraceQL search over any store: plan (a superset prefilter), ask the
 * store for candidate traces, load each whole trace, evaluate the query on it.
 * Asks for more candidates (doubling, same range) until `limit` traces matched
 * or the store has no more: the range is never narrowed, because a trace is
 * ranked by its start but may match through a later span.
 * Throws `InvalidQuery` (a `TraceQLError` with line and column) for bad text,
 * and for a metrics query (use `queryRangeTraceQL`).
 */
export async function searchTraceQL(
  reader: SpanReader,
  query: string,
  options: TraceQLSearchOptions,
): Promise<TraceQLSearchResult> {
  if (!(options.limit >= 1)) throw new AriadneError('InvalidQuery', 'limit must be at least 1');
  const compiled = compileTraceQL(query);
  if (compiled.metrics !== undefined) {
    throw new AriadneError('InvalidQuery', `${compiled.metrics.fn}() is a metrics query: use the metrics API`);
  }
  const plan = planTraceQL(compiled);
  const shown = shownFields(compiled);
  const traces: TraceQLTraceResult[] = [];
  const maxInspected = options.maxInspectedTraces ?? 100_000;
  let inspectedTraces = 0;
  let inspectedSpans = 0;
  let truncated = false;
  // A query the store answers whole needs no over-fetch; otherwise the engine will reject some candidates.
  const firstFetch = plan.likelyExact ? options.limit : Math.max(FIRST_FETCH, options.limit * 2);
  await forEachCandidate(reader, plan, options.timeRange, firstFetch, async (spans, summary, pacer) => {
    if (inspectedTraces >= maxInspected) {
      truncated = true;
      return true;
    }
    inspectedTraces++;
    inspectedSpans += spans.length;
    const ctx = new TraceContext(spans, RegexWork.paced());
    const sets = await evaluatePaced(ctx, pacer, () => executeInContext(compiled, ctx));
    if (sets.length === 0) return false;
    traces.push(traceResult(summary, spans, sets, shown, options.spansPerSpanSet));
    return traces.length >= options.limit;
  });
  return { traces, inspectedTraces, inspectedSpans, truncated };
}

export interface TraceQLMetricsOptions {
  readonly timeRange: TimeRange;
  readonly stepNanos: bigint;
  /** Traces evaluated at most; beyond it the answer is partial (`truncated`). Default 100,000. */
  readonly maxTraces?: number;
}

export interface TraceQLMetricsResult {
  readonly series: readonly MetricsSeries[];
  readonly inspectedTraces: number;
  readonly inspectedSpans: number;
  readonly truncated: boolean;
}

/** Evaluates a TraceQL metrics query (`… | rate() by (…)`) over the traces of a range (Tempo's query_range). */
export async function queryRangeTraceQL(
  reader: SpanReader,
  query: string,
  options: TraceQLMetricsOptions,
): Promise<TraceQLMetricsResult> {
  const compiled = compileTraceQL(query);
  if (compiled.metrics === undefined) {
    throw new AriadneError('InvalidQuery', 'not a metrics query: end it with a function such as | rate()');
  }
  const accumulator = new MetricsAccumulator(compiled, {
    startNanos: options.timeRange.startNanos,
    endNanos: options.timeRange.endNanos,
    stepNanos: options.stepNanos,
  });
  const maxTraces = options.maxTraces ?? 100_000;
  const plan = planTraceQL(compiled);
  let inspectedTraces = 0;
  let inspectedSpans = 0;
  let truncated = false;
  await forEachCandidate(reader, plan, options.timeRange, 1_000, async (spans, _summary, pacer) => {
    if (inspectedTraces >= maxTraces) {
      truncated = true;
      return true;
    }
    inspectedTraces++;
    inspectedSpans += spans.length;
    const ctx = new TraceContext(spans, RegexWork.paced());
    const sets = await evaluatePaced(ctx, pacer, () => executeInContext(compiled, ctx));
    // The metric's own fields (`by(…)`, the measured field) are evaluated once, synchronously: bounded.
    accumulator.addEvaluated(new TraceContext(spans), sets);
    return false;
  });
  return { series: accumulator.result(), inspectedTraces, inspectedSpans, truncated };
}

/**
 * Feeds each candidate trace (whole) to `visit`, most recent first, until
 * `visit` returns true or the store has no more candidates. `visit` runs
 * holding one of `TRACEQL_EVALUATIONS` (released while the store loads the
 * next traces), with the scan's pacer for its own turns of the event loop.
 */
async function forEachCandidate(
  reader: SpanReader,
  plan: TraceQLPlan,
  timeRange: TimeRange,
  firstFetch: number,
  visit: (spans: Span[], summary: TraceSummary, pacer: ScanPacer) => Promise<boolean>,
): Promise<void> {
  if (plan.matchesNothing) return;
  // Evaluation runs on the thread that answers /health and takes spans in: a turn of the
  // event loop between slices of it, and a stop at the query's deadline.
  const pacer = new ScanPacer();
  const seen = new Set<string>();
  let fetch = firstFetch;
  for (;;) {
    const summaries = await reader.findTraces({ ...plan.prefilter, timeRange, limit: fetch });
    const fresh = summaries.filter((summary) => !seen.has(summary.traceId));
    for (let i = 0; i < fresh.length; i += CONCURRENCY) {
      const chunk = fresh.slice(i, i + CONCURRENCY);
      const loaded = await Promise.all(chunk.map((summary) => loadTrace(reader, summary.traceId)));
      const done = await TRACEQL_EVALUATIONS.run(async () => {
        for (let j = 0; j < chunk.length; j++) {
          const summary = chunk[j]!;
          seen.add(summary.traceId);
          const spans = loaded[j];
          if (spans === undefined) continue;
          await pacer.step();
          if (await visit(spans, summary, pacer)) return true;
        }
        return false;
      });
      if (done) return;
    }
    if (summaries.length < fetch || fetch >= MAX_FETCH) return;
    fetch = Math.min(fetch * 4, MAX_FETCH);
  }
}

async function loadTrace(reader: SpanReader, traceId: string): Promise<Span[] | undefined> {
  try {
    return await reader.getTrace(traceId);
  } catch (error) {
    // Removed by retention between the search and the load: not a failure of the query.
    if (error instanceof AriadneError && error.kind === 'TraceNotFound') return undefined;
    throw error;
  }
}

function traceResult(
  summary: TraceSummary,
  spans: readonly Span[],
  sets: readonly Spanset[],
  shown: readonly FieldExpr[],
  spansPerSpanSet: number,
): TraceQLTraceResult {
  const root = spans.find((span) => span.parentSpanId === '');
  const serviceStats = new Map<string, { spanCount: number; errorCount: number }>();
  for (const span of spans) {
    const name = serviceNameOf(span.resource);
    const stats = serviceStats.get(name) ?? { spanCount: 0, errorCount: 0 };
    stats.spanCount++;
    if (span.status.code === 2) stats.errorCount++;
    serviceStats.set(name, stats);
  }
  return {
    traceId: summary.traceId,
    rootServiceName: root === undefined ? MISSING_ROOT_SERVICE : serviceNameOf(root.resource),
    rootTraceName: root === undefined ? '' : root.name,
    startTimeUnixNano: summary.startTimeUnixNano,
    durationNanos: summary.durationNanos,
    spanSets: sets.map((set) => ({
      spans: set.spans.slice(0, Math.max(0, spansPerSpanSet)).map((span) => ({
        span,
        attributes: shownAttributes(span, [...shown, ...set.selected]),
      })),
      matched: set.spans.length,
      attributes: [
        ...set.groups.map((group) => ({ key: group.name, value: anyValueOfStatic(group.value) })),
        ...(set.scalar !== undefined && set.scalar.type !== 'nil'
          ? [{ key: 'scalar', value: anyValueOfStatic(set.scalar) }]
          : []),
      ],
    })),
    serviceStats,
  };
}

/** The attributes a query's filters mention: Tempo lists them with each matching span. */
function shownFields(query: Query): FieldExpr[] {
  const out: FieldExpr[] = [];
  const seen = new Set<string>();
  const visitField = (expr: FieldExpr): void => {
    if (expr.kind === 'attribute') {
      const key = formatField(expr);
      if (!seen.has(key)) {
        seen.add(key);
        out.push(expr);
      }
    } else if (expr.kind === 'binary') {
      visitField(expr.left);
      visitField(expr.right);
    } else if (expr.kind === 'unary') visitField(expr.operand);
  };
  const visitSpanset = (expr: SpansetExpr): void => {
    if (expr.kind === 'filter' && expr.expr !== undefined) visitField(expr.expr);
    else if (expr.kind === 'spansetOp') {
      visitSpanset(expr.left);
      visitSpanset(expr.right);
    } else if (expr.kind === 'subPipeline') visitPipeline(expr.pipeline);
  };
  const visitPipeline = (pipeline: Pipeline): void => {
    for (const stage of pipeline.stages) if (stage.kind === 'spanset') visitSpanset(stage.expr);
  };
  visitPipeline(query.pipeline);
  return out;
}

function shownAttributes(span: Span, fields: readonly FieldExpr[]): KeyValue[] {
  const out: KeyValue[] = [];
  const seen = new Set<string>();
  for (const field of fields) {
    if (field.kind !== 'attribute') continue;
    const sources =
      field.scope === 'span'
        ? [span.attributes]
        : field.scope === 'resource'
          ? [span.resource.attributes]
          : field.scope === 'none'
            ? [span.attributes, span.resource.attributes]
            : field.scope === 'instrumentation'
              ? [span.scope.attributes]
              : [];
    for (const attributes of sources) {
      const found = attributes.find((attribute) => attribute.key === field.name);
      if (found !== undefined && !seen.has(found.key)) {
        seen.add(found.key);
        out.push(found);
        break;
      }
    }
  }
  return out;
}

function anyValueOfStatic(value: Static): AnyValue {
  switch (value.type) {
    case 'string':
      return { type: 'string', value: value.value };
    case 'int':
      return { type: 'int', value: BigInt(Math.trunc(value.value)) };
    case 'float':
      return { type: 'double', value: value.value };
    case 'duration':
      return { type: 'int', value: BigInt(Math.round(value.value)) };
    case 'bool':
      return { type: 'bool', value: value.value };
    case 'status':
    case 'kind':
      return { type: 'string', value: value.value };
    case 'nil':
      return { type: 'empty' };
  }
}
