import type { ApiClient } from './api-client.js';
import { ApiError } from './api-error.js';

export type RedMetric = 'latencies' | 'calls' | 'errors';

export interface RedQuery {
  readonly service: string;
  /** Jaeger's names: server, client, producer, consumer, internal. */
  readonly spanKind: string;
  readonly groupByOperation: boolean;
  readonly endMillis: number;
  readonly lookbackMillis: number;
  readonly stepMillis: number;
  /** Latencies only. */
  readonly quantile?: number;
}

export interface RedSeries {
  /** '' when not grouped by operation. */
  readonly operation: string;
  /** Milliseconds since the epoch. */
  readonly times: number[];
  /** Latencies in ms, calls per second, errors as a fraction of calls. */
  readonly values: number[];
}

/** Jaeger SPM's `/api/metrics/{latencies,calls,errors}` (a MetricFamily as JSON). */
export async function getRedMetric(
  client: ApiClient,
  metric: RedMetric,
  query: RedQuery,
  signal?: AbortSignal,
): Promise<RedSeries[]> {
  const params = new URLSearchParams({
    service: query.service,
    spanKind: query.spanKind,
    groupByOperation: String(query.groupByOperation),
    endTs: String(Math.floor(query.endMillis)),
    lookback: String(Math.floor(query.lookbackMillis)),
    step: String(Math.floor(query.stepMillis)),
    ratePer: '1000',
  });
  if (metric === 'latencies') params.set('quantile', String(query.quantile ?? 0.95));
  const body = (await client.getJson(`/api/metrics/${metric}?${params}`, signal)) as { metrics?: unknown };
  if (!Array.isArray(body?.metrics)) throw new ApiError('InvalidResponse', `metrics/${metric}: no "metrics" list`);
  return body.metrics.map((m) => {
    const item = m as {
      labels?: { name: string; value: string }[];
      metricPoints?: { gaugeValue?: { doubleValue?: unknown }; timestamp?: unknown }[];
    };
    const operation = item.labels?.find((l) => l.name === 'operation')?.value ?? '';
    const times: number[] = [];
    const values: number[] = [];
    for (const point of item.metricPoints ?? []) {
      const time = typeof point.timestamp === 'string' ? Date.parse(point.timestamp) : Number(point.timestamp);
      const value = Number(point.gaugeValue?.doubleValue);
      if (!Number.isFinite(time) || !Number.isFinite(value)) continue;
      times.push(time);
      values.push(value);
    }
    return { operation, times, values };
  });
}
