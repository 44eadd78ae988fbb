/** A count as people read it: 950, 1.2k, 3.4M. */
export function formatCount(n: number): string {
  if (!Number.isFinite(n)) return '?';
  const abs = Math.abs(n);
  if (abs < 1000) return String(Math.round(n * 100) / 100);
  if (abs < 1e6) return `${Math.round(n / 100) / 10}k`;
  if (abs < 1e9) return `${Math.round(n / 1e5) / 10}M`;
  return `${Math.round(n / 1e8) / 10}G`;
}
