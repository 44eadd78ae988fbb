import { type Env, numberFromEnv } from './env.js';

/**
 * OpenTelemetry's span limits. What goes over a count limit is dropped and
 * counted (`droppedAttributesCount` etc.); string values longer than
 * `attributeValueLengthLimit` are truncated.
 */
export interface SpanLimits {
  readonly attributeCountLimit: number;
  readonly attributeValueLengthLimit: number;
  readonly eventCountLimit: number;
  readonly linkCountLimit: number;
  readonly attributePerEventCountLimit: number;
  readonly attributePerLinkCountLimit: number;
}

/** OpenTelemetry's defaults: 128 of everything, no value length limit. */
export const DEFAULT_SPAN_LIMITS: SpanLimits = Object.freeze({
  attributeCountLimit: 128,
  attributeValueLengthLimit: Number.POSITIVE_INFINITY,
  eventCountLimit: 128,
  linkCountLimit: 128,
  attributePerEventCountLimit: 128,
  attributePerLinkCountLimit: 128,
});

/**
 * Limits given in code win over the span-specific variables
 * (OTEL_SPAN_ATTRIBUTE_COUNT_LIMIT, OTEL_SPAN_ATTRIBUTE_VALUE_LENGTH_LIMIT,
 * OTEL_SPAN_EVENT_COUNT_LIMIT, OTEL_SPAN_LINK_COUNT_LIMIT,
 * OTEL_EVENT_ATTRIBUTE_COUNT_LIMIT / OTEL_SPAN_ATTRIBUTE_PER_EVENT_COUNT_LIMIT,
 * OTEL_LINK_ATTRIBUTE_COUNT_LIMIT / OTEL_SPAN_ATTRIBUTE_PER_LINK_COUNT_LIMIT),
 * which win over the general ones (OTEL_ATTRIBUTE_COUNT_LIMIT,
 * OTEL_ATTRIBUTE_VALUE_LENGTH_LIMIT), which win over the defaults.
 * Negative or non-numeric values are ignored.
 */
export function resolveSpanLimits(limits: Partial<SpanLimits> = {}, env: Env = process.env): SpanLimits {
  const read = (...names: string[]): number | undefined => {
    for (const name of names) {
      const value = numberFromEnv(env, name);
      if (value !== undefined && value >= 0) return value;
    }
    return undefined;
  };
  const valid = (value: number | undefined) => (value !== undefined && value >= 0 ? value : undefined);
  const generalCount = read('OTEL_ATTRIBUTE_COUNT_LIMIT');
  return Object.freeze({
    attributeCountLimit:
      valid(limits.attributeCountLimit) ??
      read('OTEL_SPAN_ATTRIBUTE_COUNT_LIMIT') ??
      generalCount ??
      DEFAULT_SPAN_LIMITS.attributeCountLimit,
    attributeValueLengthLimit:
      valid(limits.attributeValueLengthLimit) ??
      read('OTEL_SPAN_ATTRIBUTE_VALUE_LENGTH_LIMIT', 'OTEL_ATTRIBUTE_VALUE_LENGTH_LIMIT') ??
      DEFAULT_SPAN_LIMITS.attributeValueLengthLimit,
    eventCountLimit:
      valid(limits.eventCountLimit) ?? read('OTEL_SPAN_EVENT_COUNT_LIMIT') ?? DEFAULT_SPAN_LIMITS.eventCountLimit,
    linkCountLimit:
      valid(limits.linkCountLimit) ?? read('OTEL_SPAN_LINK_COUNT_LIMIT') ?? DEFAULT_SPAN_LIMITS.linkCountLimit,
    attributePerEventCountLimit:
      valid(limits.attributePerEventCountLimit) ??
      read('OTEL_EVENT_ATTRIBUTE_COUNT_LIMIT', 'OTEL_SPAN_ATTRIBUTE_PER_EVENT_COUNT_LIMIT') ??
      generalCount ??
      DEFAULT_SPAN_LIMITS.attributePerEventCountLimit,
    attributePerLinkCountLimit:
      valid(limits.attributePerLinkCountLimit) ??
      read('OTEL_LINK_ATTRIBUTE_COUNT_LIMIT', 'OTEL_SPAN_ATTRIBUTE_PER_LINK_COUNT_LIMIT') ??
      generalCount ??
      DEFAULT_SPAN_LIMITS.attributePerLinkCountLimit,
  });
}
