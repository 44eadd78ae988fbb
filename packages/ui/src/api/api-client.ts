import type { JaegerTrace } from '@ariadne/protocol';
import type { TraceSearch } from '../search/search-params.js';
import { toApiParams } from '../search/search-params.js';
import { ApiError, kindOfStatus } from './api-error.js';
import type { EarlyResponses } from './early-response.js';
import { parseJson } from './parse-json.js';
import { readEnvelope, readStringList, readTraces } from './read-response.js';
import { readTraceSkeleton, type SkeletonTrace } from './read-skeleton.js';
import { readTraceColumns } from './read-trace-columns.js';

/** The byte form of a trace's skeleton (the server's `trace-columns.ts`). */
const TRACE_COLUMNS_TYPE = 'application/vnd.ariadne.trace-columns';

/** The Jaeger-compatible query API, typed and validated. Every failure is an `ApiError`. */
export interface ApiClient {
  getServices(signal?: AbortSignal): Promise<string[]>;
  getOperations(service: string, signal?: AbortSignal): Promise<string[]>;
  /** The window is computed from `nowMicros` (default: the clock now). */
  findTraces(search: TraceSearch, signal?: AbortSignal, nowMicros?: number): Promise<JaegerTrace[]>;
  /** Rejects with kind `NotFound` when the store has no span of the trace. */
  getTrace(traceId: string, signal?: AbortSignal): Promise<JaegerTrace>;
  /**
   * A trace whose spans carry only what the timeline needs (`readTraceSkeleton`):
   * a small fraction of the full trace's bytes for a large trace. Rejects with
   * `NotFound` like `getTrace`.
   */
  getTraceSkeleton(traceId: string, signal?: AbortSignal): Promise<SkeletonTrace>;
  /** One span of a trace in full, as a trace of that span and its process; `NotFound` when not stored. */
  getSpan(traceId: string, spanId: string, signal?: AbortSignal): Promise<JaegerTrace>;
  /** Ids of the trace's spans matching a "find in trace" query, found by the server (`searchSpans`' rule). */
  searchTrace(traceId: string, query: string, signal?: AbortSignal): Promise<string[]>;
  /**
   * Any other GET of the API (`path` from the origin, query included), parsed
   * but not unwrapped: for endpoints outside Jaeger's envelope (SPM metrics,
   * Tempo, OTLP JSON). Failures are `ApiError`s like the rest.
   */
  getJson(path: string, signal?: AbortSignal): Promise<unknown>;
  /** The same, unwrapping Jaeger's `{data, errors}` envelope. */
  getData(path: string, signal?: AbortSignal): Promise<unknown>;
}

export interface ApiClientOptions {
  /** Origin and path prefix of the API; '' for the page's own origin. */
  readonly baseUrl?: string;
  readonly fetch?: typeof fetch;
  /** Responses already started for some paths (`earlyResponses`), used instead of asking again, once. */
  readonly early?: EarlyResponses;
}

export function createApiClient(options: ApiClientOptions = {}): ApiClient {
  const baseUrl = options.baseUrl ?? '';
  const doFetch = options.fetch ?? ((input, init) => globalThis.fetch(input, init));

  async function get(path: string, signal: AbortSignal | undefined, exactIntegers = true): Promise<unknown> {
    return readEnvelopeData(await getBody(path, signal, exactIntegers));
  }

  /**
   * `exactIntegers`: keep int64 values past 2^53 (`parseJson`); false for
   * answers that hold none, whose megabytes are then not scanned for them.
   */
  async function respond(path: string, signal: AbortSignal | undefined, accept: string): Promise<Response> {
    try {
      return await (options.early?.take(path) ??
        doFetch(`${baseUrl}${path}`, {
          headers: { Accept: accept },
          signal: signal ?? null,
        }));
    } catch (error) {
      if (signal?.aborted) throw error;
      throw new ApiError('NetworkError', 'Cannot reach the Ariadne server. Is it running?', undefined, {
        cause: error,
      });
    }
  }

  /** A JSON answer's body; a failed answer (any body) as an `ApiError` with the server's words. */
  async function getBody(path: string, signal: AbortSignal | undefined, exactIntegers = true): Promise<unknown> {
    return readJsonBody(path, await respond(path, signal, 'application/json'), exactIntegers);
  }

  async function readJsonBody(path: string, response: Response, exactIntegers: boolean): Promise<unknown> {
    const text = await response.text();
    let body: unknown;
    try {
      body = exactIntegers ? parseJson(text) : JSON.parse(text);
    } catch (error) {
      const kind = response.ok ? 'InvalidResponse' : kindOfStatus(response.status);
      throw new ApiError(
        kind,
        `${response.status} ${response.statusText || 'response'} from ${path}, not JSON: ${text.slice(0, 200)}`,
        response.status,
        {
          cause: error,
        },
      );
    }
    if (!response.ok) {
      // The envelope carries the server's own words; fall back to the status when it does not.
      let message = `${response.status} ${response.statusText}`.trim();
      try {
        const first = readEnvelope(body).errors[0];
        if (first !== undefined && first.msg !== '') message = first.msg;
      } catch {}
      if (typeof body === 'object' && body !== null && typeof (body as { error?: unknown }).error === 'string') {
        message = (body as { error: string }).error;
      }
      throw new ApiError(kindOfStatus(response.status), message, response.status);
    }
    return body;
  }

  function readEnvelopeData(body: unknown): unknown {
    const envelope = readEnvelope(body);
    const first = envelope.errors[0];
    // Jaeger can answer 200 with errors (a partial failure); the data is then not to be trusted.
    if (first !== undefined && (envelope.data === null || envelope.data === undefined)) {
      throw new ApiError(kindOfStatus(first.code || 500), first.msg, first.code || undefined);
    }
    return envelope.data;
  }

  return {
    getJson: (path, signal) => getBody(path, signal),
    getData: (path, signal) => get(path, signal),
    async getServices(signal) {
      return readStringList(await get('/api/services', signal), 'data');
    },
    async getOperations(service, signal) {
      return readStringList(await get(`/api/services/${encodeURIComponent(service)}/operations`, signal), 'data');
    },
    async findTraces(search, signal, nowMicros = Date.now() * 1000) {
      return readTraces(await get(`/api/traces?${toApiParams(search, nowMicros)}`, signal));
    },
    async getTrace(traceId, signal) {
      const traces = readTraces(await get(`/api/traces/${encodeURIComponent(traceId)}`, signal));
      const trace = traces[0];
      if (trace === undefined || trace.spans.length === 0) {
        throw new ApiError('NotFound', `Trace ${traceId} not found.`, 404);
      }
      if (traces.length === 1) return trace;
      const note = `The server sent ${traces.length} parts for this trace; only the first is shown.`;
      return { ...trace, warnings: [...(trace.warnings ?? []), note] };
    },
    async getTraceSkeleton(traceId, signal) {
      const path = `/api/trace-view/${encodeURIComponent(traceId)}`;
      // The byte form first (a million spans are read in place, not parsed); a 400 says the trace's
      // span ids do not fit it, and the JSON form serves. Ids, indexes and microseconds: no integer past 2^53.
      const columns = await respond(`${path}/columns`, signal, TRACE_COLUMNS_TYPE);
      const skeleton = columns.ok
        ? readTraceColumns(await columns.arrayBuffer())
        : columns.status === 400
          ? readTraceSkeleton(await get(path, signal, false))
          : readTraceSkeleton(readEnvelopeData(await readJsonBody(`${path}/columns`, columns, false)));
      if (skeleton.columns.count === 0) throw new ApiError('NotFound', `Trace ${traceId} not found.`, 404);
      return skeleton;
    },
    async getSpan(traceId, spanId, signal) {
      const path = `/api/trace-view/${encodeURIComponent(traceId)}/spans/${encodeURIComponent(spanId)}`;
      const trace = readTraces(await get(path, signal))[0];
      if (trace === undefined || trace.spans.length === 0) {
        throw new ApiError('NotFound', `Span ${spanId} not found.`, 404);
      }
      return trace;
    },
    async searchTrace(traceId, query, signal) {
      const path = `/api/trace-view/${encodeURIComponent(traceId)}/search?q=${encodeURIComponent(query)}`;
      const data = await get(path, signal);
      const spanIds = typeof data === 'object' && data !== null ? (data as { spanIds?: unknown }).spanIds : undefined;
      return readStringList(spanIds, 'data.spanIds');
    },
  };
}
