import type { AnyValue, Attributes } from '../model/any-value.js';
import type { InstrumentationScope, Resource, Span, SpanEvent, SpanLink } from '../model/span.js';
import { groupSpansByResourceAndScope } from './group-spans.js';

/**
 * Encodes domain spans as an OTLP/JSON `ExportTraceServiceRequest` in the
 * canonical form: lowerCamelCase keys, lowercase hex ids, 64-bit integers as
 * decimal strings, enums as numbers, bytes as base64. Fields at their default
 * value are left out, except the ids, name, kind and times of a span.
 * Spans sharing a `Resource`/`InstrumentationScope` object are grouped.
 */
export function encodeOtlpTraceRequestJson(spans: readonly Span[]): string {
  let out = '{"resourceSpans":[';
  let firstResource = true;
  for (const group of groupSpansByResourceAndScope(spans)) {
    out += firstResource ? '{"resource":' : ',{"resource":';
    firstResource = false;
    out += resourceJson(group.resource);
    out += ',"scopeSpans":[';
    let firstScope = true;
    for (const scopeGroup of group.scopes) {
      out += firstScope ? '{"scope":' : ',{"scope":';
      firstScope = false;
      out += scopeJson(scopeGroup.scope);
      out += ',"spans":[';
      let firstSpan = true;
      for (const span of scopeGroup.spans) {
        if (!firstSpan) out += ',';
        firstSpan = false;
        out += spanJson(span);
      }
      out += ']}';
    }
    out += ']}';
  }
  return `${out}]}`;
}

function resourceJson(resource: Resource): string {
  let out = `{"attributes":${attributesJson(resource.attributes)}`;
  if (resource.droppedAttributesCount !== 0) out += `,"droppedAttributesCount":${resource.droppedAttributesCount}`;
  return `${out}}`;
}

function scopeJson(scope: InstrumentationScope): string {
  let out = `{"name":${JSON.stringify(scope.name)}`;
  if (scope.version !== '') out += `,"version":${JSON.stringify(scope.version)}`;
  if (scope.attributes.length > 0) out += `,"attributes":${attributesJson(scope.attributes)}`;
  if (scope.droppedAttributesCount !== 0) out += `,"droppedAttributesCount":${scope.droppedAttributesCount}`;
  return `${out}}`;
}

function spanJson(span: Span): string {
  // Ids, kind and numbers need no escaping: the domain model guarantees hex ids and integers.
  let out = `{"traceId":"${span.traceId}","spanId":"${span.spanId}"`;
  if (span.parentSpanId !== '') out += `,"parentSpanId":"${span.parentSpanId}"`;
  if (span.traceState !== '') out += `,"traceState":${JSON.stringify(span.traceState)}`;
  if (span.flags !== 0) out += `,"flags":${span.flags}`;
  out += `,"name":${JSON.stringify(span.name)},"kind":${span.kind}`;
  out += `,"startTimeUnixNano":"${span.startTimeUnixNano}","endTimeUnixNano":"${span.endTimeUnixNano}"`;
  if (span.attributes.length > 0) out += `,"attributes":${attributesJson(span.attributes)}`;
  if (span.droppedAttributesCount !== 0) out += `,"droppedAttributesCount":${span.droppedAttributesCount}`;
  if (span.events.length > 0) out += `,"events":[${span.events.map(eventJson).join(',')}]`;
  if (span.droppedEventsCount !== 0) out += `,"droppedEventsCount":${span.droppedEventsCount}`;
  if (span.links.length > 0) out += `,"links":[${span.links.map(linkJson).join(',')}]`;
  if (span.droppedLinksCount !== 0) out += `,"droppedLinksCount":${span.droppedLinksCount}`;
  if (span.status.code !== 0 || span.status.message !== '') {
    out += ',"status":{';
    if (span.status.message !== '') out += `"message":${JSON.stringify(span.status.message)}`;
    if (span.status.code !== 0) out += `${span.status.message !== '' ? ',' : ''}"code":${span.status.code}`;
    out += '}';
  }
  return `${out}}`;
}

function eventJson(event: SpanEvent): string {
  let out = `{"timeUnixNano":"${event.timeUnixNano}","name":${JSON.stringify(event.name)}`;
  if (event.attributes.length > 0) out += `,"attributes":${attributesJson(event.attributes)}`;
  if (event.droppedAttributesCount !== 0) out += `,"droppedAttributesCount":${event.droppedAttributesCount}`;
  return `${out}}`;
}

function linkJson(link: SpanLink): string {
  let out = `{"traceId":"${link.traceId}","spanId":"${link.spanId}"`;
  if (link.traceState !== '') out += `,"traceState":${JSON.stringify(link.traceState)}`;
  if (link.attributes.length > 0) out += `,"attributes":${attributesJson(link.attributes)}`;
  if (link.droppedAttributesCount !== 0) out += `,"droppedAttributesCount":${link.droppedAttributesCount}`;
  if (link.flags !== 0) out += `,"flags":${link.flags}`;
  return `${out}}`;
}

function attributesJson(attributes: Attributes): string {
  let out = '[';
  for (let i = 0; i < attributes.length; i++) {
    const attribute = attributes[i]!;
    if (i > 0) out += ',';
    out += `{"key":${JSON.stringify(attribute.key)},"value":${anyValueJson(attribute.value)}}`;
  }
  return `${out}]`;
}

function anyValueJson(value: AnyValue): string {
  switch (value.type) {
    case 'string':
      return `{"stringValue":${JSON.stringify(value.value)}}`;
    case 'bool':
      return `{"boolValue":${value.value}}`;
    case 'int':
      return `{"intValue":"${value.value}"}`;
    case 'double':
      return `{"doubleValue":${doubleJson(value.value)}}`;
    case 'bytes':
      return `{"bytesValue":"${Buffer.from(value.value.buffer, value.value.byteOffset, value.value.byteLength).toString('base64')}"}`;
    case 'array':
      return `{"arrayValue":{"values":[${value.value.map(anyValueJson).join(',')}]}}`;
    case 'kvlist':
      return `{"kvlistValue":{"values":${attributesJson(value.value)}}}`;
    case 'empty':
      return '{}';
  }
}

/** JSON has no NaN or infinities; the proto3 JSON mapping spells them as strings. */
function doubleJson(value: number): string {
  if (Number.isFinite(value)) return Object.is(value, -0) ? '-0' : String(value);
  return Number.isNaN(value) ? '"NaN"' : value > 0 ? '"Infinity"' : '"-Infinity"';
}
