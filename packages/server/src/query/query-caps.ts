import { AriadneError } from '@ariadne/protocol';
import type { TimeRange } from '../storage/span-store.js';

/**
 * The largest number of traces one search may ask for, in every API (Jaeger's
 * `limit`, API v3's `search_depth`, Zipkin's and Tempo's `limit`). 1,500 is
 * the largest choice of Jaeger UI's and Ariadne's own search forms, so no UI
 * is refused; past it a search is a bulk export, which the APIs are not for.
 * Asking for more is a 400 naming the maximum, not a silently shorter answer.
 */
export const MAX_SEARCH_LIMIT = 1_500;

/**
 * Tempo's `spss`: spans listed per span set. 100 is Tempo's own ceiling for it;
 * with `MAX_SEARCH_LIMIT` span sets, an answer lists at most 150,000 spans.
 */
export const MAX_SPANS_PER_SPAN_SET = 100;

/**
 * Tempo's tag value `limit`. The values come from a sample of recent traces
 * (`tag-catalog.ts`), so a longer list is rarely more complete, only larger.
 */
export const MAX_TAG_VALUES = 10_000;

/** `--max-search-window`'s default: Tempo's longest search, and the 7 days of the UI's longest lookback. */
export const DEFAULT_MAX_SEARCH_WINDOW_NANOS = 168n * 3_600_000_000_000n;

/** What a query API refuses past: each API takes it as an option. */
export interface QueryCaps {
  /** The longest time window a search or metrics query may cover (`--max-search-window`). */
  readonly maxSearchWindowNanos?: bigint;
}

/**
 * `value` itself, or `InvalidQuery` (400) naming the parameter and its maximum
 * when the value is over it. Call after the API's own parsing (and its
 * defaults, such as Jaeger's `limit=0`).
 */
export function atMost(name: string, value: number, max: number): number {
  if (value > max) throw new AriadneError('InvalidQuery', `${name} ${value} is over the maximum of ${max}`);
  return value;
}

/**
 * `timeRange` itself, or `InvalidQuery` (400) when it is longer than the
 * caps allow. `what` names the parameters that set the window, in the API's
 * words (`'start' to 'end'`, `lookback`), so the client knows what to change.
 */
export function withinSearchWindow(what: string, timeRange: TimeRange, caps: QueryCaps): TimeRange {
  const max = caps.maxSearchWindowNanos ?? DEFAULT_MAX_SEARCH_WINDOW_NANOS;
  const length = timeRange.endNanos - timeRange.startNanos;
  if (length > max) {
    throw new AriadneError(
      'InvalidQuery',
      `the time window ${what} is ${formatWindow(length)}, longer than the maximum of ${formatWindow(max)} (--max-search-window): narrow it`,
    );
  }
  return timeRange;
}

/** Whole hours, minutes or seconds as `168h`, `90m`, `45s`; else hours to a tenth, or milliseconds. */
export function formatWindow(nanos: bigint): string {
  const units: [bigint, string][] = [
    [3_600_000_000_000n, 'h'],
    [60_000_000_000n, 'm'],
    [1_000_000_000n, 's'],
  ];
  for (const [size, unit] of units) if (nanos % size === 0n) return `${nanos / size}${unit}`;
  // A window such as "from the epoch to now" is no whole number of anything.
  if (nanos >= 3_600_000_000_000n) return `${(Number(nanos) / 3.6e12).toFixed(1)}h`;
  return `${Number(nanos) / 1e6}ms`;
}
