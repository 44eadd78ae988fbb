import {
  AriadneError,
  encodeOtlpTraceRequestJson,
  isAriadneError,
  normalizeTraceId,
  type Span,
  spanKindFromJaeger,
  spanKindToJaeger,
} from '@ariadne/protocol';
import { type Context, Hono } from 'hono';
import type { AttributePredicate, SpanReader, TraceQuery } from '../../storage/span-store.js';
import { httpStatusOfError } from '../http-error-status.js';
import { fetchTraces } from '../jaeger/fetch-traces.js';
import { parseGoDuration } from '../jaeger/go-duration.js';
import { DEFAULT_TRACE_LIMIT } from '../jaeger/jaeger-trace-query.js';
import { atMost, MAX_SEARCH_LIMIT, type QueryCaps, withinSearchWindow } from '../query-caps.js';
import { raceQueryDeadline } from '../query-deadline.js';
import { readSpansOnce } from '../read-spans-once.js';
import { readUniqueSpanIds } from '../read-unique-span-ids.js';

const JSON_HEADERS = { 'content-type': 'application/json' };

/**
 * Jaeger's API v3 over HTTP (its grpc-gateway routes, `cmd/query/app/apiv3`),
 * mounted on port 16686 beside the internal API:
 *
 * - `GET /api/v3/services` -> `{"services": [...]}`
 * - `GET /api/v3/operations?service=&span_kind=` -> `{"operations": [{name, spanKind}]}`
 * - `GET /api/v3/traces/:traceId[?start_time=&end_time=]` -> `{"result": TracesData}`
 * - `GET /api/v3/traces?query.service_name=&query.operation_name=&query.start_time_min=&query.start_time_max=`
 *   (RFC 3339, both required) `&query.duration_min=&query.duration_max=` (Go durations)
 *   `&query.search_depth=` (or `query.num_traces=`) `&query.attributes={"k":"v"}` -> `{"result": TracesData}`
 *
 * `TracesData` is OTLP/JSON (hex ids, int64 as strings). Errors are the
 * gateway's `{"error": {"httpCode": N, "message": "..."}}`; an unknown trace
 * is 404. A `search_depth` over 1,500, or a window from `start_time_min` to
 * `start_time_max` longer than `caps` allows (default 168h), is a 400. Empty lists are written (`{"services": []}`) where Go's jsonpb would
 * drop the field: clients read both.
 */
export function createJaegerV3Api(store: SpanReader, caps: QueryCaps = {}): Hono {
  // Every span read here comes out once however often it was sent, with an id of its own (Jaeger's
  // v3 API adjusts Zipkin's shared ids too).
  const reader = readUniqueSpanIds(readSpansOnce(store));
  const app = new Hono();

  app.get(
    '/api/v3/services',
    handle(async () => json({ services: await reader.getServices() })),
  );

  app.get(
    '/api/v3/operations',
    handle(async (c) => {
      const service = c.req.query('service') ?? '';
      const kindText = c.req.query('span_kind') ?? '';
      const spanKind = kindText === '' ? undefined : spanKindFromJaeger(kindText.toLowerCase());
      if (kindText !== '' && spanKind === undefined) {
        throw new AriadneError('InvalidQuery', `malformed parameter span_kind: unsupported span kind '${kindText}'`);
      }
      const operations =
        service === '' ? [] : await reader.getOperations({ service, ...(spanKind !== undefined ? { spanKind } : {}) });
      return json({ operations: operations.map((op) => ({ name: op.name, spanKind: spanKindToJaeger(op.spanKind) })) });
    }),
  );

  app.get(
    '/api/v3/traces/:traceId',
    handle(async (c) => {
      const text = c.req.param('traceId') ?? '';
      const traceId = normalizeTraceId(text);
      if (traceId === undefined) {
        throw new AriadneError(
          'InvalidQuery',
          `malformed parameter trace_id: ${JSON.stringify(text)} is not a hex trace id`,
        );
      }
      const start = optionalTime(c.req.query('start_time'), 'start_time');
      const end = optionalTime(c.req.query('end_time'), 'end_time');
      const range =
        start === undefined && end === undefined
          ? undefined
          : { startNanos: start ?? 0n, endNanos: end ?? (1n << 63n) - 1n };
      const spans = await reader.getTrace(traceId, range).catch((error: unknown) => {
        if (isAriadneError(error, 'TraceNotFound')) throw new AriadneError('TraceNotFound', 'trace not found');
        throw error;
      });
      return result(spans);
    }),
  );

  app.get(
    '/api/v3/traces',
    handle(async (c) => {
      const query = parseV3TraceQuery(new URL(c.req.url).searchParams, caps);
      const summaries = await reader.findTraces(query);
      const { traces } = await fetchTraces(
        reader,
        summaries.map((s) => s.traceId),
      );
      return result(traces.flat());
    }),
  );

  return app;
}

/** Reads `/api/v3/traces` parameters; malformed ones throw `InvalidQuery` with the gateway's wording. */
export function parseV3TraceQuery(params: URLSearchParams, caps: QueryCaps = {}): TraceQuery {
  const min = params.get('query.start_time_min') ?? '';
  const max = params.get('query.start_time_max') ?? '';
  if (min === '' || max === '') {
    throw new AriadneError('InvalidQuery', 'query.start_time_min and query.start_time_max are required');
  }
  const startNanos = parseRfc3339(min, 'query.start_time_min');
  const endNanos = parseRfc3339(max, 'query.start_time_max');
  if (startNanos > endNanos) {
    throw new AriadneError('InvalidQuery', 'query.start_time_min must not be after query.start_time_max');
  }
  withinSearchWindow('from query.start_time_min to query.start_time_max', { startNanos, endNanos }, caps);
  const depthName = params.has('query.search_depth') ? 'query.search_depth' : 'query.num_traces';
  const depthText = params.get(depthName) ?? '';
  let limit = DEFAULT_TRACE_LIMIT;
  if (depthText !== '') {
    const depth = Number(depthText);
    if (!/^\d+$/.test(depthText) || !Number.isSafeInteger(depth)) {
      throw new AriadneError('InvalidQuery', `malformed parameter ${depthName}: ${JSON.stringify(depthText)}`);
    }
    limit = depth === 0 ? DEFAULT_TRACE_LIMIT : atMost(depthName, depth, MAX_SEARCH_LIMIT);
  }
  const minDuration = optionalDuration(params, 'query.duration_min');
  const maxDuration = optionalDuration(params, 'query.duration_max');
  const attributes: AttributePredicate[] = [];
  let errorsOnly = false;
  const attributesText = params.get('query.attributes') ?? '';
  if (attributesText !== '') {
    let parsed: unknown;
    try {
      parsed = JSON.parse(attributesText);
    } catch {
      parsed = undefined;
    }
    if (parsed === null || typeof parsed !== 'object' || Array.isArray(parsed)) {
      throw new AriadneError('InvalidQuery', 'malformed parameter query.attributes: expected a JSON object of strings');
    }
    for (const [key, value] of Object.entries(parsed)) {
      if (typeof value !== 'string') {
        throw new AriadneError(
          'InvalidQuery',
          `malformed parameter query.attributes: ${JSON.stringify(key)} is not a string`,
        );
      }
      // As in the Jaeger API, `error=true` means an error status, not an attribute.
      if (key === 'error' && value === 'true') errorsOnly = true;
      else attributes.push({ key, scope: 'any', operator: '=', value });
    }
  }
  const service = params.get('query.service_name') ?? '';
  const operation = params.get('query.operation_name') ?? '';
  return {
    ...(service !== '' ? { service } : {}),
    ...(operation !== '' ? { operation } : {}),
    ...(attributes.length > 0 ? { attributes } : {}),
    ...(minDuration !== undefined && minDuration > 0n ? { minDurationNanos: minDuration } : {}),
    ...(maxDuration !== undefined && maxDuration > 0n ? { maxDurationNanos: maxDuration } : {}),
    ...(errorsOnly ? { errorsOnly } : {}),
    timeRange: { startNanos, endNanos },
    limit,
  };
}

/** RFC 3339 with up to nine fraction digits, as Go's `time.RFC3339Nano`, to nanoseconds. */
export function parseRfc3339(text: string, name: string): bigint {
  const match = /^(\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2})(?:\.(\d{1,9}))?(Z|[+-]\d{2}:\d{2})$/i.exec(text);
  const millis = match ? Date.parse(`${match[1]}${match[3]}`) : Number.NaN;
  if (!match || Number.isNaN(millis)) {
    throw new AriadneError(
      'InvalidQuery',
      `malformed parameter ${name}: ${JSON.stringify(text)} is not an RFC 3339 time`,
    );
  }
  return BigInt(millis) * 1_000_000n + BigInt((match[2] ?? '').padEnd(9, '0') || '0');
}

function optionalTime(text: string | undefined, name: string): bigint | undefined {
  return text === undefined || text === '' ? undefined : parseRfc3339(text, name);
}

function optionalDuration(params: URLSearchParams, name: string): bigint | undefined {
  const text = params.get(name) ?? '';
  if (text === '') return undefined;
  try {
    return parseGoDuration(text);
  } catch (error) {
    throw new AriadneError('InvalidQuery', `malformed parameter ${name}: ${(error as Error).message}`);
  }
}

function result(spans: readonly Span[]): Response {
  return new Response(`{"result":${encodeOtlpTraceRequestJson(spans)}}`, { status: 200, headers: JSON_HEADERS });
}

function json(value: unknown): Response {
  return new Response(JSON.stringify(value), { status: 200, headers: JSON_HEADERS });
}

/** The grpc-gateway error body, status from the error's kind. */
export function v3ErrorResponse(error: unknown): Response {
  const status = httpStatusOfError(error);
  const message = isAriadneError(error)
    ? error.message
    : `internal error: ${error instanceof Error ? error.message : String(error)}`;
  return new Response(JSON.stringify({ error: { httpCode: status, message } }), { status, headers: JSON_HEADERS });
}

function handle(route: (c: Context) => Promise<Response>): (c: Context) => Promise<Response> {
  return async (c) => {
    try {
      return await raceQueryDeadline(route(c));
    } catch (error) {
      return v3ErrorResponse(error);
    }
  };
}
