import type { AnyValue, Attributes } from '../model/any-value.js';
import type { InstrumentationScope, Resource, Span, SpanEvent, SpanLink } from '../model/span.js';
import { ProtoWriter } from '../protobuf/proto-writer.js';
import { groupSpansByResourceAndScope } from './group-spans.js';

const VARINT = 0;
const FIXED64 = 1;
const LEN = 2;
const FIXED32 = 5;

/**
 * Encodes domain spans as an OTLP `ExportTraceServiceRequest`. Spans sharing a
 * `Resource`/`InstrumentationScope` object share one ResourceSpans/ScopeSpans.
 * Fields at their default value are left out, as protobuf does.
 */
export function encodeOtlpTraceRequestProto(spans: readonly Span[]): Uint8Array {
  // About 300 bytes per span with a handful of attributes; the writer grows if needed.
  const writer = new ProtoWriter(Math.max(256, spans.length * 320));
  for (const group of groupSpansByResourceAndScope(spans)) {
    writer.tag(1, LEN);
    const resourceSpans = writer.fork(3);
    writeResource(writer, group.resource);
    for (const scopeGroup of group.scopes) {
      writer.tag(2, LEN);
      const scopeSpans = writer.fork(3);
      writeScope(writer, scopeGroup.scope);
      for (const span of scopeGroup.spans) writeSpan(writer, span);
      writer.join(scopeSpans);
    }
    writer.join(resourceSpans);
  }
  return writer.finish();
}

function writeResource(writer: ProtoWriter, resource: Resource): void {
  writer.tag(1, LEN);
  const mark = writer.fork(2);
  writeAttributes(writer, 1, resource.attributes);
  if (resource.droppedAttributesCount !== 0) {
    writer.tag(2, VARINT);
    writer.uint32(resource.droppedAttributesCount);
  }
  writer.join(mark);
}

function writeScope(writer: ProtoWriter, scope: InstrumentationScope): void {
  writer.tag(1, LEN);
  const mark = writer.fork(1);
  if (scope.name !== '') {
    writer.tag(1, LEN);
    writer.string(scope.name);
  }
  if (scope.version !== '') {
    writer.tag(2, LEN);
    writer.string(scope.version);
  }
  writeAttributes(writer, 3, scope.attributes);
  if (scope.droppedAttributesCount !== 0) {
    writer.tag(4, VARINT);
    writer.uint32(scope.droppedAttributesCount);
  }
  writer.join(mark);
}

function writeSpan(writer: ProtoWriter, span: Span): void {
  writer.tag(2, LEN);
  const mark = writer.fork(2);
  writer.tag(1, LEN);
  writer.hexBytes(span.traceId);
  writer.tag(2, LEN);
  writer.hexBytes(span.spanId);
  if (span.traceState !== '') {
    writer.tag(3, LEN);
    writer.string(span.traceState);
  }
  if (span.parentSpanId !== '') {
    writer.tag(4, LEN);
    writer.hexBytes(span.parentSpanId);
  }
  if (span.name !== '') {
    writer.tag(5, LEN);
    writer.string(span.name);
  }
  if (span.kind !== 0) {
    writer.tag(6, VARINT);
    writer.int32(span.kind);
  }
  writer.tag(7, FIXED64);
  writer.fixed64(span.startTimeUnixNano);
  writer.tag(8, FIXED64);
  writer.fixed64(span.endTimeUnixNano);
  writeAttributes(writer, 9, span.attributes);
  if (span.droppedAttributesCount !== 0) {
    writer.tag(10, VARINT);
    writer.uint32(span.droppedAttributesCount);
  }
  for (const event of span.events) writeEvent(writer, event);
  if (span.droppedEventsCount !== 0) {
    writer.tag(12, VARINT);
    writer.uint32(span.droppedEventsCount);
  }
  for (const link of span.links) writeLink(writer, link);
  if (span.droppedLinksCount !== 0) {
    writer.tag(14, VARINT);
    writer.uint32(span.droppedLinksCount);
  }
  if (span.status.code !== 0 || span.status.message !== '') {
    writer.tag(15, LEN);
    const status = writer.fork(1);
    if (span.status.message !== '') {
      writer.tag(2, LEN);
      writer.string(span.status.message);
    }
    if (span.status.code !== 0) {
      writer.tag(3, VARINT);
      writer.int32(span.status.code);
    }
    writer.join(status);
  }
  if (span.flags !== 0) {
    writer.tag(16, FIXED32);
    writer.fixed32(span.flags);
  }
  writer.join(mark);
}

function writeEvent(writer: ProtoWriter, event: SpanEvent): void {
  writer.tag(11, LEN);
  const mark = writer.fork(1);
  writer.tag(1, FIXED64);
  writer.fixed64(event.timeUnixNano);
  if (event.name !== '') {
    writer.tag(2, LEN);
    writer.string(event.name);
  }
  writeAttributes(writer, 3, event.attributes);
  if (event.droppedAttributesCount !== 0) {
    writer.tag(4, VARINT);
    writer.uint32(event.droppedAttributesCount);
  }
  writer.join(mark);
}

function writeLink(writer: ProtoWriter, link: SpanLink): void {
  writer.tag(13, LEN);
  const mark = writer.fork(1);
  writer.tag(1, LEN);
  writer.hexBytes(link.traceId);
  writer.tag(2, LEN);
  writer.hexBytes(link.spanId);
  if (link.traceState !== '') {
    writer.tag(3, LEN);
    writer.string(link.traceState);
  }
  writeAttributes(writer, 4, link.attributes);
  if (link.droppedAttributesCount !== 0) {
    writer.tag(5, VARINT);
    writer.uint32(link.droppedAttributesCount);
  }
  if (link.flags !== 0) {
    writer.tag(6, FIXED32);
    writer.fixed32(link.flags);
  }
  writer.join(mark);
}

function writeAttributes(writer: ProtoWriter, fieldNumber: number, attributes: Attributes): void {
  for (const attribute of attributes) {
    writer.tag(fieldNumber, LEN);
    const mark = writer.fork(1);
    if (attribute.key !== '') {
      writer.tag(1, LEN);
      writer.string(attribute.key);
    }
    writer.tag(2, LEN);
    writeAnyValue(writer, attribute.value);
    writer.join(mark);
  }
}

/** Writes the body of an AnyValue (after its tag). An empty value is an empty message. */
function writeAnyValue(writer: ProtoWriter, value: AnyValue): void {
  const mark = writer.fork(1);
  switch (value.type) {
    case 'string':
      writer.tag(1, LEN);
      writer.string(value.value);
      break;
    case 'bool':
      writer.tag(2, VARINT);
      writer.bool(value.value);
      break;
    case 'int':
      writer.tag(3, VARINT);
      writer.int64(value.value);
      break;
    case 'double':
      writer.tag(4, FIXED64);
      writer.double(value.value);
      break;
    case 'array': {
      writer.tag(5, LEN);
      const array = writer.fork(1);
      for (const item of value.value) {
        writer.tag(1, LEN);
        writeAnyValue(writer, item);
      }
      writer.join(array);
      break;
    }
    case 'kvlist': {
      writer.tag(6, LEN);
      const list = writer.fork(1);
      writeAttributes(writer, 1, value.value);
      writer.join(list);
      break;
    }
    case 'bytes':
      writer.tag(7, LEN);
      writer.bytesField(value.value);
      break;
    case 'empty':
      break;
  }
  writer.join(mark);
}
