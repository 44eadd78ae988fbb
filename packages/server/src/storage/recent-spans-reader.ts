import type { Span } from '@ariadne/protocol';

export interface RecentSpansQuery {
  /** Spans that ended (start + duration) at or after this, ns since the epoch. */
  readonly endedAfterNanos: bigint;
  /** ... and started at or after this: bounds what the store scans (longer spans are not read). */
  readonly startedAfterNanos: bigint;
  /** Only spans of these services; absent, every service's. */
  readonly services?: readonly string[];
  /** At most this many spans, the latest ends first. */
  readonly limit: number;
}

/**
 * An optional capability: the spans that ended lately, for live tail on a
 * process that does not receive them itself (a query node reading what
 * collectors wrote). Answers `[]` when nothing matches; re-sent spans may
 * come more than once (callers dedupe by id).
 */
export interface RecentSpansReader {
  readRecentSpans(query: RecentSpansQuery): Promise<Span[]>;
}

export function isRecentSpansReader(reader: object): reader is RecentSpansReader {
  return typeof (reader as Partial<RecentSpansReader>).readRecentSpans === 'function';
}
