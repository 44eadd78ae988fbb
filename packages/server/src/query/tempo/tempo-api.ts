import {
  AriadneError,
  encodeOtlpTraceRequestJson,
  encodeOtlpTraceRequestProto,
  normalizeTraceId,
} from '@ariadne/protocol';
import { type Context, Hono } from 'hono';
import type { AttributePredicate, SpanReader, TimeRange, TraceQuery, TraceSummary } from '../../storage/span-store.js';
import { httpStatusOfError } from '../http-error-status.js';
import {
  MAX_SEARCH_LIMIT,
  MAX_SPANS_PER_SPAN_SET,
  MAX_TAG_VALUES,
  type QueryCaps,
  withinSearchWindow,
} from '../query-caps.js';
import { raceQueryDeadline } from '../query-deadline.js';
import { readSpansOnce } from '../read-spans-once.js';
import { readUniqueSpanIds } from '../read-unique-span-ids.js';
import { queryRangeTraceQL, searchTraceQL } from '../traceql/search.js';
import { collectTags, collectTagValues, parseTag, sampleSpans, TAG_SCOPES, type TagScope } from './tag-catalog.js';
import { queryRangeResponseJson, searchResponseJson, seriesLabelsJson } from './tempo-json.js';
import { parseLogfmt, parsePositiveInt, parseTempoDuration, parseTempoTime } from './tempo-params.js';

const MAX_INT64 = (1n << 63n) - 1n;
const HOUR = 3_600_000_000_000n;

export interface TempoApiOptions extends QueryCaps {
  /** Nanoseconds since the epoch; metrics queries without `end` count from it. Tests pin it. */
  readonly now?: () => bigint;
  /** Most recent traces sampled for tag names and values. Default 200. */
  readonly tagSampleTraces?: number;
  /**
   * Serve `GET /api/traces/:id` in Tempo's shape. Default true. Off where the
   * Tempo API shares a port with Jaeger's, whose `/api/traces/:id` answers there.
   */
  readonly traceByIdV1?: boolean;
}

/**
 * The version reported by `/api/status/buildinfo`. Grafana's Tempo data
 * source turns features on by the version it reads there (TraceQL, scoped tags,
 * metrics), so Ariadne answers as the Tempo release whose HTTP API it speaks.
 */
export const TEMPO_COMPATIBLE_VERSION = '2.7.0';

/** Tempo's status routes, which answer without a tenant: `/ready`, `/api/echo`, `/api/status/buildinfo`. */
export function createTempoStatusApi(): Hono {
  const app = new Hono();
  app.get('/ready', (c) => c.text('ready'));
  app.get('/api/echo', (c) => c.text('echo'));
  app.get('/api/status/buildinfo', (c) =>
    c.json({
      version: TEMPO_COMPATIBLE_VERSION,
      revision: 'ariadne',
      branch: 'main',
      buildUser: '',
      buildDate: '',
      goVersion: '',
    }),
  );
  return app;
}

/**
 * Tempo's HTTP query API (port 3200), answered from any `SpanReader`, so that
 * Grafana's Tempo data source works unchanged:
 *
 * - `GET /ready`, `/api/echo`, `/api/status/buildinfo`;
 * - `GET /api/traces/:id` (`{batches}`) and `/api/v2/traces/:id` (`{trace}`), protobuf
 *   (`tempopb.Trace` / `TraceByIDResponse`) when the Accept header asks for it; 404 when not stored;
 * - `GET /api/search`: `q` (TraceQL) or `tags` (logfmt) with `minDuration`/`maxDuration`
 *   (trace duration), `limit` (20, at most 1,500), `spss` (3, at most 100), `start`/`end` (Unix seconds;
 *   default all time; given, at most `maxSearchWindowNanos` apart);
 * - `GET /api/search/tags`, `/api/v2/search/tags` (scoped), `/api/search/tag/:tag/values`,
 *   `/api/v2/search/tag/:tag/values` (typed; `q` narrows; `limit` at most 10,000) — sampled from recent traces;
 * - `GET /api/metrics/query_range` and `/api/metrics/query` for TraceQL metrics (a window of at most
 *   `maxSearchWindowNanos`).
 *
 * A limit, `spss` or window over its maximum is a 400 naming the parameter and the maximum (`query-caps.ts`).
 *
 * Errors answer with the status of their kind and the message as plain text, as Tempo does.
 */
export function createTempoApi(store: SpanReader, options: TempoApiOptions = {}): Hono {
  // Every span read here (traces, TraceQL, tag samples) comes out once however often it was sent,
  // with an id of its own: Grafana's trace view nests spans by id.
  const reader = readUniqueSpanIds(readSpansOnce(store));
  const now = options.now ?? (() => BigInt(Date.now()) * 1_000_000n);
  const tagSampleTraces = options.tagSampleTraces ?? 200;
  const app = createTempoStatusApi();

  const traceById = (version: 1 | 2) =>
    handle(async (c) => {
      const traceId = parseTraceId(c.req.param('traceId') ?? '');
      const spans = await reader.getTrace(traceId, timeRangeHint(c));
      if (wantsProtobuf(c)) {
        const trace = encodeOtlpTraceRequestProto(spans);
        // tempopb.Trace has ExportTraceServiceRequest's layout (resource spans in field 1);
        // TraceByIDResponse wraps it in its field 1.
        const body = version === 1 ? trace : wrapField1(trace);
        return new Response(body, { status: 200, headers: { 'content-type': 'application/protobuf' } });
      }
      const json = encodeOtlpTraceRequestJson(spans);
      const resourceSpans = json.slice('{"resourceSpans":'.length, -1);
      const body = version === 1 ? `{"batches":${resourceSpans}}` : `{"trace":{"resourceSpans":${resourceSpans}}}`;
      return new Response(body, { status: 200, headers: { 'content-type': 'application/json' } });
    });
  if (options.traceByIdV1 ?? true) app.get('/api/traces/:traceId', traceById(1));
  app.get('/api/v2/traces/:traceId', traceById(2));

  app.get(
    '/api/search',
    handle(async (c) => {
      const limit = parsePositiveInt('limit', c.req.query('limit'), 20, MAX_SEARCH_LIMIT);
      const spss = parsePositiveInt('spss', c.req.query('spss'), 3, MAX_SPANS_PER_SPAN_SET);
      const timeRange = searchRange(c, now(), options);
      const q = c.req.query('q') ?? '';
      if (q.trim() !== '') {
        const result = await searchTraceQL(reader, q, { timeRange, limit, spansPerSpanSet: spss });
        return c.json(searchResponseJson(result));
      }
      const traces = await tagSearch(reader, c, timeRange, limit);
      return c.json({
        traces: traces.map((summary) => ({
          traceID: summary.traceId,
          rootServiceName: summary.rootServiceName,
          rootTraceName: summary.rootSpanName,
          startTimeUnixNano: summary.startTimeUnixNano.toString(),
          durationMs: Number(summary.durationNanos / 1_000_000n),
          serviceStats: Object.fromEntries(
            summary.services.map((s) => [s.name, { spanCount: s.spanCount, errorCount: s.errorCount }]),
          ),
        })),
        metrics: { inspectedTraces: traces.length, inspectedBytes: '0', completedJobs: 1, totalJobs: 1 },
      });
    }),
  );

  const sample = (c: Context, query?: string) =>
    sampleSpans(reader, {
      // A sample of at most `tagSampleTraces` traces costs the same over any window: not capped.
      timeRange: searchRange(c, now()),
      maxTraces: tagSampleTraces,
      ...(query !== undefined ? { query } : {}),
    });

  app.get(
    '/api/search/tags',
    handle(async (c) => {
      const scope = parseScope(c.req.query('scope'));
      const tags = collectTags(await sample(c));
      const names = new Set<string>();
      for (const s of ['span', 'resource'] as const)
        if (scope === undefined || scope === s) for (const t of tags.get(s)!) names.add(t);
      if (scope === 'intrinsic') for (const t of tags.get('intrinsic')!) names.add(t);
      return c.json({ tagNames: [...names].sort(), metrics: { inspectedBytes: '0' } });
    }),
  );

  app.get(
    '/api/v2/search/tags',
    handle(async (c) => {
      const scope = parseScope(c.req.query('scope'));
      const tags = collectTags(await sample(c, c.req.query('q')));
      const scopes = TAG_SCOPES.filter((s) => (scope === undefined ? true : s === scope))
        .map((name) => ({ name, tags: tags.get(name)! }))
        .filter((s) => s.tags.length > 0 || s.name === 'span' || s.name === 'resource' || s.name === 'intrinsic');
      return c.json({ scopes, metrics: { inspectedBytes: '0' } });
    }),
  );

  app.get(
    '/api/search/tag/:tag/values',
    handle(async (c) => {
      const tag = c.req.param('tag') ?? '';
      // The first API's tags are unscoped attribute names.
      const field = parseTag(tag.startsWith('.') ? tag : `.${tag.includes(' ') ? JSON.stringify(tag) : tag}`);
      const values = collectTagValues(await sample(c), field, tagValueLimit(c));
      return c.json({ tagValues: [...new Set(values.map((v) => v.value))].sort(), metrics: { inspectedBytes: '0' } });
    }),
  );

  app.get(
    '/api/v2/search/tag/:tag/values',
    handle(async (c) => {
      const field = parseTag(c.req.param('tag') ?? '');
      const values = collectTagValues(await sample(c, c.req.query('q')), field, tagValueLimit(c));
      return c.json({ tagValues: values, metrics: { inspectedBytes: '0' } });
    }),
  );

  app.get(
    '/api/metrics/query_range',
    handle(async (c) => {
      const q = requireQuery(c);
      const { timeRange } = metricsRange(c, now(), options);
      const span = timeRange.endNanos - timeRange.startNanos;
      // Tempo's default: about a hundred points over the range, never finer than a second.
      const fallbackStep = span / 100n > 1_000_000_000n ? span / 100n : 1_000_000_000n;
      const stepNanos = parseTempoDuration('step', c.req.query('step')) ?? fallbackStep;
      if (stepNanos <= 0n) throw new AriadneError('InvalidQuery', 'step must be greater than zero');
      const result = await queryRangeTraceQL(reader, q, { timeRange, stepNanos });
      return c.json(queryRangeResponseJson(result.series, result.inspectedTraces, result.inspectedSpans));
    }),
  );

  app.get(
    '/api/metrics/query',
    handle(async (c) => {
      const q = requireQuery(c);
      const { timeRange } = metricsRange(c, now(), options);
      // One bucket over the whole range: an instant answer.
      const stepNanos = timeRange.endNanos - timeRange.startNanos + 1n;
      const result = await queryRangeTraceQL(reader, q, { timeRange, stepNanos });
      return c.json({
        series: result.series.map((s) => ({
          labels: seriesLabelsJson(s),
          value: s.samples[0]?.value ?? 0,
          promLabels: s.promLabels,
        })),
        metrics: { inspectedTraces: result.inspectedTraces, inspectedBytes: '0', completedJobs: 1, totalJobs: 1 },
      });
    }),
  );

  return app;
}

function handle(route: (c: Context) => Promise<Response>): (c: Context) => Promise<Response> {
  return async (c) => {
    try {
      return await raceQueryDeadline(route(c));
    } catch (error) {
      const status = httpStatusOfError(error);
      const message = error instanceof AriadneError ? error.message : 'internal error';
      return new Response(status === 404 ? 'trace not found' : message, {
        status,
        headers: { 'content-type': 'text/plain; charset=utf-8' },
      });
    }
  };
}

function parseTraceId(text: string): string {
  const id = normalizeTraceId(text);
  if (id === undefined) throw new AriadneError('InvalidQuery', `invalid trace id "${text}"`);
  return id;
}

function wantsProtobuf(c: Context): boolean {
  return /application\/(x-)?protobuf/.test(c.req.header('accept') ?? '');
}

function wrapField1(message: Uint8Array): Uint8Array {
  const length: number[] = [];
  let n = message.length;
  while (n > 0x7f) {
    length.push((n & 0x7f) | 0x80);
    n >>>= 7;
  }
  length.push(n);
  const out = new Uint8Array(1 + length.length + message.length);
  out[0] = 0x0a; // field 1, length-delimited
  out.set(length, 1);
  out.set(message, 1 + length.length);
  return out;
}

function timeRangeHint(c: Context): TimeRange | undefined {
  const start = parseTempoTime('start', c.req.query('start'));
  const end = parseTempoTime('end', c.req.query('end'));
  if (start === undefined && end === undefined) return undefined;
  return { startNanos: start ?? 0n, endNanos: end ?? MAX_INT64 };
}

/**
 * Search ranges default to all time: Tempo without start/end searches what its
 * ingesters hold (the limit and the query deadline bound that search). With
 * either given and `caps`, the window (to now when only `start` is) is capped.
 */
function searchRange(c: Context, now: bigint, caps?: QueryCaps): TimeRange {
  const start = parseTempoTime('start', c.req.query('start'));
  const startNanos = start ?? 0n;
  // `end` in whole seconds means "up to the end of that second".
  const endText = c.req.query('end');
  const end = parseTempoTime('end', endText);
  const endNanos =
    end === undefined
      ? MAX_INT64
      : /^\d+$/.test(endText!.trim()) && end % 1_000_000_000n === 0n
        ? end + 999_999_999n
        : end;
  if (endNanos < startNanos) throw new AriadneError('InvalidQuery', 'invalid time range: end is before start');
  if (caps !== undefined && (start !== undefined || end !== undefined)) {
    // As asked: the last second's extension above does not make a week's search longer than a week.
    const windowEnd = end ?? (now > startNanos ? now : startNanos);
    withinSearchWindow("from 'start' to 'end'", { startNanos, endNanos: windowEnd }, caps);
  }
  return { startNanos, endNanos };
}

function metricsRange(c: Context, now: bigint, caps: QueryCaps): { timeRange: TimeRange } {
  const endNanos = parseTempoTime('end', c.req.query('end')) ?? now;
  const startNanos = parseTempoTime('start', c.req.query('start')) ?? endNanos - HOUR;
  if (endNanos < startNanos) throw new AriadneError('InvalidQuery', 'invalid time range: end is before start');
  return { timeRange: withinSearchWindow("from 'start' to 'end'", { startNanos, endNanos }, caps) };
}

function requireQuery(c: Context): string {
  const q = c.req.query('q') ?? c.req.query('query') ?? '';
  if (q.trim() === '') throw new AriadneError('InvalidQuery', 'parameter q (a TraceQL metrics query) is required');
  return q;
}

function parseScope(text: string | undefined): TagScope | undefined {
  if (text === undefined || text === '' || text === 'all') return undefined;
  if ((TAG_SCOPES as readonly string[]).includes(text)) return text as TagScope;
  throw new AriadneError('InvalidQuery', `invalid scope "${text}": one of ${TAG_SCOPES.join(', ')}`);
}

function tagValueLimit(c: Context): number {
  return parsePositiveInt('limit', c.req.query('limit'), 1_000, MAX_TAG_VALUES);
}

/**
 * Tempo's first search API: `tags` in logfmt, each pair met by one span (a
 * store predicate: `service.name` is the service, `name` the span name,
 * `status=error` errors only, anything else an attribute of span, resource
 * or event compared as text); `minDuration`/`maxDuration` bound the trace's duration.
 * Results carry trace metadata only, no span sets: Tempo answers these from its
 * block search (`rawToResults`), not from TraceQL.
 */
async function tagSearch(reader: SpanReader, c: Context, timeRange: TimeRange, limit: number): Promise<TraceSummary[]> {
  const minDuration = parseTempoDuration('minDuration', c.req.query('minDuration'));
  const maxDuration = parseTempoDuration('maxDuration', c.req.query('maxDuration'));
  let service: string | undefined;
  let operation: string | undefined;
  let errorsOnly = false;
  const attributes: AttributePredicate[] = [];
  for (const { key, value } of parseLogfmt(c.req.query('tags') ?? '')) {
    if (key === 'service.name' && service === undefined) service = value;
    else if (key === 'name' && operation === undefined) operation = value;
    else if (key === 'status' && value === 'error') errorsOnly = true;
    else attributes.push({ key, scope: 'any', operator: '=', value });
  }
  const base: Omit<TraceQuery, 'limit'> = {
    timeRange,
    ...(service !== undefined ? { service } : {}),
    ...(operation !== undefined ? { operation } : {}),
    ...(errorsOnly ? { errorsOnly } : {}),
    ...(attributes.length > 0 ? { attributes } : {}),
  };
  const keep = (summary: TraceSummary) =>
    (minDuration === undefined || summary.durationNanos >= minDuration) &&
    (maxDuration === undefined || summary.durationNanos <= maxDuration);
  let fetch = limit;
  for (;;) {
    const summaries = await reader.findTraces({ ...base, limit: fetch });
    const kept = summaries.filter(keep);
    if (kept.length >= limit || summaries.length < fetch || fetch >= 100_000) return kept.slice(0, limit);
    fetch *= 4;
  }
}
