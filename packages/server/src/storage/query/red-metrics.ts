import { AriadneError, durationNanosOf, type Span, type SpanKind, StatusCode, serviceNameOf } from '@ariadne/protocol';
import type { RedMetricsPoint, RedMetricsQuery, RedMetricsSeries } from '../span-store.js';
import { DURATION_BINS, durationBin, histogramQuantile } from './duration-histogram.js';
import { compareText } from './service-catalog.js';

const MAX_BUCKETS = 10_000;
const NANOS_PER_SECOND = 1_000_000_000n;

/** Throws `InvalidQuery` for a malformed RED query; returns its bucket count. */
export function validateRedQuery(query: RedMetricsQuery): number {
  if (query.services.length === 0) throw new AriadneError('InvalidQuery', 'RED metrics need at least one service');
  if (query.stepNanos <= 0n) throw new AriadneError('InvalidQuery', 'step must be greater than zero');
  const { startNanos, endNanos } = query.timeRange;
  if (startNanos > endNanos) throw new AriadneError('InvalidQuery', 'time range starts after it ends');
  const buckets = (endNanos - startNanos) / query.stepNanos + 1n;
  if (buckets > BigInt(MAX_BUCKETS)) {
    throw new AriadneError('InvalidQuery', `${buckets} buckets is more than ${MAX_BUCKETS}; use a larger step`);
  }
  for (const q of query.quantiles) {
    if (!(q > 0 && q <= 1)) throw new AriadneError('InvalidQuery', `quantile ${q} is not in (0, 1]`);
  }
  return Number(buckets);
}

/** One series under construction: per bucket counts and a duration histogram. */
export interface RedSeriesCells {
  readonly service: string;
  readonly operation: string | undefined;
  readonly calls: Uint32Array;
  readonly errors: Uint32Array;
  readonly bins: (Uint32Array | undefined)[];
}

/**
 * Adds spans (or pre-aggregated per-second cells of them) into RED series.
 * Every store answers `getRedMetrics` through this, so bucketing, filtering
 * and quantiles mean the same everywhere.
 */
export class RedAccumulator {
  readonly bucketCount: number;
  readonly #query: RedMetricsQuery;
  readonly #services: ReadonlySet<string>;
  readonly #kinds: ReadonlySet<SpanKind> | undefined;
  readonly #series = new Map<string, RedSeriesCells>();
  readonly #startSeconds: number;
  readonly #startRemainder: number;
  readonly #step: number;
  readonly #span: number;

  constructor(query: RedMetricsQuery) {
    this.bucketCount = validateRedQuery(query);
    this.#query = query;
    this.#services = new Set(query.services);
    this.#kinds = query.spanKinds.length === 0 ? undefined : new Set(query.spanKinds);
    const { startNanos, endNanos } = query.timeRange;
    this.#startSeconds = Number(startNanos / NANOS_PER_SECOND);
    this.#startRemainder = Number(startNanos % NANOS_PER_SECOND);
    this.#step = Number(query.stepNanos);
    this.#span = Number(endNanos - startNanos);
  }

  wantsService(service: string): boolean {
    return this.#services.has(service);
  }

  wantsKind(kind: SpanKind): boolean {
    return this.#kinds === undefined || this.#kinds.has(kind);
  }

  /** The series a span of this service and operation adds to; undefined when the query does not want it. */
  seriesFor(service: string, operation: string, kind: SpanKind): RedSeriesCells | undefined {
    if (!this.#services.has(service) || !this.wantsKind(kind)) return undefined;
    const name = this.#query.groupByOperation ? operation : undefined;
    const key = name === undefined ? service : `${service}\u0000${name}`;
    let series = this.#series.get(key);
    if (series === undefined) {
      series = {
        service,
        operation: name,
        calls: new Uint32Array(this.bucketCount),
        errors: new Uint32Array(this.bucketCount),
        bins: new Array(this.bucketCount),
      };
      this.#series.set(key, series);
    }
    return series;
  }

  /** The bucket of a span start, or -1 outside the range. */
  bucketOfStart(startNanos: bigint): number {
    const { startNanos: from, endNanos: to } = this.#query.timeRange;
    if (startNanos < from || startNanos > to) return -1;
    return Number((startNanos - from) / this.#query.stepNanos);
  }

  /**
   * The bucket of a one-second cell (its spans started in [second, second + 1 s)),
   * or -1 when the cell lies outside the range. A cell that straddles the
   * range's start or a bucket edge counts whole in the bucket of its start:
   * pre-aggregated data is exact only for second-aligned ranges and steps.
   */
  bucketOfSecond(second: number): number {
    const offset = (second - this.#startSeconds) * 1e9 - this.#startRemainder;
    if (offset > this.#span || offset + 1e9 <= 0) return -1;
    return offset <= 0 ? 0 : Math.floor(offset / this.#step);
  }

  add(series: RedSeriesCells, bucket: number, calls: number, errors: number): Uint32Array {
    series.calls[bucket]! += calls;
    series.errors[bucket]! += errors;
    let bins = series.bins[bucket];
    if (bins === undefined) {
      bins = new Uint32Array(DURATION_BINS);
      series.bins[bucket] = bins;
    }
    return bins;
  }

  addSpan(span: Span): void {
    const bucket = this.bucketOfStart(span.startTimeUnixNano);
    if (bucket === -1) return;
    const series = this.seriesFor(serviceNameOf(span.resource), span.name, span.kind);
    if (series === undefined) return;
    const bins = this.add(series, bucket, 1, span.status.code === StatusCode.Error ? 1 : 0);
    bins[durationBin(Number(durationNanosOf(span)))]!++;
  }

  series(): RedMetricsSeries[] {
    const { startNanos } = this.#query.timeRange;
    const step = this.#query.stepNanos;
    const out: RedMetricsSeries[] = [];
    for (const series of this.#series.values()) {
      const points: RedMetricsPoint[] = [];
      for (let bucket = 0; bucket < this.bucketCount; bucket++) {
        const calls = series.calls[bucket]!;
        const bins = series.bins[bucket];
        points.push({
          timeUnixNano: startNanos + BigInt(bucket) * step,
          calls,
          errors: series.errors[bucket]!,
          durationQuantilesNanos: this.#query.quantiles.map((q) =>
            bins === undefined ? Number.NaN : histogramQuantile(bins, calls, q),
          ),
        });
      }
      const { service, operation } = series;
      out.push(operation === undefined ? { service, points } : { service, operation, points });
    }
    return out.sort((a, b) => compareText(a.service, b.service) || compareText(a.operation ?? '', b.operation ?? ''));
  }
}
