import { AriadneError, StatusCode } from '@ariadne/protocol';
import { DURATION_BINS, histogramQuantile } from '../query/duration-histogram.js';
import { compareText } from '../query/service-catalog.js';
import type { RedMetricsPoint, RedMetricsQuery, RedMetricsSeries } from '../span-store.js';
import { sqlInteger, sqlString } from './sql-literal.js';

/**
 * RED metrics in SQL: ClickHouse counts calls and errors per bucket and the
 * spans per log-scale duration bin (the bins every store shares,
 * `query/duration-histogram.ts`), and the quantiles are read from those bins
 * here. So quantiles are within 2.2% of the exact nearest-rank value, the same
 * answer as the other stores, and memory stays bounded by bins, not spans.
 */
export const MAX_BUCKETS = 10_000n;

export function validateRedMetricsQuery(query: RedMetricsQuery): void {
  if (query.services.length === 0) throw new AriadneError('InvalidQuery', 'RED metrics need at least one service');
  if (query.stepNanos <= 0n) throw new AriadneError('InvalidQuery', 'the step must be > 0');
  if (query.timeRange.startNanos > query.timeRange.endNanos) {
    throw new AriadneError('InvalidQuery', 'time range starts after it ends');
  }
  if (bucketCount(query) > MAX_BUCKETS) {
    throw new AriadneError('InvalidQuery', `more than ${MAX_BUCKETS} buckets; use a larger step`);
  }
  for (const quantile of query.quantiles) {
    if (!(quantile > 0 && quantile <= 1))
      throw new AriadneError('InvalidQuery', `quantile ${quantile} is not in (0, 1]`);
  }
}

function bucketCount(query: RedMetricsQuery): bigint {
  return (query.timeRange.endNanos - query.timeRange.startNanos) / query.stepNanos + 1n;
}

export interface RedMetricsRow {
  readonly service: string;
  readonly operation?: string;
  readonly bucket: string;
  /** Duration bins with spans in them, and how many. */
  readonly bins: readonly number[];
  readonly counts: readonly (string | number)[];
  readonly errors: string;
}

/** Mirrors `durationBin` of duration-histogram.ts. */
export const DURATION_BIN_SQL = `multiIf(duration_ns = 0, 0, duration_ns = 1, 1,
  least(${DURATION_BINS - 1}, 1 + toUInt32(ceil(log2(toFloat64(duration_ns)) * 16 - 1e-9))))`;

export function redMetricsSql(spans: string, query: RedMetricsQuery): string {
  const { startNanos, endNanos } = query.timeRange;
  const conditions = [
    `service IN (${query.services.map(sqlString).join(', ')})`,
    `start_ns >= ${sqlInteger(startNanos)}`,
    `start_ns <= ${sqlInteger(endNanos)}`,
  ];
  if (query.spanKinds.length > 0) conditions.push(`kind IN (${query.spanKinds.map(sqlInteger).join(', ')})`);
  const series = query.groupByOperation ? 'service, operation, bucket' : 'service, bucket';
  // Counted per bin, then one row per bucket with its bins as arrays: far fewer rows to send and parse.
  return `SELECT ${series}, groupArray(bin) AS bins, groupArray(calls) AS counts, sum(bin_errors) AS errors FROM (
      SELECT service${query.groupByOperation ? ', name AS operation' : ''},
        intDiv(start_ns - ${sqlInteger(startNanos)}, ${sqlInteger(query.stepNanos)}) AS bucket,
        ${DURATION_BIN_SQL} AS bin, count() AS calls, countIf(status_code = ${StatusCode.Error}) AS bin_errors
      FROM ${spans} WHERE ${conditions.join(' AND ')} GROUP BY ${series}, bin
    ) GROUP BY ${series}`;
}

interface Bucket {
  calls: number;
  errors: number;
  bins: Float64Array;
}

/** Rows (one per series, bucket and bin) to series with every bucket of the range, oldest first. */
export function redMetricsToSeries(rows: readonly RedMetricsRow[], query: RedMetricsQuery): RedMetricsSeries[] {
  const series = new Map<string, { service: string; operation?: string; buckets: Map<number, Bucket> }>();
  for (const row of rows) {
    const key = query.groupByOperation ? `${row.service}\u0000${row.operation}` : row.service;
    let entry = series.get(key);
    if (entry === undefined) {
      entry = { service: row.service, buckets: new Map() };
      if (query.groupByOperation) entry.operation = row.operation ?? '';
      series.set(key, entry);
    }
    const index = Number(row.bucket);
    let bucket = entry.buckets.get(index);
    if (bucket === undefined) {
      bucket = { calls: 0, errors: 0, bins: new Float64Array(DURATION_BINS) };
      entry.buckets.set(index, bucket);
    }
    for (let i = 0; i < row.bins.length; i++) {
      const calls = Number(row.counts[i]);
      bucket.calls += calls;
      bucket.bins[Number(row.bins[i])]! += calls;
    }
    bucket.errors += Number(row.errors);
  }
  const count = Number(bucketCount(query));
  const out: RedMetricsSeries[] = [];
  for (const entry of series.values()) {
    const points: RedMetricsPoint[] = [];
    for (let index = 0; index < count; index++) {
      const bucket = entry.buckets.get(index);
      points.push({
        timeUnixNano: query.timeRange.startNanos + BigInt(index) * query.stepNanos,
        calls: bucket?.calls ?? 0,
        errors: bucket?.errors ?? 0,
        durationQuantilesNanos: query.quantiles.map((q) =>
          bucket === undefined ? Number.NaN : histogramQuantile(bucket.bins, bucket.calls, q),
        ),
      });
    }
    out.push({
      service: entry.service,
      ...(entry.operation === undefined ? {} : { operation: entry.operation }),
      points,
    });
  }
  return out.sort((a, b) => compareText(a.service, b.service) || compareText(a.operation ?? '', b.operation ?? ''));
}
