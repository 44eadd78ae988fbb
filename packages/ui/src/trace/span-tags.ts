import type { JaegerKeyValue, JaegerSpan } from '@ariadne/protocol';

/**
 * What the UI reads out of a span's tags. OpenTelemetry fields that Jaeger's
 * model has no place for travel as tags (collector-contrib translator): the
 * kind in `span.kind`, the status in `otel.status_code` /
 * `otel.status_description`, and `error=true` on failed spans.
 */

export function findTag(tags: readonly JaegerKeyValue[], key: string): JaegerKeyValue | undefined {
  for (const tag of tags) if (tag.key === key) return tag;
  return undefined;
}

/** A tag's value as text, exactly (int64 values past 2^53 arrive as bigint and keep every digit). */
export function tagValueText(tag: JaegerKeyValue): string {
  const value = tag.value;
  return typeof value === 'string' ? value : String(value);
}

/** Jaeger's rule (`error` tag true, as bool or text) plus OpenTelemetry's error status. */
export function isErrorSpan(span: JaegerSpan): boolean {
  const error = findTag(span.tags, 'error');
  if (error !== undefined && (error.value === true || error.value === 'true')) return true;
  const status = findTag(span.tags, 'otel.status_code');
  return status !== undefined && status.value === 'ERROR';
}

/** `server`, `client`, `producer`, `consumer`, `internal`, or '' when the span has no kind. */
export function spanKindOf(span: JaegerSpan): string {
  const kind = findTag(span.tags, 'span.kind');
  return kind === undefined ? '' : tagValueText(kind);
}

export type SpanStatusCode = 'UNSET' | 'OK' | 'ERROR';

export interface SpanStatusView {
  readonly code: SpanStatusCode;
  readonly message: string;
}

export function spanStatusOf(span: JaegerSpan): SpanStatusView {
  const code = findTag(span.tags, 'otel.status_code');
  const description = findTag(span.tags, 'otel.status_description');
  const message = description === undefined ? '' : tagValueText(description);
  if (code?.value === 'ERROR' || isErrorSpan(span)) return { code: 'ERROR', message };
  if (code?.value === 'OK') return { code: 'OK', message };
  return { code: 'UNSET', message };
}
