import { AriadneError } from '@ariadne/protocol';
import type { AttributePredicate, TimeRange, TraceQuery } from '../../storage/span-store.js';
import { atMost, MAX_SEARCH_LIMIT, type QueryCaps, withinSearchWindow } from '../query-caps.js';

const MS = 1_000_000n;
/** Zipkin's defaults (zipkin2.storage.QueryRequest and the server's query parameters). */
export const ZIPKIN_DEFAULT_LIMIT = 10;
export const ZIPKIN_DEFAULT_LOOKBACK_MS = 86_400_000n;

/**
 * `endTs` and `lookback` (milliseconds) as a start-time range ending at `endTs`
 * (default now); a lookback longer than `caps` allows (default 168h) is refused.
 */
export function parseZipkinTimeRange(params: URLSearchParams, nowNanos: bigint, caps: QueryCaps = {}): TimeRange {
  const endNanos = optionalInteger(params, 'endTs', MS) ?? nowNanos;
  const lookback = optionalInteger(params, 'lookback', MS) ?? ZIPKIN_DEFAULT_LOOKBACK_MS * MS;
  if (endNanos <= 0n) throw new AriadneError('InvalidQuery', 'endTs <= 0');
  if (lookback <= 0n) throw new AriadneError('InvalidQuery', 'lookback <= 0');
  return withinSearchWindow('of lookback', { startNanos: endNanos - lookback, endNanos }, caps);
}

/**
 * Zipkin's `GET /api/v2/traces` parameters as a `TraceQuery`: `serviceName`,
 * `remoteServiceName` (the `peer.service` attribute, which is what Zipkin's
 * remote endpoint decodes to), `spanName`, `annotationQuery`, `minDuration` and
 * `maxDuration` in microseconds, `endTs`/`lookback` in milliseconds, `limit`
 * (at most 1,500: more is a 400 naming the maximum).
 *
 * `annotationQuery` is Zipkin's `term and term`: `key=value` matches a tag,
 * a bare `key` a tag that exists. `error` is the error status, since a
 * decoded Zipkin `error` tag becomes the span's status. Unlike Zipkin, a bare
 * term does not match annotation (event) values.
 */
export function parseZipkinTraceQuery(params: URLSearchParams, nowNanos: bigint, caps: QueryCaps = {}): TraceQuery {
  const timeRange = parseZipkinTimeRange(params, nowNanos, caps);
  const limitText = params.get('limit') ?? '';
  let limit = ZIPKIN_DEFAULT_LIMIT;
  if (limitText !== '') {
    if (!/^\d+$/.test(limitText) || Number(limitText) <= 0) throw new AriadneError('InvalidQuery', 'limit <= 0');
    limit = atMost('limit', Number(limitText), MAX_SEARCH_LIMIT);
  }
  const minDuration = optionalInteger(params, 'minDuration', 1000n);
  const maxDuration = optionalInteger(params, 'maxDuration', 1000n);
  if (minDuration !== undefined && minDuration <= 0n) throw new AriadneError('InvalidQuery', 'minDuration <= 0');
  if (maxDuration !== undefined) {
    if (minDuration === undefined) throw new AriadneError('InvalidQuery', 'maxDuration is only valid with minDuration');
    if (maxDuration < minDuration) throw new AriadneError('InvalidQuery', 'maxDuration < minDuration');
  }
  const attributes: AttributePredicate[] = [];
  let errorsOnly = false;
  const remote = params.get('remoteServiceName') ?? '';
  if (remote !== '') attributes.push({ key: 'peer.service', scope: 'span', operator: '=', value: remote });
  for (const term of (params.get('annotationQuery') ?? '').split(/\s+and\s+/i)) {
    const text = term.trim();
    if (text === '') continue;
    const eq = text.indexOf('=');
    const key = eq < 0 ? text : text.slice(0, eq).trim();
    const value = eq < 0 ? undefined : text.slice(eq + 1).trim();
    if (key === '') throw new AriadneError('InvalidQuery', `annotationQuery: ${JSON.stringify(text)} has no key`);
    if (key === 'error' && (value === undefined || value === 'true')) errorsOnly = true;
    else if (value === undefined) attributes.push({ key, scope: 'any', operator: 'exists' });
    else attributes.push({ key, scope: 'any', operator: '=', value });
  }
  const service = params.get('serviceName') ?? '';
  const spanName = params.get('spanName') ?? '';
  return {
    ...(service !== '' ? { service } : {}),
    // Zipkin UI sends `all` for "any span name".
    ...(spanName !== '' && spanName !== 'all' ? { operation: spanName } : {}),
    ...(attributes.length > 0 ? { attributes } : {}),
    ...(minDuration !== undefined ? { minDurationNanos: minDuration } : {}),
    ...(maxDuration !== undefined ? { maxDurationNanos: maxDuration } : {}),
    ...(errorsOnly ? { errorsOnly } : {}),
    timeRange,
    limit,
  };
}

function optionalInteger(params: URLSearchParams, name: string, unitNanos: bigint): bigint | undefined {
  const text = params.get(name) ?? '';
  if (text === '') return undefined;
  if (!/^-?\d{1,16}$/.test(text)) {
    throw new AriadneError('InvalidQuery', `${name}: ${JSON.stringify(text)} is not an integer`);
  }
  return BigInt(text) * unitNanos;
}
