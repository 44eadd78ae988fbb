import type { AnyValue, KeyValue, Span, SpanEvent, SpanLink } from '@ariadne/protocol';

/** Limits the pipeline applies to every span, whichever receiver decoded it. */
export interface SpanLimits {
  /** A request with more spans is refused whole (413 / RESOURCE_EXHAUSTED). */
  readonly maxSpansPerRequest?: number;
  /**
   * Attributes kept per span, per event and per link; the rest are dropped
   * and added to that item's `droppedAttributesCount`.
   */
  readonly maxAttributesPerSpan?: number;
  /** Longest string (UTF-16 code units) or bytes value kept; longer ones are cut, as OTel SDKs cut them. */
  readonly maxAttributeValueLength?: number;
}

/** What limiting one batch changed, for the metrics. */
export interface LimitOutcome {
  readonly spans: readonly Span[];
  /** Attributes dropped past `maxAttributesPerSpan`. */
  readonly droppedAttributes: number;
  /** String and bytes values shortened to `maxAttributeValueLength`. */
  readonly truncatedValues: number;
}

/**
 * Applies the attribute limits to a batch. Spans within the limits are passed
 * through untouched (same objects), so the common case costs one scan.
 */
export function limitSpans(spans: readonly Span[], limits: SpanLimits): LimitOutcome {
  const maxCount = limits.maxAttributesPerSpan ?? Number.POSITIVE_INFINITY;
  const maxLength = limits.maxAttributeValueLength ?? Number.POSITIVE_INFINITY;
  if (maxCount === Number.POSITIVE_INFINITY && maxLength === Number.POSITIVE_INFINITY) {
    return { spans, droppedAttributes: 0, truncatedValues: 0 };
  }
  const counts = { dropped: 0, truncated: 0 };
  const limit = (attributes: readonly KeyValue[]) => limitAttributes(attributes, maxCount, maxLength, counts);
  let out: Span[] | undefined;
  for (let i = 0; i < spans.length; i++) {
    const span = spans[i] as Span;
    const attributes = limit(span.attributes);
    const events = mapChanged(span.events, (event): SpanEvent => {
      const limited = limit(event.attributes);
      return limited === event.attributes ? event : withAttributes(event, limited);
    });
    const links = mapChanged(span.links, (link): SpanLink => {
      const limited = limit(link.attributes);
      return limited === link.attributes ? link : withAttributes(link, limited);
    });
    if (attributes === span.attributes && events === span.events && links === span.links) {
      out?.push(span);
      continue;
    }
    out ??= spans.slice(0, i);
    out.push({ ...withAttributes(span, attributes), events, links });
  }
  return { spans: out ?? spans, droppedAttributes: counts.dropped, truncatedValues: counts.truncated };
}

function withAttributes<T extends { attributes: readonly KeyValue[]; droppedAttributesCount: number }>(
  item: T,
  attributes: readonly KeyValue[],
): T {
  return {
    ...item,
    attributes,
    droppedAttributesCount: item.droppedAttributesCount + (item.attributes.length - attributes.length),
  };
}

/** The same array when no element changed, else a new one. */
function mapChanged<T>(items: readonly T[], map: (item: T) => T): readonly T[] {
  let out: T[] | undefined;
  for (let i = 0; i < items.length; i++) {
    const item = items[i] as T;
    const mapped = map(item);
    if (out === undefined && mapped !== item) out = items.slice(0, i);
    out?.push(mapped);
  }
  return out ?? items;
}

function limitAttributes(
  attributes: readonly KeyValue[],
  maxCount: number,
  maxLength: number,
  counts: { dropped: number; truncated: number },
): readonly KeyValue[] {
  let out: KeyValue[] | undefined;
  const kept = Math.min(attributes.length, maxCount);
  if (kept < attributes.length) {
    counts.dropped += attributes.length - kept;
    out = attributes.slice(0, kept);
  }
  if (maxLength !== Number.POSITIVE_INFINITY) {
    for (let i = 0; i < kept; i++) {
      const attribute = attributes[i] as KeyValue;
      const value = truncateValue(attribute.value, maxLength, counts);
      if (value === attribute.value) continue;
      out ??= attributes.slice(0, kept);
      out[i] = { key: attribute.key, value };
    }
  }
  return out ?? attributes;
}

/** Strings and bytes are cut, also inside arrays and key-value lists (OTel SDKs cut array elements too). */
function truncateValue(value: AnyValue, maxLength: number, counts: { truncated: number }): AnyValue {
  switch (value.type) {
    case 'string':
      if (value.value.length <= maxLength) return value;
      counts.truncated++;
      return { type: 'string', value: value.value.slice(0, maxLength) };
    case 'bytes':
      if (value.value.length <= maxLength) return value;
      counts.truncated++;
      return { type: 'bytes', value: value.value.slice(0, maxLength) };
    case 'array': {
      const items = mapChanged(value.value, (item) => truncateValue(item, maxLength, counts));
      return items === value.value ? value : { type: 'array', value: items };
    }
    case 'kvlist': {
      const items = mapChanged(value.value, (kv) => {
        const inner = truncateValue(kv.value, maxLength, counts);
        return inner === kv.value ? kv : { key: kv.key, value: inner };
      });
      return items === value.value ? value : { type: 'kvlist', value: items };
    }
    default:
      return value;
  }
}
