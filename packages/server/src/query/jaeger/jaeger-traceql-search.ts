import { AriadneError, type Span } from '@ariadne/protocol';
import type { SpanReader, TimeRange } from '../../storage/span-store.js';
import type { QueryCaps } from '../query-caps.js';
import { searchTraceQL } from '../traceql/search.js';
import { fetchTraces } from './fetch-traces.js';
import { parseJaegerTracesRequest } from './jaeger-trace-query.js';

/** `GET /api/traces?q=`: a TraceQL search with the time window and limit of a Jaeger search. */
export interface JaegerTraceQLRequest {
  readonly q: string;
  readonly timeRange: TimeRange;
  readonly limit: number;
}

/**
 * Jaeger's own filters. With `q` they are refused rather than silently
 * ignored or combined: Jaeger's "one span satisfies them all" and TraceQL's
 * spansets do not mix, and the query can say the same thing itself.
 */
const FILTER_PARAMS = ['service', 'operation', 'tag', 'tags', 'minDuration', 'maxDuration', 'traceID'] as const;

/**
 * Reads `q` and the window (`start`, `end`, `lookback`, `limit`, checked,
 * capped and defaulted exactly as a Jaeger search's). Resolves to `undefined` when `q`
 * is absent or blank: the request is an ordinary Jaeger search. Throws
 * `InvalidQuery` for a malformed window, or for a filter given beside `q`.
 */
export function parseJaegerTraceQLRequest(
  params: URLSearchParams,
  nowNanos: bigint,
  caps: QueryCaps = {},
): JaegerTraceQLRequest | undefined {
  const q = params.get('q') ?? '';
  if (q.trim() === '') return undefined;
  const mixed = FILTER_PARAMS.filter((name) => params.getAll(name).some((value) => value !== ''));
  if (mixed.length > 0) {
    throw new AriadneError(
      'InvalidQuery',
      `param 'q' (TraceQL) cannot be combined with ${mixed.map((name) => `'${name}'`).join(', ')}: ` +
        'write the condition in the query, e.g. { resource.service.name = "checkout" }',
    );
  }
  const window = new URLSearchParams();
  for (const name of ['start', 'end', 'lookback', 'limit']) {
    for (const value of params.getAll(name)) window.append(name, value);
  }
  const request = parseJaegerTracesRequest(window, nowNanos, caps);
  // Without traceID the parser always answers a search.
  if (request.kind !== 'search') throw new Error('a Jaeger search window parsed as a trace id request');
  return { q, timeRange: request.query.timeRange, limit: request.query.limit };
}

/**
 * The whole traces (every stored span, as `/api/traces?service=` answers)
 * that the TraceQL query matches, most recent first, at most `limit`.
 * Rejects with `InvalidQuery` (a `TraceQLError`, its message starting with
 * `line:column:`) for bad TraceQL or a metrics query.
 */
export async function searchJaegerTraceQL(reader: SpanReader, request: JaegerTraceQLRequest): Promise<Span[][]> {
  // The listing is of traces, not spansets: no span needs listing.
  const result = await searchTraceQL(reader, request.q, {
    timeRange: request.timeRange,
    limit: request.limit,
    spansPerSpanSet: 0,
  });
  // The search loaded these traces but keeps only summaries; a trace removed since is simply no longer a result.
  const { traces } = await fetchTraces(
    reader,
    result.traces.map((trace) => trace.traceId),
  );
  return traces;
}
