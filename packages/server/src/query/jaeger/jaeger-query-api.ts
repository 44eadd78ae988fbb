import {
  AriadneError,
  decodeOtlpTraceRequestJson,
  isAriadneError,
  type JaegerError,
  type JaegerOperation,
  normalizeTraceId,
  type Span,
  spanKindFromJaeger,
  spanKindToJaeger,
  toJaegerTrace,
  toJaegerTraceId,
} from '@ariadne/protocol';
import { type Context, Hono } from 'hono';
import {
  hasDependencies,
  hasRedMetrics,
  type SpanReader,
  type SpanStore,
  type TimeRange,
} from '../../storage/span-store.js';
import { traceRetentionOf } from '../../storage/trace-retention-reader.js';
import { type QueryCaps, withinSearchWindow } from '../query-caps.js';
import { raceQueryDeadline } from '../query-deadline.js';
import { readSpansOnce } from '../read-spans-once.js';
import { readUniqueSpanIds } from '../read-unique-span-ids.js';
import { fetchTraces } from './fetch-traces.js';
import { jaegerDataResponse, jaegerErrorResponse, jaegerStatusResponse } from './jaeger-envelope.js';
import {
  MIN_STEP_MS,
  type MonitorMetric,
  optionalMillis,
  parseMonitorRequest,
  toJaegerMetricFamily,
} from './jaeger-monitor-metrics.js';
import { parseJaegerTracesRequest } from './jaeger-trace-query.js';
import { parseJaegerTraceQLRequest, searchJaegerTraceQL } from './jaeger-traceql-search.js';
import { withRetention } from './with-retention.js';

const MAX_INT64 = (1n << 63n) - 1n;

export interface JaegerQueryApiOptions extends QueryCaps {
  /** Nanoseconds since the Unix epoch; searches without `end` or `start` count from it. Tests pin it. */
  readonly now?: () => bigint;
  /**
   * Where `POST /api/archive/:traceId` copies traces, and where trace reads
   * look when the main store does not hold a trace (it expired). Without it,
   * archiving answers 501, as Jaeger does with no archive storage.
   */
  readonly archive?: SpanStore;
  /** Largest `POST /api/transform` body, bytes. Default 16 MiB. */
  readonly maxTransformBytes?: number;
}

/** Jaeger's `defaultDependencyLookbackDuration`. */
const DEFAULT_DEPENDENCY_LOOKBACK_NANOS = 86_400_000_000_000n;

/**
 * Jaeger's query HTTP API (what Jaeger UI and Grafana's Jaeger data source
 * call on port 16686), answered from any `SpanReader`:
 *
 * - `GET /api/services`: service names, sorted.
 * - `GET /api/services/:service/operations`: operation names of a service.
 * - `GET /api/operations?service=&spanKind=`: `[{name, spanKind}]`.
 * - `GET /api/traces?...`: search (see `parseJaegerTracesRequest`), or
 *   `traceID=` (repeated) to fetch traces; ids not stored are reported in `errors`;
 *   or `q=<TraceQL>` with `start`/`end`/`lookback`/`limit`: the whole traces the
 *   query matches (see `parseJaegerTraceQLRequest`), 400 naming line and column
 *   for bad TraceQL.
 * - `GET /api/traces/:traceId[?start=&end=]`: one trace; 404 when not stored
 *   (in the store or the archive).
 * - `GET /api/dependencies?endTs=&lookback=[&service=]` (ms): service map edges
 *   `[{parent, child, callCount, errorCount}]`.
 * - `GET /api/metrics/{latencies|calls|errors}` and `/api/metrics/minstep`:
 *   Jaeger SPM's monitor API (a bare `MetricFamily`, not the envelope).
 * - `POST /api/transform`: an OTLP/JSON body as Jaeger UI traces.
 * - `POST /api/archive/:traceId`: copies a trace into the archive store.
 *
 * A search, dependency or metrics window longer than `maxSearchWindowNanos`
 * (default 168h), or a `limit` over 1,500, is a 400 naming it and the maximum.
 *
 * Capabilities the store lacks (dependencies, RED metrics, archive) answer
 * 501 in the error envelope, as Jaeger does for disabled features.
 *
 * Every answer is Jaeger's envelope `{data, total, limit, offset, errors}`,
 * written with `stringifyJaegerJson` so int64 tags keep every digit.
 * Jaeger's trace adjusters (clock skew and the like) are not applied: traces
 * are shown as stored.
 */
export function createJaegerQueryApi(store: SpanReader, storeOptions: JaegerQueryApiOptions = {}): Hono {
  // Every span read here, from the store and the archive, comes out once however often it was sent,
  // and with an id of its own (Zipkin's shared ids, as Jaeger's query adjusts them). The archive
  // is given the spans as stored: ids are made unique again whenever they are read.
  const once = readSpansOnce(store);
  const reader = readUniqueSpanIds(once);
  const options: JaegerQueryApiOptions =
    storeOptions.archive === undefined
      ? storeOptions
      : { ...storeOptions, archive: readUniqueSpanIds(readSpansOnce(storeOptions.archive)) };
  const now = options.now ?? (() => BigInt(Date.now()) * 1_000_000n);
  const app = new Hono();

  app.get(
    '/api/services',
    handle(async () => {
      const services = await reader.getServices();
      return jaegerDataResponse(services, services.length);
    }),
  );

  app.get(
    '/api/services/:service/operations',
    handle(async (c) => {
      const operations = await reader.getOperations({ service: c.req.param('service') ?? '' });
      // The store sorts by name then kind, so equal names are neighbours.
      const names = operations.map((op) => op.name).filter((name, i, all) => i === 0 || all[i - 1] !== name);
      return jaegerDataResponse(names, names.length);
    }),
  );

  app.get(
    '/api/operations',
    handle(async (c) => {
      const service = c.req.query('service') ?? '';
      if (service === '') throw new AriadneError('InvalidQuery', "parameter 'service' is required");
      const kindText = c.req.query('spanKind') ?? '';
      const spanKind = kindText === '' ? undefined : spanKindFromJaeger(kindText);
      if (kindText !== '' && spanKind === undefined) {
        throw new AriadneError(
          'InvalidQuery',
          `unable to parse param 'spanKind': unsupported span kind: '${kindText}'`,
        );
      }
      const operations = await reader.getOperations({ service, ...(spanKind !== undefined ? { spanKind } : {}) });
      const data: JaegerOperation[] = operations.map((op) => ({
        name: op.name,
        spanKind: spanKindToJaeger(op.spanKind),
      }));
      return jaegerDataResponse(data, data.length);
    }),
  );

  app.get(
    '/api/traces',
    handle(async (c) => {
      const params = new URL(c.req.url).searchParams;
      const traceQL = parseJaegerTraceQLRequest(params, now(), options);
      if (traceQL !== undefined) {
        const traces = await searchJaegerTraceQL(reader, traceQL);
        return jaegerDataResponse(traces.map(toJaegerTrace), traces.length);
      }
      const request = parseJaegerTracesRequest(params, now(), options);
      if (request.kind === 'ids') {
        const { traces, missing } = await fetchWithArchive(request.traceIds, request.timeRange);
        const errors: JaegerError[] = missing.map((id) => ({
          code: 404,
          msg: 'trace not found',
          traceID: toJaegerTraceId(id),
        }));
        return jaegerDataResponse(traces.map(toJaegerTrace), traces.length, errors.length > 0 ? errors : null);
      }
      const summaries = await reader.findTraces(request.query);
      // A trace evicted between the search and the read is simply no longer a result.
      const { traces } = await fetchTraces(
        reader,
        summaries.map((summary) => summary.traceId),
      );
      // Ariadne's retention tier beside each trace (Jaeger's clients ignore the field).
      const tiers = new Map(summaries.map((summary) => [summary.traceId, summary.retention]));
      return jaegerDataResponse(
        traces.map((spans) => withRetention(toJaegerTrace(spans), tiers.get(spans[0]?.traceId ?? ''))),
        traces.length,
      );
    }),
  );

  app.get(
    '/api/traces/:traceId',
    handle(async (c) => {
      const traceId = parseTraceIdParam(c.req.param('traceId') ?? '');
      try {
        const spans = await getTraceWithArchive(traceId, timeRangeHint(c.req.query('start'), c.req.query('end')));
        return jaegerDataResponse([withRetention(toJaegerTrace(spans), await traceRetentionOf(reader, traceId))], 1);
      } catch (error) {
        if (isAriadneError(error, 'TraceNotFound')) return jaegerErrorResponse(error, 'trace not found');
        throw error;
      }
    }),
  );

  app.post(
    '/api/archive/:traceId',
    handle(async (c) => {
      const traceId = parseTraceIdParam(c.req.param('traceId') ?? '');
      if (options.archive === undefined) return jaegerStatusResponse(501, 'archive span storage was not configured');
      let spans: Span[];
      try {
        spans = await once.getTrace(traceId, timeRangeHint(c.req.query('start'), c.req.query('end')));
      } catch (error) {
        if (isAriadneError(error, 'TraceNotFound')) return jaegerErrorResponse(error, 'trace not found');
        throw error;
      }
      await options.archive.writeSpans(spans);
      // Jaeger answers an empty list with an empty error list.
      return new Response('{"data":[],"total":0,"limit":0,"offset":0,"errors":[]}', {
        status: 200,
        headers: { 'content-type': 'application/json' },
      });
    }),
  );

  app.get(
    '/api/dependencies',
    handle(async (c) => {
      if (!hasDependencies(reader)) return jaegerStatusResponse(501, 'the store does not compute dependencies');
      const params = new URL(c.req.url).searchParams;
      const endNanos = optionalMillis(params, 'endTs') ?? now();
      const lookback = optionalMillis(params, 'lookback') ?? DEFAULT_DEPENDENCY_LOOKBACK_NANOS;
      const service = params.get('service') ?? '';
      const window = withinSearchWindow("of 'lookback'", { startNanos: endNanos - lookback, endNanos }, options);
      const links = await reader.getDependencies(window);
      const data = links
        .filter((link) => service === '' || link.parent === service || link.child === service)
        .map((link) => ({
          parent: link.parent,
          child: link.child,
          callCount: link.callCount,
          errorCount: link.errorCount,
        }));
      return jaegerDataResponse(data, data.length);
    }),
  );

  for (const metric of ['latencies', 'calls', 'errors'] as const satisfies readonly MonitorMetric[]) {
    app.get(
      `/api/metrics/${metric}`,
      handle(async (c) => {
        const request = parseMonitorRequest(new URL(c.req.url).searchParams, metric, now());
        withinSearchWindow("of 'lookback'", request.query.timeRange, options);
        if (!hasRedMetrics(reader)) return jaegerStatusResponse(501, 'the store does not compute RED metrics');
        const series = await reader.getRedMetrics(request.query);
        return c.json(toJaegerMetricFamily(metric, request, series));
      }),
    );
  }

  app.get(
    '/api/metrics/minstep',
    handle(async () => {
      if (!hasRedMetrics(reader)) return jaegerStatusResponse(501, 'the store does not compute RED metrics');
      return jaegerDataResponse(MIN_STEP_MS, 0);
    }),
  );

  app.post(
    '/api/transform',
    handle(async (c) => {
      const limit = options.maxTransformBytes ?? 16 * 1024 * 1024;
      const body = new Uint8Array(await c.req.arrayBuffer());
      if (body.byteLength > limit) {
        throw new AriadneError('PayloadTooLarge', `request body is larger than ${limit} bytes`);
      }
      const { spans } = decodeOtlpTraceRequestJson(body);
      const byTrace = new Map<string, Span[]>();
      for (const span of spans) {
        const list = byTrace.get(span.traceId);
        if (list === undefined) byTrace.set(span.traceId, [span]);
        else list.push(span);
      }
      const traces = [...byTrace.values()].map(toJaegerTrace);
      return jaegerDataResponse(traces, traces.length);
    }),
  );

  async function getTraceWithArchive(traceId: string, timeRange: TimeRange | undefined): Promise<Span[]> {
    try {
      return await reader.getTrace(traceId, timeRange);
    } catch (error) {
      if (options.archive === undefined || !isAriadneError(error, 'TraceNotFound')) throw error;
      // An archived trace is kept past the main store's retention: its time range no longer applies.
      return options.archive.getTrace(traceId);
    }
  }

  async function fetchWithArchive(traceIds: readonly string[], timeRange: TimeRange | undefined) {
    const found = await fetchTraces(reader, traceIds, timeRange);
    if (options.archive === undefined || found.missing.length === 0) return found;
    const archived = await fetchTraces(options.archive, found.missing);
    const order = new Map(traceIds.map((id, i) => [id, i]));
    const traces = [...found.traces, ...archived.traces].sort(
      (a, b) => (order.get(a[0]?.traceId ?? '') ?? 0) - (order.get(b[0]?.traceId ?? '') ?? 0),
    );
    return { traces, missing: archived.missing };
  }

  return app;
}

function parseTraceIdParam(text: string): string {
  const traceId = normalizeTraceId(text);
  if (traceId === undefined) {
    throw new AriadneError(
      'InvalidQuery',
      `cannot parse traceID: ${JSON.stringify(text)} is not 1 to 32 hex characters`,
    );
  }
  return traceId;
}

/** Every failure of a route, thrown or rejected, becomes Jaeger's error envelope. */
function handle(route: (c: Context) => Promise<Response>): (c: Context) => Promise<Response> {
  return async (c) => {
    try {
      return await raceQueryDeadline(route(c));
    } catch (error) {
      return jaegerErrorResponse(error);
    }
  };
}

/** `start`/`end` in microseconds, as Jaeger's trace page may send them; a hint for the store. */
function timeRangeHint(start: string | undefined, end: string | undefined): TimeRange | undefined {
  const startNanos = optionalMicros('start', start);
  const endNanos = optionalMicros('end', end);
  if (startNanos === undefined && endNanos === undefined) return undefined;
  return { startNanos: startNanos ?? 0n, endNanos: endNanos ?? MAX_INT64 };
}

function optionalMicros(name: string, text: string | undefined): bigint | undefined {
  if (text === undefined || text === '') return undefined;
  if (!/^[+-]?\d{1,19}$/.test(text)) {
    throw new AriadneError(
      'InvalidQuery',
      `unable to parse param '${name}': ${JSON.stringify(text)} is not an integer`,
    );
  }
  return BigInt(text) * 1_000n;
}
