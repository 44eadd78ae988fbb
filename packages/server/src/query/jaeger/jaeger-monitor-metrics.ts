import { AriadneError, type SpanKind, spanKindFromJaeger } from '@ariadne/protocol';
import type { RedMetricsQuery, RedMetricsSeries } from '../../storage/span-store.js';

const MS = 1_000_000n;

/** Jaeger's defaults (cmd/query/app/query_parser.go): an hour back, 5 s steps, rates per 10 minutes. */
export const DEFAULT_METRICS_LOOKBACK_MS = 3_600_000n;
export const DEFAULT_METRICS_STEP_MS = 5_000n;
export const DEFAULT_METRICS_RATE_PER_MS = 600_000n;
/** What `/api/metrics/minstep` reports: the store buckets at any width, Jaeger's Prometheus default is 5 s. */
export const MIN_STEP_MS = 5_000;

export type MonitorMetric = 'latencies' | 'calls' | 'errors';

/** The parsed parameters of `/api/metrics/{latencies|calls|errors}`. */
export interface MonitorRequest {
  readonly query: RedMetricsQuery;
  /** Width of the window rates are computed over, nanoseconds. */
  readonly ratePerNanos: bigint;
}

/**
 * Reads Jaeger SPM's query parameters as `parseMetricsQueryParams` does:
 * `service` (repeated, at least one), `groupByOperation`, `spanKind`
 * (repeated, Jaeger's names, default `server`), `endTs`, `lookback`, `step`
 * and `ratePer` in milliseconds, and `quantile` (latencies only, required).
 * Malformed values throw `InvalidQuery` with Jaeger's wording.
 */
export function parseMonitorRequest(params: URLSearchParams, metric: MonitorMetric, nowNanos: bigint): MonitorRequest {
  const services = params.getAll('service').filter((s) => s !== '');
  if (services.length === 0) throw new AriadneError('InvalidQuery', 'please provide at least one service name');
  const groupByOperation = parseBool(params.get('groupByOperation'));
  const spanKinds: SpanKind[] = [];
  for (const text of params.getAll('spanKind')) {
    const kind = spanKindFromJaeger(text.replace(/^SPAN_KIND_/i, '').toLowerCase());
    if (kind === undefined) {
      throw new AriadneError('InvalidQuery', `unable to parse param 'spanKind': unsupported span kind: '${text}'`);
    }
    spanKinds.push(kind);
  }
  if (spanKinds.length === 0) spanKinds.push(spanKindFromJaeger('server') as SpanKind);
  const endNanos = optionalMillis(params, 'endTs') ?? nowNanos;
  const lookback = optionalMillis(params, 'lookback') ?? DEFAULT_METRICS_LOOKBACK_MS * MS;
  const step = optionalMillis(params, 'step') ?? DEFAULT_METRICS_STEP_MS * MS;
  const ratePer = optionalMillis(params, 'ratePer') ?? DEFAULT_METRICS_RATE_PER_MS * MS;
  if (lookback <= 0n || step <= 0n || ratePer <= 0n) {
    throw new AriadneError('InvalidQuery', "'lookback', 'step' and 'ratePer' must be positive");
  }
  let quantiles: number[] = [];
  if (metric === 'latencies') {
    const text = params.get('quantile') ?? '';
    const quantile = Number(text);
    if (text === '' || !Number.isFinite(quantile) || quantile <= 0 || quantile > 1) {
      throw new AriadneError(
        'InvalidQuery',
        `unable to parse param 'quantile': ${JSON.stringify(text)} is not in (0, 1]`,
      );
    }
    quantiles = [quantile];
  }
  return {
    query: {
      services,
      groupByOperation,
      spanKinds,
      timeRange: { startNanos: endNanos - lookback, endNanos },
      stepNanos: step,
      quantiles,
    },
    ratePerNanos: ratePer,
  };
}

/** Jaeger's `metrics.MetricFamily` as its HTTP API writes it (protojson, camelCase). */
export interface JaegerMetricFamily {
  readonly name: string;
  readonly type: 'GAUGE';
  readonly help: string;
  readonly metrics: JaegerMetric[];
}

export interface JaegerMetric {
  readonly labels: { readonly name: string; readonly value: string }[];
  readonly metricPoints: { readonly gaugeValue: { readonly doubleValue: number }; readonly timestamp: string }[];
}

/**
 * RED series as the metric family Jaeger's Prometheus reader returns:
 * latencies in milliseconds (the bucket's quantile), calls per second over
 * a trailing `ratePer` window, errors as the share of calls that failed over
 * that window. Points without a value (no calls) are left out, as Prometheus
 * leaves out samples of an empty range.
 */
export function toJaegerMetricFamily(
  metric: MonitorMetric,
  request: MonitorRequest,
  series: readonly RedMetricsSeries[],
): JaegerMetricFamily {
  const grouped = request.query.groupByOperation;
  const prefix = grouped ? 'service_operation' : 'service';
  const by = grouped ? 'service & operation' : 'service';
  const family = {
    latencies: {
      name: `${prefix}_latencies`,
      help: `${request.query.quantiles[0]}th quantile latency, grouped by ${by}`,
    },
    calls: { name: `${prefix}_call_rate`, help: `calls/sec, grouped by ${by}` },
    errors: {
      name: `${prefix}_error_rate`,
      help: `error rate, computed as a fraction of errors/sec over calls/sec, grouped by ${by}`,
    },
  }[metric];
  const step = request.query.stepNanos;
  // How many buckets the trailing rate window spans (at least the bucket itself).
  const window = Number((request.ratePerNanos + step - 1n) / step) || 1;
  const windowSeconds = (window * Number(step)) / 1e9;

  const metrics: JaegerMetric[] = series.map((s) => {
    const labels = [{ name: 'service_name', value: s.service }];
    if (grouped && s.operation !== undefined) labels.push({ name: 'operation', value: s.operation });
    const metricPoints: JaegerMetric['metricPoints'] = [];
    let calls = 0;
    let errors = 0;
    s.points.forEach((point, i) => {
      calls += point.calls;
      errors += point.errors;
      const leaving = s.points[i - window];
      if (leaving !== undefined) {
        calls -= leaving.calls;
        errors -= leaving.errors;
      }
      let value: number;
      if (metric === 'latencies') value = (point.durationQuantilesNanos[0] ?? Number.NaN) / 1e6;
      else if (metric === 'calls') value = calls / windowSeconds;
      else value = calls === 0 ? Number.NaN : errors / calls;
      if (Number.isNaN(value)) return;
      metricPoints.push({ gaugeValue: { doubleValue: value }, timestamp: rfc3339(point.timeUnixNano) });
    });
    return { labels, metricPoints };
  });
  return { name: family.name, type: 'GAUGE', help: family.help, metrics };
}

/** Protobuf's JSON form of a Timestamp: RFC 3339 in UTC, fraction only when non-zero. */
function rfc3339(nanos: bigint): string {
  const iso = new Date(Number(nanos / MS)).toISOString();
  const fraction = nanos % 1_000_000_000n;
  if (fraction === 0n) return iso.replace(/\.\d{3}Z$/, 'Z');
  return iso.replace(/\.\d{3}Z$/, `.${fraction.toString().padStart(9, '0').replace(/0+$/, '')}Z`);
}

function parseBool(text: string | null): boolean {
  if (text === null || text === '') return false;
  if (/^(1|t|true)$/i.test(text)) return true;
  if (/^(0|f|false)$/i.test(text)) return false;
  throw new AriadneError(
    'InvalidQuery',
    `unable to parse param 'groupByOperation': ${JSON.stringify(text)} is not a bool`,
  );
}

/** A millisecond parameter as nanoseconds; `undefined` when absent. */
export function optionalMillis(params: URLSearchParams, name: string): bigint | undefined {
  const text = params.get(name) ?? '';
  if (text === '') return undefined;
  if (!/^\d{1,16}$/.test(text)) {
    throw new AriadneError(
      'InvalidQuery',
      `unable to parse param '${name}': ${JSON.stringify(text)} is not an integer`,
    );
  }
  return BigInt(text) * MS;
}
