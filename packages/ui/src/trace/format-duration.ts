/**
 * A duration in microseconds as people read it: "850µs", "1.23ms", "2.5s",
 * "3m 20s", "1h 5m", "2d 3h". At most two decimals, trailing zeros dropped;
 * the unit is chosen after rounding, so 999.999µs reads "1ms", not "1000µs".
 */
export function formatDuration(micros: number): string {
  if (!Number.isFinite(micros)) return '?';
  if (micros < 0) return `-${formatDuration(-micros)}`;
  const us = round2(micros);
  if (us < 1000) return `${us}µs`;
  const ms = round2(micros / 1e3);
  if (ms < 1000) return `${ms}ms`;
  const s = round2(micros / 1e6);
  if (s < 60) return `${s}s`;
  const totalSeconds = Math.round(micros / 1e6);
  if (totalSeconds < 3600) return pair(Math.floor(totalSeconds / 60), 'm', totalSeconds % 60, 's');
  const totalMinutes = Math.round(micros / 60e6);
  if (totalMinutes < 24 * 60) return pair(Math.floor(totalMinutes / 60), 'h', totalMinutes % 60, 'm');
  const totalHours = Math.round(micros / 3600e6);
  return pair(Math.floor(totalHours / 24), 'd', totalHours % 24, 'h');
}

function round2(value: number): number {
  return Math.round(value * 100) / 100;
}

function pair(big: number, bigUnit: string, small: number, smallUnit: string): string {
  return small === 0 ? `${big}${bigUnit}` : `${big}${bigUnit} ${small}${smallUnit}`;
}
