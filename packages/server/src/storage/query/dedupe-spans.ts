import type { Span } from '@ariadne/protocol';

/**
 * Spans of one trace with equal span id and equal content, kept once, in
 * first-seen order (Jaeger's query does the same with a span hash: a client
 * that retried a batch ten times must not show ten copies). Spans that share
 * an id but differ (Zipkin's client and server halves of one RPC, a span
 * re-sent with new attributes) are all kept.
 *
 * Costs one Set lookup per span when no id repeats, which is the norm; the
 * content of a span is compared only when its id was seen before.
 */
export function dedupeSpans(spans: readonly Span[]): Span[] {
  const seenIds = new Set<string>();
  let repeated: Map<string, Set<string>> | undefined;
  let kept: Span[] | undefined;
  for (let i = 0; i < spans.length; i++) {
    const span = spans[i]!;
    const id = `${span.traceId}/${span.spanId}`;
    if (!seenIds.has(id)) {
      seenIds.add(id);
      kept?.push(span);
      continue;
    }
    // The first repeat of this id: the contents seen so far under it are those of the earlier spans.
    repeated ??= new Map();
    let contents = repeated.get(id);
    if (contents === undefined) {
      contents = new Set();
      for (let j = 0; j < i; j++) {
        const earlier = spans[j]!;
        if (earlier.spanId === span.spanId && earlier.traceId === span.traceId) contents.add(spanContentKey(earlier));
      }
      repeated.set(id, contents);
    }
    const key = spanContentKey(span);
    if (contents.has(key)) {
      kept ??= spans.slice(0, i);
      continue;
    }
    contents.add(key);
    kept?.push(span);
  }
  return kept ?? [...spans];
}

/** Every field of the span, as text: equal keys mean equal spans. */
export function spanContentKey(span: Span): string {
  return JSON.stringify(span, (_key, value: unknown) => (typeof value === 'bigint' ? `${value}n` : value));
}
