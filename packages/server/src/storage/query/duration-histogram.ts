/**
 * Log-scale duration bins shared by every store's RED metrics: bin `i ≥ 1`
 * holds durations in (2^((i-2)/16), 2^((i-1)/16)] nanoseconds (Prometheus
 * native histogram schema 4), bin 0 holds zero. Quantiles read from merged bins
 * are within 2.2% of the exact nearest-rank value, and bins of blocks, pages
 * and heads add up, which exact quantiles would not.
 */
export const DURATION_BINS = 1024;
const PER_OCTAVE = 16;
const GAMMA = 2 ** (1 / PER_OCTAVE);
/** Worst relative error of a quantile read from the bins: (γ - 1) / (γ + 1). */
export const DURATION_QUANTILE_RELATIVE_ERROR = (GAMMA - 1) / (GAMMA + 1);

export function durationBin(nanos: number): number {
  if (!(nanos > 0)) return 0;
  if (nanos <= 1) return 1;
  return Math.min(DURATION_BINS - 1, 1 + Math.ceil(Math.log2(nanos) * PER_OCTAVE - 1e-9));
}

/** The value a bin stands for: the point of least relative error over the bin. */
export function binValue(bin: number): number {
  if (bin <= 0) return 0;
  const upper = GAMMA ** (bin - 1);
  return (2 * upper) / (GAMMA + 1);
}

/**
 * Nearest-rank quantile (the smallest duration with at least `q·n` of the
 * durations at or below it) of a histogram of `total` durations; NaN when empty.
 */
export function histogramQuantile(bins: ArrayLike<number>, total: number, q: number): number {
  if (total === 0) return Number.NaN;
  const rank = Math.max(1, Math.ceil(q * total - 1e-9));
  let seen = 0;
  for (let bin = 0; bin < bins.length; bin++) {
    seen += bins[bin]!;
    if (seen >= rank) return binValue(bin);
  }
  return binValue(bins.length - 1);
}
