import { AriadneError, type Span } from '@ariadne/protocol';
import type { MetricsStage, Query, Static } from './ast.js';
import { evalField, executeInContext, type Spanset, TraceContext } from './execute.js';
import { formatField } from './format-field.js';
import { typeOf } from './validate.js';

export interface MetricsRange {
  /** Inclusive, nanoseconds since the epoch. */
  readonly startNanos: bigint;
  /** Inclusive. */
  readonly endNanos: bigint;
  /** Bucket width, > 0. */
  readonly stepNanos: bigint;
}

export interface MetricsLabel {
  readonly key: string;
  readonly value: Static;
}

export interface MetricsSample {
  /** Start of the bucket, milliseconds since the epoch. */
  readonly timestampMs: number;
  readonly value: number;
}

export interface MetricsSeries {
  readonly labels: readonly MetricsLabel[];
  /** Prometheus-style text of the labels, `{resource.service.name="cart"}`, as Tempo sends it. */
  readonly promLabels: string;
  /** Oldest first. Counting functions report every bucket; the others only buckets with spans. */
  readonly samples: readonly MetricsSample[];
}

/** Most buckets a range may have; more is an `InvalidQuery` (as the stores' RED metrics). */
export const MAX_METRICS_BUCKETS = 11_000;

interface Bucket {
  count: number;
  sum: number;
  min: number;
  max: number;
  values: number[];
}

interface SeriesState {
  readonly labels: MetricsLabel[];
  readonly buckets: (Bucket | undefined)[];
}

/**
 * Evaluates a TraceQL metrics query (`{…} | rate() by (…)`) over whole traces
 * fed one at a time, Tempo's `query_range`: each span a trace's spansets select
 * counts once, in the bucket of its start time (Tempo's buckets: `(end - start)
 * / step + 1` of them, aligned to `start`). Durations are reported in seconds.
 * Quantiles are exact (linear interpolation between ranks), not Tempo's
 * log2-bucket approximation; `histogram_over_time` uses Tempo's power-of-two
 * buckets, labelled `__bucket` with the upper bound (seconds for durations).
 */
export class MetricsAccumulator {
  private readonly metrics: MetricsStage;
  private readonly bucketCount: number;
  private readonly series = new Map<string, SeriesState>();
  private readonly isDuration: boolean;

  constructor(
    private readonly query: Query,
    private readonly range: MetricsRange,
  ) {
    if (query.metrics === undefined) {
      throw new AriadneError('InvalidQuery', 'not a metrics query: end it with a function such as | rate()');
    }
    if (range.stepNanos <= 0n) throw new AriadneError('InvalidQuery', 'step must be greater than zero');
    if (range.endNanos < range.startNanos) throw new AriadneError('InvalidQuery', 'end is before start');
    const buckets = (range.endNanos - range.startNanos) / range.stepNanos + 1n;
    if (buckets > BigInt(MAX_METRICS_BUCKETS)) {
      throw new AriadneError(
        'InvalidQuery',
        `${buckets} buckets is too many (at most ${MAX_METRICS_BUCKETS}); raise step`,
      );
    }
    this.bucketCount = Number(buckets);
    this.metrics = query.metrics;
    this.isDuration = query.metrics.field !== undefined && typeOf(query.metrics.field) === 'duration';
  }

  /** Adds every span of one trace (all its stored spans, any order). */
  addTrace(spans: readonly Span[]): void {
    const ctx = new TraceContext(spans);
    this.addEvaluated(ctx, executeInContext(this.query, ctx));
  }

  /** Adds the spans the query's spansets selected from the trace of `ctx` (each once). */
  addEvaluated(ctx: TraceContext, sets: readonly Spanset[]): void {
    if (sets.length === 0) return;
    const seen = new Set<Span>();
    for (const set of sets) {
      for (const span of set.spans) {
        if (seen.has(span)) continue;
        seen.add(span);
        this.addSpan(span, ctx);
      }
    }
  }

  private addSpan(span: Span, ctx: TraceContext): void {
    const { startNanos, endNanos, stepNanos } = this.range;
    if (span.startTimeUnixNano < startNanos || span.startTimeUnixNano > endNanos) return;
    const index = Number((span.startTimeUnixNano - startNanos) / stepNanos);
    let value = 0;
    if (this.metrics.field !== undefined) {
      const measured = evalField(this.metrics.field, span, ctx).find(
        (v) => v.type === 'int' || v.type === 'float' || v.type === 'duration',
      ) as { value: number } | undefined;
      if (measured === undefined) return;
      value = this.isDuration ? measured.value / 1e9 : measured.value;
    }
    const labels: MetricsLabel[] = [];
    for (const field of this.metrics.by) {
      const v = evalField(field, span, ctx)[0];
      if (v !== undefined && v.type !== 'nil') labels.push({ key: formatField(field), value: v });
    }
    if (this.metrics.fn === 'histogram_over_time') {
      const bound =
        value <= 0
          ? 0
          : this.isDuration
            ? 2 ** Math.ceil(Math.log2(value * 1e9)) / 1e9
            : 2 ** Math.ceil(Math.log2(value));
      labels.push({ key: '__bucket', value: { type: 'float', value: bound } });
    }
    const key = JSON.stringify(labels);
    let state = this.series.get(key);
    if (state === undefined) {
      state = { labels, buckets: new Array(this.bucketCount) };
      this.series.set(key, state);
    }
    let bucket = state.buckets[index];
    if (bucket === undefined) {
      bucket = { count: 0, sum: 0, min: Number.POSITIVE_INFINITY, max: Number.NEGATIVE_INFINITY, values: [] };
      state.buckets[index] = bucket;
    }
    bucket.count++;
    bucket.sum += value;
    if (value < bucket.min) bucket.min = value;
    if (value > bucket.max) bucket.max = value;
    if (this.metrics.fn === 'quantile_over_time') bucket.values.push(value);
  }

  /** The series so far, sorted by their labels. */
  result(): MetricsSeries[] {
    const fn = this.metrics.fn;
    const stepSeconds = Number(this.range.stepNanos) / 1e9;
    const startMs = Number(this.range.startNanos / 1_000_000n);
    const stepMs = Number(this.range.stepNanos) / 1e6;
    const out: MetricsSeries[] = [];
    for (const state of this.series.values()) {
      const emit = (labels: MetricsLabel[], pick: (bucket: Bucket | undefined) => number | undefined) => {
        const samples: MetricsSample[] = [];
        for (let i = 0; i < this.bucketCount; i++) {
          const value = pick(state.buckets[i]);
          if (value !== undefined) samples.push({ timestampMs: startMs + i * stepMs, value });
        }
        const named =
          labels.length === 0 ? [{ key: '__name__', value: { type: 'string', value: fn } as Static }] : labels;
        out.push({ labels: named, promLabels: promLabels(named), samples });
      };
      switch (fn) {
        case 'rate':
          emit(state.labels, (b) => (b?.count ?? 0) / stepSeconds);
          break;
        case 'count_over_time':
        case 'histogram_over_time':
          emit(state.labels, (b) => b?.count ?? 0);
          break;
        case 'min_over_time':
          emit(state.labels, (b) => b?.min);
          break;
        case 'max_over_time':
          emit(state.labels, (b) => b?.max);
          break;
        case 'sum_over_time':
          emit(state.labels, (b) => b?.sum);
          break;
        case 'avg_over_time':
          emit(state.labels, (b) => (b === undefined ? undefined : b.sum / b.count));
          break;
        case 'quantile_over_time':
          for (const q of this.metrics.quantiles) {
            emit([...state.labels, { key: 'p', value: { type: 'float', value: q } }], (b) =>
              b === undefined ? undefined : quantile(b.values, q),
            );
          }
          break;
      }
    }
    return out.sort((a, b) => (a.promLabels < b.promLabels ? -1 : a.promLabels > b.promLabels ? 1 : 0));
  }
}

function quantile(values: number[], q: number): number {
  values.sort((a, b) => a - b);
  const rank = q * (values.length - 1);
  const low = Math.floor(rank);
  const high = Math.ceil(rank);
  const a = values[low]!;
  const b = values[high]!;
  return a + (b - a) * (rank - low);
}

function promLabels(labels: readonly MetricsLabel[]): string {
  return `{${labels
    .map(({ key, value }) => `${key}=${JSON.stringify(value.type === 'nil' ? '' : String(value.value))}`)
    .join(', ')}}`;
}
