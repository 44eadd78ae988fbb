import { AriadneError, durationNanosOf, type Span, StatusCode, serviceNameOf } from '@ariadne/protocol';
import type { TraceQuery } from '../span-store.js';
import { compileAttributePredicate } from './attribute-predicate.js';

/** Does one span satisfy every condition of a query at once (Jaeger's semantics)? */
export type SpanMatcher = (span: Span) => boolean;

/**
 * Validates a query and compiles it into a span matcher: regular expressions are
 * compiled once here, not per span. Throws `AriadneError('InvalidQuery')` for a
 * malformed query. Every store uses this, so searches mean the same everywhere.
 */
export function compileSpanMatcher(query: TraceQuery): SpanMatcher {
  validateTraceQuery(query);
  const { service, operation, spanKind, minDurationNanos, maxDurationNanos, errorsOnly } = query;
  const { startNanos, endNanos } = query.timeRange;
  const attributeTests = (query.attributes ?? []).map(compileAttributePredicate);
  return (span) => {
    if (span.startTimeUnixNano < startNanos || span.startTimeUnixNano > endNanos) return false;
    if (operation !== undefined && span.name !== operation) return false;
    if (spanKind !== undefined && span.kind !== spanKind) return false;
    if (errorsOnly && span.status.code !== StatusCode.Error) return false;
    if (minDurationNanos !== undefined || maxDurationNanos !== undefined) {
      const duration = durationNanosOf(span);
      if (minDurationNanos !== undefined && duration < minDurationNanos) return false;
      if (maxDurationNanos !== undefined && duration > maxDurationNanos) return false;
    }
    if (service !== undefined && serviceNameOf(span.resource) !== service) return false;
    for (const test of attributeTests) if (!test(span)) return false;
    return true;
  };
}

/** Convenience for one-off checks; stores should compile once with `compileSpanMatcher`. */
export function spanMatchesQuery(span: Span, query: TraceQuery): boolean {
  return compileSpanMatcher(query)(span);
}

/** Throws `AriadneError('InvalidQuery')` unless the query's plain fields make sense. */
export function validateTraceQuery(query: TraceQuery): void {
  if (!Number.isInteger(query.limit) || query.limit < 1) {
    throw new AriadneError('InvalidQuery', `limit must be an integer ≥ 1, not ${query.limit}`);
  }
  if (query.timeRange.startNanos > query.timeRange.endNanos) {
    throw new AriadneError('InvalidQuery', 'time range starts after it ends');
  }
  if (
    query.minDurationNanos !== undefined &&
    query.maxDurationNanos !== undefined &&
    query.minDurationNanos > query.maxDurationNanos
  ) {
    throw new AriadneError('InvalidQuery', 'minimum duration is greater than maximum duration');
  }
}
