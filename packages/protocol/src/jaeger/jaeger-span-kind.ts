import { SpanKind } from '../model/span.js';

/**
 * Span kinds as Jaeger writes them: in the `span.kind` tag (OpenTracing's
 * values) and in `/api/operations` results. Unspecified is the empty string,
 * which is what Jaeger stores for a span without a kind.
 */
const JAEGER_SPAN_KIND: Record<SpanKind, string> = {
  [SpanKind.Unspecified]: '',
  [SpanKind.Internal]: 'internal',
  [SpanKind.Server]: 'server',
  [SpanKind.Client]: 'client',
  [SpanKind.Producer]: 'producer',
  [SpanKind.Consumer]: 'consumer',
};

export function spanKindToJaeger(kind: SpanKind): string {
  return JAEGER_SPAN_KIND[kind] ?? '';
}

/**
 * Reads a Jaeger span kind (`server`, `client`, ..., case-insensitive).
 * `unspecified` reads as `SpanKind.Unspecified`, as in Jaeger's query parser;
 * anything else unknown (including the empty string) is `undefined`.
 */
export function spanKindFromJaeger(text: string): SpanKind | undefined {
  const lower = text.toLowerCase();
  if (lower === 'unspecified') return SpanKind.Unspecified;
  if (lower === '') return undefined;
  for (const [kind, name] of Object.entries(JAEGER_SPAN_KIND)) if (name === lower) return Number(kind) as SpanKind;
  return undefined;
}
