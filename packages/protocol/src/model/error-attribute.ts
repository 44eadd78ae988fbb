import { type Span, StatusCode } from './span.js';

/** An `error` attribute that is what makes its span failed (`errorAttributeOf`). */
export interface ErrorAttribute {
  /** Its position in the span's attributes. */
  readonly index: number;
  /** The error's description: the attribute's text, or '' for `true` or an empty value. */
  readonly description: string;
}

/**
 * Zipkin (and OpenTracing before OpenTelemetry) marks a failed span with an
 * `error` tag holding the error's description, or `true` when there is none.
 * The Zipkin decoders keep that tag as it was sent and take the span's status
 * from it; a translator that would also write the status (Jaeger's
 * `error=true`, Zipkin's `otel.status_code`) writes the failure once when this
 * finds the attribute that carries it: the first `error` attribute, a string
 * other than `false`, whose description is exactly the status message of a
 * span whose status is Error. Anything else (no such attribute, another
 * status, a message of its own) is undefined, and the status is written as
 * usual.
 */
export function errorAttributeOf(span: Pick<Span, 'attributes' | 'status'>): ErrorAttribute | undefined {
  if (span.status.code !== StatusCode.Error) return undefined;
  const { attributes } = span;
  for (let index = 0; index < attributes.length; index++) {
    const attribute = attributes[index];
    if (attribute?.key !== 'error') continue;
    const value = attribute.value;
    if (value.type !== 'string') return undefined;
    const lower = value.value.toLowerCase();
    if (lower === 'false') return undefined;
    const description = lower === 'true' ? '' : value.value;
    return description === span.status.message ? { index, description } : undefined;
  }
  return undefined;
}
