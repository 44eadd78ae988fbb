import {
  AriadneError,
  isAriadneError,
  type JaegerError,
  type JaegerOperation,
  normalizeTraceId,
  spanKindFromJaeger,
  spanKindToJaeger,
  toJaegerTrace,
  toJaegerTraceId,
} from '@ariadne/protocol';
import { type Context, Hono } from 'hono';
import type { SpanReader, TimeRange } from '../../storage/span-store.js';
import { fetchTraces } from './fetch-traces.js';
import { jaegerDataResponse, jaegerErrorResponse } from './jaeger-envelope.js';
import { parseJaegerTracesRequest } from './jaeger-trace-query.js';

const MAX_INT64 = (1n << 63n) - 1n;

export interface JaegerQueryApiOptions {
  /** Nanoseconds since the Unix epoch; searches without `end` or `start` count from it. Tests pin it. */
  readonly now?: () => bigint;
}

/**
 * Jaeger's query HTTP API (what Jaeger UI and Grafana's Jaeger data source
 * call on port 16686), answered from any `SpanReader`:
 *
 * - `GET /api/services`: service names, sorted.
 * - `GET /api/services/:service/operations`: operation names of a service.
 * - `GET /api/operations?service=&spanKind=`: `[{name, spanKind}]`.
 * - `GET /api/traces?...`: search (see `parseJaegerTracesRequest`), or
 *   `traceID=` (repeated) to fetch traces; ids not stored are reported in `errors`.
 * - `GET /api/traces/:traceId[?start=&end=]`: one trace; 404 when not stored.
 *
 * Every answer is Jaeger's envelope `{data, total, limit, offset, errors}`,
 * written with `stringifyJaegerJson` so int64 tags keep every digit.
 * Jaeger's trace adjusters (clock skew and the like) are not applied: traces
 * are shown as stored.
 */
export function createJaegerQueryApi(reader: SpanReader, options: JaegerQueryApiOptions = {}): Hono {
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
      const request = parseJaegerTracesRequest(new URL(c.req.url).searchParams, now());
      if (request.kind === 'ids') {
        const { traces, missing } = await fetchTraces(reader, request.traceIds, request.timeRange);
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
      return jaegerDataResponse(traces.map(toJaegerTrace), traces.length);
    }),
  );

  app.get(
    '/api/traces/:traceId',
    handle(async (c) => {
      const text = c.req.param('traceId') ?? '';
      const traceId = normalizeTraceId(text);
      if (traceId === undefined) {
        throw new AriadneError(
          'InvalidQuery',
          `cannot parse traceID: ${JSON.stringify(text)} is not 1 to 32 hex characters`,
        );
      }
      try {
        const spans = await reader.getTrace(traceId, timeRangeHint(c.req.query('start'), c.req.query('end')));
        return jaegerDataResponse([toJaegerTrace(spans)], 1);
      } catch (error) {
        if (isAriadneError(error, 'TraceNotFound')) return jaegerErrorResponse(error, 'trace not found');
        throw error;
      }
    }),
  );

  return app;
}

/** Every failure of a route, thrown or rejected, becomes Jaeger's error envelope. */
function handle(route: (c: Context) => Promise<Response>): (c: Context) => Promise<Response> {
  return async (c) => {
    try {
      return await route(c);
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
