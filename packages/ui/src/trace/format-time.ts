/** Times on screen: relative ("5 minutes ago") for scanning, absolute (local time, to the ms) for reading. */

const RELATIVE = new Intl.RelativeTimeFormat('en', { numeric: 'auto' });

const STEPS: [limitSeconds: number, unitSeconds: number, unit: Intl.RelativeTimeFormatUnit][] = [
  [60, 1, 'second'],
  [3600, 60, 'minute'],
  [86_400, 3600, 'hour'],
  [30 * 86_400, 86_400, 'day'],
  [365 * 86_400, 30 * 86_400, 'month'],
  [Number.POSITIVE_INFINITY, 365 * 86_400, 'year'],
];

/** `micros` since the epoch relative to `nowMillis`: "just now", "5 minutes ago", "in 2 seconds" (clock skew). */
export function formatRelativeTime(micros: number, nowMillis: number): string {
  const seconds = (micros / 1000 - nowMillis) / 1000;
  const magnitude = Math.abs(seconds);
  if (magnitude < 10) return 'just now';
  for (const [limit, unitSeconds, unit] of STEPS) {
    if (magnitude < limit) return RELATIVE.format(Math.trunc(seconds / unitSeconds), unit);
  }
  return RELATIVE.format(Math.trunc(seconds / (365 * 86_400)), 'year');
}

/** "2026-11-22 03:44:29.123" in the browser's time zone. */
export function formatAbsoluteTime(micros: number): string {
  const date = new Date(Math.floor(micros / 1000));
  if (Number.isNaN(date.getTime())) return 'invalid time';
  const day = `${date.getFullYear()}-${two(date.getMonth() + 1)}-${two(date.getDate())}`;
  const time = `${two(date.getHours())}:${two(date.getMinutes())}:${two(date.getSeconds())}`;
  return `${day} ${time}.${String(date.getMilliseconds()).padStart(3, '0')}`;
}

/** The same instant in UTC, ISO 8601 with microseconds, for tooltips and copying. */
export function formatIsoTime(micros: number): string {
  const date = new Date(Math.floor(micros / 1000));
  if (Number.isNaN(date.getTime())) return 'invalid time';
  const subMillis = String(Math.floor(micros) % 1000).padStart(3, '0');
  return date.toISOString().replace('Z', `${subMillis}Z`);
}

function two(n: number): string {
  return String(n).padStart(2, '0');
}
