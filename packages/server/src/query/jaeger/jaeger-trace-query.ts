import { AriadneError, normalizeTraceId, type SpanKind, spanKindFromJaeger } from '@ariadne/protocol';
import type { AttributePredicate, TimeRange, TraceQuery } from '../../storage/span-store.js';
import { atMost, MAX_SEARCH_LIMIT, type QueryCaps, withinSearchWindow } from '../query-caps.js';
import { parseGoDuration, parseLookback } from './go-duration.js';

/** Jaeger UI asks for 20 traces unless told otherwise (Jaeger's own server default is 100). */
export const DEFAULT_TRACE_LIMIT = 20;
/** Jaeger's `query.lookback` default when a search names no start. */
export const DEFAULT_LOOKBACK_NANOS = 2n * 86_400_000_000_000n;

const MAX_INT64 = (1n << 63n) - 1n;

/** `GET /api/traces`: either a search, or (with `traceID=`) a direct fetch of those traces. */
export type JaegerTracesRequest =
  | { readonly kind: 'search'; readonly query: TraceQuery }
  | {
      readonly kind: 'ids';
      /** Normalised to 32 characters, in the order asked, duplicates removed. */
      readonly traceIds: readonly string[];
      /** Only when the request gave `start` or `end`: a hint for the store. */
      readonly timeRange?: TimeRange;
    };

/**
 * Reads the parameters of Jaeger's `GET /api/traces` as Jaeger's
 * `query_parser.go` does: `start`/`end` in microseconds (end defaults to now,
 * start to `end - lookback` when `lookback` is given, else to now minus
 * Jaeger's two days), `minDuration`/`maxDuration` as Go durations (0 means no
 * bound), `tag=k:v` repeated and `tags={"k":"v"}` (which wins for the same
 * key), `limit`, repeated `traceID`. Unlike Jaeger, `service` is optional.
 *
 * Two tags have no attribute behind them in OpenTelemetry data, so they
 * become the query's own fields: `error=true` (error status) and `span.kind`.
 *
 * Throws `AriadneError('InvalidQuery')` for any malformed parameter, a
 * `limit` over `MAX_SEARCH_LIMIT` or a search window longer than `caps`
 * allows; as in Jaeger, every parameter is checked even when `traceID` makes
 * most unused (but its `start`/`end`, a hint, may be any distance apart).
 */
export function parseJaegerTracesRequest(
  params: URLSearchParams,
  nowNanos: bigint,
  caps: QueryCaps = {},
): JaegerTracesRequest {
  const start = optionalMicros(params, 'start');
  const end = optionalMicros(params, 'end');
  const lookback = params.get('lookback') ?? '';
  // Jaeger UI sends `lookback=custom` together with explicit start and end.
  const lookbackNanos =
    lookback === '' || lookback === 'custom' ? undefined : param('lookback', () => parseLookback(lookback));
  const endNanos = end ?? nowNanos;
  const startNanos =
    start ?? (lookbackNanos === undefined ? nowNanos - DEFAULT_LOOKBACK_NANOS : endNanos - lookbackNanos);
  if (startNanos > endNanos) throw new AriadneError('InvalidQuery', "'start' must not be after 'end'");

  const tags = parseTags(params.getAll('tag'), params.getAll('tags'));
  const limit = parseLimit(params.get('limit') ?? '');
  const minDuration = optionalDuration(params, 'minDuration');
  const maxDuration = optionalDuration(params, 'maxDuration');
  if (minDuration !== undefined && maxDuration !== undefined && maxDuration < minDuration) {
    throw new AriadneError('InvalidQuery', "'maxDuration' should be greater than 'minDuration'");
  }
  const traceIds = parseTraceIds(params.getAll('traceID'));

  if (traceIds.length > 0) {
    const explicitRange = start !== undefined || end !== undefined;
    return {
      kind: 'ids',
      traceIds,
      ...(explicitRange ? { timeRange: { startNanos: start ?? 0n, endNanos: end ?? MAX_INT64 } } : {}),
    };
  }

  const attributes: AttributePredicate[] = [];
  let errorsOnly: boolean | undefined;
  let spanKind: SpanKind | undefined;
  for (const [key, value] of tags) {
    if (key === 'error' && value === 'true') errorsOnly = true;
    else if (key === 'span.kind' && spanKindFromJaeger(value) !== undefined) spanKind = spanKindFromJaeger(value);
    else attributes.push({ key, scope: 'any', operator: '=', value });
  }
  const service = params.get('service') ?? '';
  const operation = params.get('operation') ?? '';
  const query: TraceQuery = {
    ...(service !== '' ? { service } : {}),
    ...(operation !== '' ? { operation } : {}),
    ...(spanKind !== undefined ? { spanKind } : {}),
    ...(attributes.length > 0 ? { attributes } : {}),
    ...(minDuration !== undefined ? { minDurationNanos: minDuration } : {}),
    ...(maxDuration !== undefined ? { maxDurationNanos: maxDuration } : {}),
    ...(errorsOnly ? { errorsOnly } : {}),
    timeRange: withinSearchWindow(
      start === undefined && lookbackNanos !== undefined ? "of 'lookback'" : "from 'start' to 'end'",
      { startNanos, endNanos },
      caps,
    ),
    limit,
  };
  return { kind: 'search', query };
}

/** Runs a parser and words its failure like Jaeger's `newParseError`. */
function param<T>(name: string, parse: () => T): T {
  try {
    return parse();
  } catch (error) {
    const reason = error instanceof Error ? error.message : String(error);
    throw new AriadneError('InvalidQuery', `unable to parse param '${name}': ${reason}`, { cause: error });
  }
}

/** `strconv.ParseInt(text, 10, bits)`. */
function parseInteger(text: string, bits: 32 | 64): bigint {
  if (!/^[+-]?\d+$/.test(text)) throw new Error(`${JSON.stringify(text)} is not an integer`);
  const value = BigInt(text);
  const limit = 1n << BigInt(bits - 1);
  if (value < -limit || value >= limit) throw new Error(`${JSON.stringify(text)} is out of range`);
  return value;
}

function optionalMicros(params: URLSearchParams, name: string): bigint | undefined {
  const text = params.get(name) ?? '';
  return text === '' ? undefined : param(name, () => parseInteger(text, 64) * 1_000n);
}

function optionalDuration(params: URLSearchParams, name: string): bigint | undefined {
  const text = params.get(name) ?? '';
  if (text === '') return undefined;
  const nanos = param(name, () => parseGoDuration(text));
  if (nanos < 0n) throw new AriadneError('InvalidQuery', `unable to parse param '${name}': must not be negative`);
  // Jaeger treats a zero bound as no bound.
  return nanos === 0n ? undefined : nanos;
}

function parseLimit(text: string): number {
  if (text === '') return DEFAULT_TRACE_LIMIT;
  const limit = Number(param('limit', () => parseInteger(text, 32)));
  if (limit < 0) throw new AriadneError('InvalidQuery', `unable to parse param 'limit': must not be negative`);
  // Jaeger's stores read 0 as "the default".
  if (limit === 0) return DEFAULT_TRACE_LIMIT;
  return atMost('limit', limit, MAX_SEARCH_LIMIT);
}

function parseTags(simpleTags: readonly string[], jsonTags: readonly string[]): Map<string, string> {
  const tags = new Map<string, string>();
  for (const tag of simpleTags) {
    const colon = tag.indexOf(':');
    if (colon < 0) {
      throw new AriadneError('InvalidQuery', `malformed 'tag' parameter, expecting key:value, received: ${tag}`);
    }
    tags.set(tag.slice(0, colon), tag.slice(colon + 1));
  }
  for (const text of jsonTags) {
    let parsed: unknown;
    try {
      parsed = JSON.parse(text);
    } catch (error) {
      const reason = error instanceof Error ? error.message : String(error);
      throw new AriadneError('InvalidQuery', `malformed 'tags' parameter, cannot unmarshal JSON: ${reason}`);
    }
    // Go unmarshals `null` into an empty map; anything but an object of strings is an error.
    if (parsed === null) continue;
    if (typeof parsed !== 'object' || Array.isArray(parsed)) {
      throw new AriadneError('InvalidQuery', "malformed 'tags' parameter, expecting a JSON object of strings");
    }
    for (const [key, value] of Object.entries(parsed)) {
      if (typeof value !== 'string') {
        throw new AriadneError(
          'InvalidQuery',
          `malformed 'tags' parameter, the value of ${JSON.stringify(key)} is not a string`,
        );
      }
      tags.set(key, value);
    }
  }
  return tags;
}

function parseTraceIds(texts: readonly string[]): string[] {
  const ids = new Set<string>();
  for (const text of texts) {
    const id = normalizeTraceId(text);
    if (id === undefined) {
      throw new AriadneError(
        'InvalidQuery',
        `cannot parse traceID param: ${JSON.stringify(text)} is not 1 to 32 hex characters`,
      );
    }
    ids.add(id);
  }
  return [...ids];
}
