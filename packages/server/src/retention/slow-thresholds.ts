import type { BlockAggregates } from '../storage/embedded/block-aggregates.js';
import { DURATION_BINS, histogramQuantile } from '../storage/query/duration-histogram.js';

/** What thresholds read of the embedded store's block aggregates: the RED cells' duration histograms. */
export type DurationCells = Pick<
  BlockAggregates,
  'services' | 'series' | 'cellSecond' | 'cellSeries' | 'binStart' | 'bins' | 'binCounts'
>;

const WINDOW_MINUTES = 60;

/**
 * "Slower than the operation's p99 over the last hour", from the RED
 * aggregates the store computed from every span (so it is the same before
 * and after anything is dropped). The hour is the 60 minutes ending with the
 * minute the span started in. The p99 is the one RED metrics report for
 * that hour (`histogramQuantile`: within 2.2 % of the exact nearest rank).
 */
export class SlowThresholds {
  /** Per operation (service, name, kind), per minute: duration bin → spans. */
  readonly #minutes = new Map<string, Map<number, Map<number, number>>>();
  readonly #cache = new Map<string, number>();

  /**
   * Adds the cells of seconds in [fromSecond, toSecond] (all by default).
   * Cells are in second order: the range is found by binary search, so a
   * large merged block costs only its cells in the range.
   */
  add(cells: DurationCells, fromSecond = Number.NEGATIVE_INFINITY, toSecond = Number.POSITIVE_INFINITY): void {
    const keys = cells.series.map(({ service, name, kind }) => operationKey(cells.services[service]!, name, kind));
    const seconds = cells.cellSecond;
    let low = 0;
    let high = seconds.length;
    while (low < high) {
      const middle = (low + high) >>> 1;
      if (seconds[middle]! < fromSecond) low = middle + 1;
      else high = middle;
    }
    for (let i = low; i < seconds.length && seconds[i]! <= toSecond; i++) {
      const key = keys[cells.cellSeries[i]!]!;
      let minutes = this.#minutes.get(key);
      if (minutes === undefined) {
        minutes = new Map();
        this.#minutes.set(key, minutes);
      }
      const minute = Math.floor(cells.cellSecond[i]! / 60);
      let bins = minutes.get(minute);
      if (bins === undefined) {
        bins = new Map();
        minutes.set(minute, bins);
      }
      for (let j = cells.binStart[i]!; j < cells.binStart[i + 1]!; j++) {
        const bin = cells.bins[j]!;
        bins.set(bin, (bins.get(bin) ?? 0) + cells.binCounts[j]!);
      }
    }
    this.#cache.clear();
  }

  /** Durations above this (nanoseconds) are slow for the operation at that time; Infinity when it has no data. */
  thresholdNanos(service: string, name: string, kind: number, startNanos: bigint): number {
    const minute = Math.floor(Number(startNanos / 1_000_000_000n) / 60);
    const key = operationKey(service, name, kind);
    const cacheKey = `${key}\u0000${minute}`;
    const cached = this.#cache.get(cacheKey);
    if (cached !== undefined) return cached;
    const minutes = this.#minutes.get(key);
    const histogram = new Float64Array(DURATION_BINS);
    let total = 0;
    for (let m = minute - WINDOW_MINUTES + 1; m <= minute && minutes !== undefined; m++) {
      for (const [bin, count] of minutes.get(m) ?? []) {
        histogram[bin]! += count;
        total += count;
      }
    }
    const threshold = total === 0 ? Number.POSITIVE_INFINITY : histogramQuantile(histogram, total, 0.99);
    this.#cache.set(cacheKey, threshold);
    return threshold;
  }
}

function operationKey(service: string, name: string, kind: number): string {
  return `${service}\u0000${name}\u0000${kind}`;
}
