import type { LatencySummary } from './percentiles.js';

/*
 * Markdown pieces shared by the sustained ingest and soak benchmarks, so both
 * print their runs alike.
 */

/** A number with thousands separators; "—" for NaN or infinity (nothing was measured). */
export function fmt(value: number, digits = 0): string {
  if (!Number.isFinite(value)) return '—';
  return value.toLocaleString('en-US', { minimumFractionDigits: digits, maximumFractionDigits: digits });
}

export const MIB = 1024 * 1024;

export function mib(bytes: number): string {
  return `${fmt(bytes / MIB)} MiB`;
}

export function latencyText(latency: LatencySummary, keys: readonly ('p50' | 'p95' | 'p99' | 'max')[]): string {
  if (latency.count === 0) return '— (none measured)';
  return `${keys.map((key) => fmt(latency[key], latency[key] < 10 ? 1 : 0)).join(' / ')} ms`;
}

/** "none", or each status with its count: `429 × 12, 503 × 1`. */
export function refusalsText(refusals: Readonly<Record<string, number>>): string {
  const entries = Object.entries(refusals).sort(([a], [b]) => Number(a) - Number(b));
  return entries.length === 0 ? 'none' : entries.map(([status, count]) => `${status} × ${fmt(count)}`).join(', ');
}

/**
 * A long per-second series as a few lines of a code block: `perRow` values a
 * line, each line led by the number of its first second.
 */
export function compactSeries(
  values: readonly number[],
  format: (value: number) => string,
  perRow = 20,
  firstSecond = 0,
): string {
  const cells = values.map(format);
  const width = Math.max(1, ...cells.map((cell) => cell.length));
  const lastLabel = `s${firstSecond + Math.floor(Math.max(0, values.length - 1) / perRow) * perRow}`;
  const lines: string[] = [];
  for (let i = 0; i < cells.length; i += perRow) {
    const label = `s${firstSecond + i}`.padEnd(lastLabel.length);
    lines.push(
      `${label} ${cells
        .slice(i, i + perRow)
        .map((cell) => cell.padStart(width))
        .join(' ')}`,
    );
  }
  return lines.join('\n');
}

/** A row of a targets table; `met` undefined when the run could not measure it. */
export function targetRow(target: string, measured: string, met: boolean | undefined): string {
  return `| ${target} | ${measured} | ${met === undefined ? 'not measured' : met ? 'met' : 'missed'} |`;
}
