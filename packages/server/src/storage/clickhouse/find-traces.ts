import { AriadneError, type Resource, type Span, type StatusCode } from '@ariadne/protocol';
import { summarizeTrace } from '../query/summarize-trace.js';
import type { TraceQuery, TraceSummary } from '../span-store.js';
import { CANNOT_COMPILE_REGEXP, ClickHouseError, type ClickHouseHttp } from './clickhouse-http.js';
import { spanConditionsSql } from './search-sql.js';
import { SPAN_CONTENT_HASH } from './span-row.js';
import { sqlInteger, sqlString, traceIdFromHalves } from './sql-literal.js';

/** Where a trace's spans are, from the trace index: its services and the range of its span starts. */
interface TraceBounds {
  readonly first: string;
  readonly last: string;
  readonly services: readonly string[];
}

interface IndexedTrace extends TraceBounds {
  readonly trace_hi: string;
  readonly trace_lo: string;
}

export interface SearchTables {
  readonly spans: string;
  readonly traceIndex: string;
}

/** The newest part of the range searched first; each round looks this many times further back (its square after a round that found nothing). */
const FIRST_WINDOW_NANOS = 60_000_000_000n;
const WINDOW_GROWTH = 8n;

/**
 * findTraces without scanning the whole range when the answer is recent:
 * searches a window at the end of the range first and widens it (×8) only
 * while the answer could still change.
 *
 * Traces rank by their start over all their spans (the trace index), and a
 * trace's start is at most the start of any of its spans, so after a round
 * over [windowStart, end] that took the `fetch` traces with the latest
 * earliest-matching span: an untaken trace matching in the window starts no
 * later than the last taken one's earliest match, and a trace matching only
 * before the window starts before windowStart. When the limit-th best start
 * found beats both bounds, the answer is exact; otherwise the round is
 * repeated wider, or with more candidates.
 */
export async function findTraceSummaries(
  http: ClickHouseHttp,
  tables: SearchTables,
  query: TraceQuery,
  resourceOf: (service: string) => Resource,
): Promise<TraceSummary[]> {
  spanConditionsSql(query);
  const { startNanos, endNanos } = query.timeRange;
  let window = FIRST_WINDOW_NANOS;
  let fetch = query.limit * 2 + 10;
  let ranked: IndexedTrace[] = [];
  for (;;) {
    const windowStart = endNanos - startNanos < window ? startNanos : endNanos - window + 1n;
    const { prewhere, where } = spanConditionsSql({ ...query, timeRange: { startNanos: windowStart, endNanos } });
    const candidates = await searchRows<{ trace_hi: string; trace_lo: string; m: string }>(
      http,
      `SELECT trace_hi, trace_lo, min(start_ns) AS m FROM ${tables.spans}
       ${prewhere === '' ? '' : `PREWHERE ${prewhere}`} WHERE ${where}
       GROUP BY trace_hi, trace_lo ORDER BY m DESC, trace_hi, trace_lo LIMIT ${sqlInteger(fetch)}`,
    );
    const whole = windowStart === startNanos;
    const complete = candidates.length < fetch;
    if (candidates.length < query.limit && !whole) {
      // Too few to answer: widen without looking them up (much wider when nothing matched: a rare match).
      window *= candidates.length === 0 ? WINDOW_GROWTH * WINDOW_GROWTH : WINDOW_GROWTH;
      continue;
    }
    ranked = candidates.length === 0 ? [] : await indexedTraces(http, tables.traceIndex, candidates);
    if (complete && whole) break;
    if (ranked.length >= query.limit) {
      const kth = BigInt(ranked[query.limit - 1]!.first);
      const beatsUntaken = complete || kth > BigInt(candidates.at(-1)!.m);
      const beatsOlder = whole || kth >= windowStart;
      if (beatsUntaken && beatsOlder) break;
      if (!beatsUntaken) fetch *= 4;
      if (!beatsOlder) window *= WINDOW_GROWTH;
    } else if (whole) {
      fetch *= 4;
    } else {
      window *= WINDOW_GROWTH;
    }
  }
  const top = ranked.slice(0, query.limit);
  if (top.length === 0) return [];
  return summaries(http, tables.spans, top, resourceOf);
}

async function searchRows<Row>(http: ClickHouseHttp, sql: string): Promise<Row[]> {
  try {
    return await http.query<Row>(sql);
  } catch (error) {
    if (error instanceof ClickHouseError && error.code === CANNOT_COMPILE_REGEXP) {
      throw new AriadneError('InvalidQuery', `invalid regular expression: ${error.message}`, { cause: error });
    }
    throw error;
  }
}

/** One tuple alone in parentheses would read as a tuple, not a set of one. */
function traceIdSet(traces: readonly { trace_hi: string; trace_lo: string }[]): string {
  const ids = traces.map((row) => `(${sqlInteger(BigInt(row.trace_hi))}, ${sqlInteger(BigInt(row.trace_lo))})`);
  if (ids.length === 1) ids.push(ids[0]!);
  return `(${ids.join(', ')})`;
}

/** The candidates' bounds from the trace index, most recent start first. */
async function indexedTraces(
  http: ClickHouseHttp,
  traceIndex: string,
  candidates: readonly { trace_hi: string; trace_lo: string }[],
): Promise<IndexedTrace[]> {
  return http.query<IndexedTrace>(
    `SELECT trace_hi, trace_lo, min(min_start_ns) AS first, max(max_start_ns) AS last,
       groupUniqArrayArray(services) AS services FROM ${traceIndex}
     WHERE (trace_hi, trace_lo) IN ${traceIdSet(candidates)}
     GROUP BY trace_hi, trace_lo ORDER BY first DESC, trace_hi, trace_lo`,
  );
}

/** A trace's start times select the minutes of the spans table's sort key (minute of start, trace id): a few granules instead of whole days. */
function whereSpansOf(bounds: TraceBounds): string {
  return `service IN (${bounds.services.map(sqlString).join(', ')}) AND start_ns >= ${sqlInteger(
    BigInt(bounds.first),
  )} AND start_ns <= ${sqlInteger(BigInt(bounds.last))}`;
}

interface SummaryRow {
  readonly trace_hi: string;
  readonly trace_lo: string;
  readonly span_id: string;
  readonly parent_span_id: string;
  readonly service: string;
  readonly name: string;
  readonly start_ns: string;
  readonly duration_ns: string;
  readonly status_code: number;
}

async function summaries(
  http: ClickHouseHttp,
  spans: string,
  top: readonly IndexedTrace[],
  resourceOf: (service: string) => Resource,
): Promise<TraceSummary[]> {
  const byTrace = new Map<string, Span[]>();
  const add = (rows: readonly SummaryRow[]) => {
    for (const row of rows) {
      const key = `${row.trace_hi}:${row.trace_lo}`;
      let trace = byTrace.get(key);
      if (trace === undefined) {
        trace = [];
        byTrace.set(key, trace);
      }
      trace.push(summarySpan(row, resourceOf));
    }
  };
  add(await http.query<SummaryRow>(summarySql(spans, top)));
  // A span id that repeats is a span sent more than once (or Zipkin's two halves of an RPC): those
  // traces are read again, each span once (`SPAN_CONTENT_HASH`, which needs every column).
  const repeating = top.filter((row) => repeatsAnId(byTrace.get(`${row.trace_hi}:${row.trace_lo}`) ?? []));
  if (repeating.length > 0) {
    for (const row of repeating) byTrace.delete(`${row.trace_hi}:${row.trace_lo}`);
    add(
      await http.query<SummaryRow>(
        `${summarySql(spans, repeating)} LIMIT 1 BY trace_hi, trace_lo, span_id, ${SPAN_CONTENT_HASH}`,
      ),
    );
  }
  const found: TraceSummary[] = [];
  for (const row of top) {
    const trace = byTrace.get(`${row.trace_hi}:${row.trace_lo}`);
    // Absent only when retention dropped the spans between the two queries.
    if (trace !== undefined) found.push(summarizeTrace(trace));
  }
  return found;
}

/** Each trace's own bounds: far apart traces do not make the whole range between them read. */
function summarySql(spans: string, traces: readonly IndexedTrace[]): string {
  const where = traces.map((trace) => `(${whereSpansOf(trace)})`).join(' OR ');
  return `SELECT trace_hi, trace_lo, span_id, parent_span_id, service, name, start_ns, duration_ns, status_code FROM ${spans}
     PREWHERE (trace_hi, trace_lo) IN ${traceIdSet(traces)} WHERE ${where}`;
}

function repeatsAnId(trace: readonly Span[]): boolean {
  const ids = new Set<string>();
  for (const span of trace) {
    if (ids.has(span.spanId)) return true;
    ids.add(span.spanId);
  }
  return false;
}

/** Just the fields `summarizeTrace` reads: the summary logic stays the one all stores share. */
function summarySpan(row: SummaryRow, resourceOf: (service: string) => Resource): Span {
  const start = BigInt(row.start_ns);
  const parent = BigInt(row.parent_span_id);
  return {
    traceId: traceIdFromHalves(BigInt(row.trace_hi), BigInt(row.trace_lo)),
    spanId: BigInt(row.span_id).toString(16).padStart(16, '0'),
    parentSpanId: parent === 0n ? '' : parent.toString(16).padStart(16, '0'),
    name: row.name,
    startTimeUnixNano: start,
    endTimeUnixNano: start + BigInt(row.duration_ns),
    status: { code: Number(row.status_code) as StatusCode, message: '' },
    resource: resourceOf(row.service),
  } as Span;
}
