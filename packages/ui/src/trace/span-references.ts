import type { JaegerReference, JaegerSpan } from '@ariadne/protocol';

/**
 * Jaeger prints a trace id in 16 characters when its high 64 bits are zero and
 * in 32 otherwise; comparing ids needs one form.
 */
export function sameTraceId(a: string, b: string): boolean {
  return a.padStart(32, '0') === b.padStart(32, '0');
}

/**
 * The id of a span's parent: `parentSpanID` when the server sent it, else the
 * first `CHILD_OF` reference into the same trace (Jaeger's own rule). A
 * `FOLLOWS_FROM` reference is a link, not a parent. `undefined` for a root.
 */
export function parentSpanIdOf(span: JaegerSpan): string | undefined {
  if (span.parentSpanID !== undefined && span.parentSpanID !== '') return span.parentSpanID;
  return parentReference(span)?.spanID;
}

/** Every reference except the one that names the parent: OpenTelemetry's links. */
export function linksOf(span: JaegerSpan): JaegerReference[] {
  const parentId = parentSpanIdOf(span);
  let parentSkipped = false;
  const links: JaegerReference[] = [];
  for (const reference of span.references) {
    if (
      !parentSkipped &&
      reference.refType === 'CHILD_OF' &&
      reference.spanID === parentId &&
      sameTraceId(reference.traceID, span.traceID)
    ) {
      parentSkipped = true;
      continue;
    }
    links.push(reference);
  }
  return links;
}

function parentReference(span: JaegerSpan): JaegerReference | undefined {
  for (const reference of span.references) {
    if (reference.refType === 'CHILD_OF' && sameTraceId(reference.traceID, span.traceID)) return reference;
  }
  return undefined;
}
