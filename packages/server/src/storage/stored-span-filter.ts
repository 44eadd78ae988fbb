import type { Span } from '@ariadne/protocol';

/**
 * An optional store capability: which spans of a batch the store does not
 * hold yet. The spool asks it before replaying a batch whose earlier write
 * may have reached the store (an answer lost, a timeout), so that replay
 * adds no copies to counts, RED metrics or dependencies.
 */
export interface StoredSpanFilter {
  /** The spans of `spans` the store lacks, in their order; a span is held when its trace id, span id, start and end match a stored one. */
  unstoredSpans(spans: readonly Span[]): Promise<Span[]>;
}

export function hasStoredSpanFilter(store: object): store is StoredSpanFilter {
  return typeof (store as Partial<StoredSpanFilter>).unstoredSpans === 'function';
}
