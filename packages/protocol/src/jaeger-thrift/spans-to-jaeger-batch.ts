import { spanKindToJaeger } from '../jaeger/jaeger-span-kind.js';
import { anyValueJsonText } from '../jaeger/jaeger-tags.js';
import { type AnyValue, type Attributes, findAttribute } from '../model/any-value.js';
import { type Resource, type Span, type SpanEvent, StatusCode, serviceNameOf } from '../model/span.js';
import {
  type JaegerThriftBatch,
  type JaegerThriftLog,
  type JaegerThriftSpan,
  type JaegerThriftSpanRef,
  type JaegerThriftTag,
  JaegerThriftTagType,
} from './encode-jaeger-thrift.js';

/*
 * The domain model to jaeger.thrift, the inverse of jaeger-batch-to-spans and
 * the same tag conventions as the query API's translator (OpenTelemetry
 * collector-contrib `traces_to_jaegerproto`): scope, attributes, `span.kind`,
 * `otel.status_code`, `error`, `otel.status_description`, `w3c.tracestate`,
 * dropped counts. Used by the SDK's Jaeger agent and collector exporters.
 */

const CHILD_OF = 0;
const FOLLOWS_FROM = 1;
/** Jaeger's flag bits: 1 sampled, 2 debug. Only "sampled" has a W3C meaning. */
const SAMPLED = 1;

/**
 * One batch per distinct resource (a Batch carries a single process), in
 * order of first appearance; spans keep their order inside each batch.
 * Resources are grouped by identity, as the SDK shares one per provider.
 */
export function spansToJaegerBatches(spans: readonly Span[]): JaegerThriftBatch[] {
  const byResource = new Map<Resource, { process: JaegerThriftBatch['process']; spans: JaegerThriftSpan[] }>();
  for (const span of spans) {
    let batch = byResource.get(span.resource);
    if (batch === undefined) {
      batch = { process: resourceToJaegerProcess(span.resource), spans: [] };
      byResource.set(span.resource, batch);
    }
    batch.spans.push(spanToJaegerThriftSpan(span));
  }
  return [...byResource.values()];
}

/** A resource as a Jaeger process: the string `service.name` is the service name, everything else a tag. */
export function resourceToJaegerProcess(resource: Resource): JaegerThriftBatch['process'] {
  const tags: JaegerThriftTag[] = [];
  for (const kv of resource.attributes) {
    if (kv.key === 'service.name' && kv.value.type === 'string') continue;
    tags.push(anyValueToThriftTag(kv.key, kv.value));
  }
  pushCount(tags, 'otel.dropped_attributes_count', resource.droppedAttributesCount);
  return { serviceName: serviceNameOf(resource), tags };
}

export function spanToJaegerThriftSpan(span: Span): JaegerThriftSpan {
  const startMicros = span.startTimeUnixNano / 1000n;
  const durationNanos = span.endTimeUnixNano - span.startTimeUnixNano;
  return {
    traceIdLow: idToI64(span.traceId.slice(16, 32)),
    traceIdHigh: idToI64(span.traceId.slice(0, 16)),
    spanId: idToI64(span.spanId),
    parentSpanId: span.parentSpanId === '' ? 0n : idToI64(span.parentSpanId),
    operationName: span.name,
    references: linksToReferences(span),
    flags: span.flags & SAMPLED,
    startTime: startMicros,
    duration: durationNanos > 0n ? durationNanos / 1000n : 0n,
    tags: spanTags(span),
    logs: span.events.length === 0 ? [] : span.events.map(eventToLog),
  };
}

/** 16 hex characters as the signed i64 Thrift carries. */
function idToI64(hex: string): bigint {
  return BigInt.asIntN(64, BigInt(`0x${hex}`));
}

function linksToReferences(span: Span): JaegerThriftSpanRef[] {
  const refs: JaegerThriftSpanRef[] = [];
  for (const link of span.links) {
    // A link to the parent only restates the parent, which parentSpanId already carries.
    if (link.traceId === span.traceId && link.spanId === span.parentSpanId) continue;
    const type = findAttribute(link.attributes, 'opentracing.ref_type');
    refs.push({
      refType: type?.type === 'string' && type.value === 'child_of' ? CHILD_OF : FOLLOWS_FROM,
      traceIdLow: idToI64(link.traceId.slice(16, 32)),
      traceIdHigh: idToI64(link.traceId.slice(0, 16)),
      spanId: idToI64(link.spanId),
    });
  }
  return refs;
}

function spanTags(span: Span): JaegerThriftTag[] {
  const tags: JaegerThriftTag[] = [];
  if (span.scope.name !== '') tags.push(stringTag('otel.scope.name', span.scope.name));
  if (span.scope.version !== '') tags.push(stringTag('otel.scope.version', span.scope.version));
  appendTags(tags, span.attributes);
  const kind = spanKindToJaeger(span.kind);
  if (kind !== '') tags.push(stringTag('span.kind', kind));
  if (span.status.code === StatusCode.Ok) tags.push(stringTag('otel.status_code', 'OK'));
  if (span.status.code === StatusCode.Error) {
    tags.push(stringTag('otel.status_code', 'ERROR'));
    tags.push({ key: 'error', vType: JaegerThriftTagType.Bool, vBool: true });
  }
  if (span.status.message !== '') tags.push(stringTag('otel.status_description', span.status.message));
  if (span.traceState !== '') tags.push(stringTag('w3c.tracestate', span.traceState));
  pushCount(tags, 'otel.dropped_attributes_count', span.droppedAttributesCount);
  pushCount(tags, 'otel.dropped_events_count', span.droppedEventsCount);
  pushCount(tags, 'otel.dropped_links_count', span.droppedLinksCount);
  return tags;
}

function eventToLog(event: SpanEvent): JaegerThriftLog {
  const fields: JaegerThriftTag[] = [];
  // The collector leaves the name out when an attribute already claims the `event` key.
  if (event.name !== '' && findAttribute(event.attributes, 'event') === undefined) {
    fields.push(stringTag('event', event.name));
  }
  appendTags(fields, event.attributes);
  pushCount(fields, 'otel.dropped_attributes_count', event.droppedAttributesCount);
  return { timestamp: event.timeUnixNano / 1000n, fields };
}

function appendTags(out: JaegerThriftTag[], attributes: Attributes): void {
  for (const kv of attributes) out.push(anyValueToThriftTag(kv.key, kv.value));
}

function stringTag(key: string, vStr: string): JaegerThriftTag {
  return { key, vType: JaegerThriftTagType.String, vStr };
}

function pushCount(tags: JaegerThriftTag[], key: string, count: number): void {
  if (count > 0) tags.push({ key, vType: JaegerThriftTagType.Long, vLong: BigInt(count) });
}

/** Typed tags; arrays and maps become their JSON text, as the collector's translator writes them. */
function anyValueToThriftTag(key: string, value: AnyValue): JaegerThriftTag {
  switch (value.type) {
    case 'string':
      return stringTag(key, value.value);
    case 'bool':
      return { key, vType: JaegerThriftTagType.Bool, vBool: value.value };
    case 'int':
      return { key, vType: JaegerThriftTagType.Long, vLong: BigInt.asIntN(64, value.value) };
    case 'double':
      return { key, vType: JaegerThriftTagType.Double, vDouble: value.value };
    case 'bytes':
      return { key, vType: JaegerThriftTagType.Binary, vBinary: value.value };
    case 'array':
    case 'kvlist':
      return stringTag(key, anyValueJsonText(value));
    case 'empty':
      return stringTag(key, '');
  }
}
