import {
  AriadneError,
  anyValueToString,
  encodeZipkinV2Json,
  findAttribute,
  isAriadneError,
  normalizeTraceId,
  type Span,
  serviceNameOf,
} from '@ariadne/protocol';
import { type Context, Hono } from 'hono';
import { hasDependencies, type SpanReader, type TimeRange } from '../../storage/span-store.js';
import { httpStatusOfError } from '../http-error-status.js';
import { fetchTraces } from '../jaeger/fetch-traces.js';
import type { QueryCaps } from '../query-caps.js';
import { raceQueryDeadline } from '../query-deadline.js';
import { readSpansOnce } from '../read-spans-once.js';
import { parseZipkinTimeRange, parseZipkinTraceQuery, ZIPKIN_DEFAULT_LOOKBACK_MS } from './zipkin-query-request.js';

const JSON_HEADERS = { 'content-type': 'application/json' };

export interface ZipkinQueryApiOptions extends QueryCaps {
  /** Nanoseconds since the epoch; tests pin it. */
  readonly now?: () => bigint;
  /**
   * Tag keys offered by `/api/v2/autocompleteKeys` (Zipkin's
   * `AUTOCOMPLETE_KEYS`). Default: none, as in Zipkin.
   */
  readonly autocompleteKeys?: readonly string[];
  /**
   * How many recent traces `remoteServices` and `autocompleteValues` read
   * to collect their answers (the store keeps no index of them). Default 500.
   */
  readonly scanTraces?: number;
}

/**
 * Zipkin's query API (zipkin2-api.yaml, what Zipkin Lens and Grafana's Zipkin
 * data source call on port 9411), answered from any `SpanReader`, spans in
 * Zipkin v2 JSON:
 *
 * - `GET /api/v2/services`, `/api/v2/spans?serviceName=`, `/api/v2/remoteServices?serviceName=`: sorted names.
 * - `GET /api/v2/traces?...`: `[[span, ...], ...]`, most recent first (see `parseZipkinTraceQuery`).
 * - `GET /api/v2/trace/:traceId`: `[span, ...]`; 404 when not stored.
 * - `GET /api/v2/traceMany?traceIds=a,b`: the traces found, in the order asked.
 * - `GET /api/v2/dependencies?endTs=&lookback=`: `[{parent, child, callCount, errorCount?}]`.
 * - `GET /api/v2/autocompleteKeys`, `/api/v2/autocompleteValues?key=`.
 *
 * Errors are plain text with the status (400 for a bad parameter, including a
 * `limit` over 1,500 or a `lookback` over `maxSearchWindowNanos`; 404, 500),
 * as the Zipkin server answers them.
 */
export function createZipkinQueryApi(store: SpanReader, options: ZipkinQueryApiOptions = {}): Hono {
  // Every span read here comes out once however often it was sent.
  const reader = readSpansOnce(store);
  const now = options.now ?? (() => BigInt(Date.now()) * 1_000_000n);
  const scanLimit = options.scanTraces ?? 500;
  const app = new Hono();

  app.get(
    '/api/v2/services',
    handle(async () => json(await reader.getServices())),
  );

  app.get(
    '/api/v2/spans',
    handle(async (c) => {
      const service = requireParam(c, 'serviceName');
      const operations = await reader.getOperations({ service });
      return json([...new Set(operations.map((op) => op.name))].sort());
    }),
  );

  app.get(
    '/api/v2/remoteServices',
    handle(async (c) => {
      const service = requireParam(c, 'serviceName');
      const names = new Set<string>();
      for (const span of await recentSpans(service)) {
        if (serviceNameOf(span.resource) !== service) continue;
        const peer =
          findAttribute(span.attributes, 'peer.service') ?? findAttribute(span.attributes, 'service.peer.name');
        if (peer !== undefined && anyValueToString(peer) !== '') names.add(anyValueToString(peer));
      }
      return json([...names].sort());
    }),
  );

  app.get(
    '/api/v2/traces',
    handle(async (c) => {
      const query = parseZipkinTraceQuery(new URL(c.req.url).searchParams, now(), options);
      const summaries = await reader.findTraces(query);
      const { traces } = await fetchTraces(
        reader,
        summaries.map((s) => s.traceId),
      );
      return jsonText(`[${traces.map(encodeZipkinV2Json).join(',')}]`);
    }),
  );

  app.get(
    '/api/v2/trace/:traceId',
    handle(async (c) => {
      const text = c.req.param('traceId') ?? '';
      const traceId = parseTraceId(text);
      try {
        return jsonText(encodeZipkinV2Json(await reader.getTrace(traceId)));
      } catch (error) {
        if (isAriadneError(error, 'TraceNotFound')) throw new AriadneError('TraceNotFound', `${text} not found`);
        throw error;
      }
    }),
  );

  app.get(
    '/api/v2/traceMany',
    handle(async (c) => {
      const ids = (c.req.query('traceIds') ?? '')
        .split(',')
        .map((id) => id.trim())
        .filter((id) => id !== '');
      if (ids.length === 0) throw new AriadneError('InvalidQuery', 'traceIds parameter is empty');
      const unique = [...new Set(ids.map(parseTraceId))];
      const { traces } = await fetchTraces(reader, unique);
      return jsonText(`[${traces.map(encodeZipkinV2Json).join(',')}]`);
    }),
  );

  app.get(
    '/api/v2/dependencies',
    handle(async (c) => {
      const params = new URL(c.req.url).searchParams;
      if ((params.get('endTs') ?? '') === '') throw new AriadneError('InvalidQuery', 'endTs parameter is required');
      if (!hasDependencies(reader)) return text(501, 'the store does not compute dependencies');
      const links = await reader.getDependencies(parseZipkinTimeRange(params, now(), options));
      // Zipkin's DependencyLink JSON writes errorCount only when it is not zero.
      return json(
        links.map((l) => ({
          parent: l.parent,
          child: l.child,
          callCount: l.callCount,
          ...(l.errorCount > 0 ? { errorCount: l.errorCount } : {}),
        })),
      );
    }),
  );

  app.get(
    '/api/v2/autocompleteKeys',
    handle(async () => json([...(options.autocompleteKeys ?? [])])),
  );

  app.get(
    '/api/v2/autocompleteValues',
    handle(async (c) => {
      const key = requireParam(c, 'key');
      // Zipkin only answers for the configured keys; anything else has no values.
      if (!(options.autocompleteKeys ?? []).includes(key)) return json([]);
      const values = new Set<string>();
      for (const span of await recentSpans(undefined)) {
        const value = findAttribute(span.attributes, key) ?? findAttribute(span.resource.attributes, key);
        if (value !== undefined) values.add(anyValueToString(value));
      }
      return json([...values].sort());
    }),
  );

  /** Spans of the most recent traces (of a service), for answers the store has no index for. */
  async function recentSpans(service: string | undefined): Promise<Span[]> {
    const end = now();
    const timeRange: TimeRange = { startNanos: end - ZIPKIN_DEFAULT_LOOKBACK_MS * 1_000_000n, endNanos: end };
    const summaries = await reader.findTraces({
      ...(service !== undefined ? { service } : {}),
      timeRange,
      limit: scanLimit,
    });
    const { traces } = await fetchTraces(
      reader,
      summaries.map((s) => s.traceId),
    );
    return traces.flat();
  }

  return app;
}

function parseTraceId(text: string): string {
  const traceId = normalizeTraceId(text);
  if (traceId === undefined) throw new AriadneError('InvalidQuery', `${JSON.stringify(text)} is not a trace id`);
  return traceId;
}

function requireParam(c: Context, name: string): string {
  const value = c.req.query(name) ?? '';
  if (value === '') throw new AriadneError('InvalidQuery', `${name} is required`);
  return value;
}

function json(value: unknown): Response {
  return jsonText(JSON.stringify(value));
}

function jsonText(body: string): Response {
  return new Response(body, { status: 200, headers: JSON_HEADERS });
}

function text(status: number, message: string): Response {
  return new Response(message, { status, headers: { 'content-type': 'text/plain; charset=utf-8' } });
}

function handle(route: (c: Context) => Promise<Response>): (c: Context) => Promise<Response> {
  return async (c) => {
    try {
      return await raceQueryDeadline(route(c));
    } catch (error) {
      const message = isAriadneError(error) ? error.message : `internal error: ${String(error)}`;
      return text(httpStatusOfError(error), message);
    }
  };
}
