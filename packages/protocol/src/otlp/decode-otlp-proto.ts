import { AriadneError } from '../errors.js';
import type { AnyValue, KeyValue } from '../model/any-value.js';
import {
  type InstrumentationScope,
  type Resource,
  type SpanEvent,
  type SpanKind,
  type SpanLink,
  type SpanStatus,
  StatusCode,
} from '../model/span.js';
import { ProtoReader } from '../protobuf/proto-reader.js';
import type { DecodedSpans } from './decoded-spans.js';
import { spanIdHex, traceIdHex } from './id-strings.js';
import { MAX_ANY_VALUE_DEPTH } from './otlp-limits.js';

// Tags are `fieldNumber << 3 | wireType`; wire types: 0 varint, 1 fixed64, 2 length-delimited, 5 fixed32.
const LEN = 2;
const EMPTY_VALUE: AnyValue = Object.freeze({ type: 'empty' });
const UNSET_STATUS: SpanStatus = Object.freeze({ code: StatusCode.Unset, message: '' });

/**
 * Decodes an OTLP `ExportTraceServiceRequest` (or `TracesData`, the same wire
 * shape) into domain spans. Spans with invalid ids are rejected one by one;
 * malformed bytes throw `AriadneError('InvalidPayload')`. Spans of one
 * ResourceSpans share one `Resource` object, of one ScopeSpans one scope.
 */
export function decodeOtlpTraceRequestProto(bytes: Uint8Array): DecodedSpans {
  const reader = new ProtoReader(bytes);
  const out: DecodedSpans = { spans: [], rejectedSpans: 0, errorMessage: '' };
  while (reader.pos < reader.end) {
    const tag = reader.readTag();
    if (tag === ((1 << 3) | LEN)) {
      const end = reader.readLength();
      readResourceSpans(reader, end, out);
      reader.expectEnd(end);
    } else reader.skip(tag);
  }
  return out;
}

function readResourceSpans(reader: ProtoReader, end: number, out: DecodedSpans): void {
  // The resource may follow its scope spans on the wire, and spans must point at it: find it first.
  let resource: Resource | undefined;
  const scopeSpans: number[] = [];
  while (reader.pos < end) {
    const tag = reader.readTag();
    if (tag === ((1 << 3) | LEN)) {
      const fieldEnd = reader.readLength();
      resource = readResource(reader, fieldEnd);
      reader.expectEnd(fieldEnd);
    } else if (tag === ((2 << 3) | LEN)) {
      const fieldEnd = reader.readLength();
      scopeSpans.push(reader.pos, fieldEnd);
      reader.pos = fieldEnd;
    } else reader.skip(tag);
  }
  resource ??= { attributes: [], droppedAttributesCount: 0 };
  for (let i = 0; i < scopeSpans.length; i += 2) {
    reader.pos = scopeSpans[i] as number;
    const fieldEnd = scopeSpans[i + 1] as number;
    readScopeSpans(reader, fieldEnd, resource, out);
    reader.expectEnd(fieldEnd);
  }
  reader.pos = end;
}

function readResource(reader: ProtoReader, end: number): Resource {
  const attributes: KeyValue[] = [];
  let droppedAttributesCount = 0;
  while (reader.pos < end) {
    const tag = reader.readTag();
    if (tag === ((1 << 3) | LEN)) attributes.push(readKeyValue(reader, 0));
    else if (tag === 2 << 3) droppedAttributesCount = reader.readVarint32();
    else reader.skip(tag);
  }
  return { attributes, droppedAttributesCount };
}

function readScopeSpans(reader: ProtoReader, end: number, resource: Resource, out: DecodedSpans): void {
  let scope: InstrumentationScope | undefined;
  const spans: number[] = [];
  while (reader.pos < end) {
    const tag = reader.readTag();
    if (tag === ((1 << 3) | LEN)) {
      const fieldEnd = reader.readLength();
      scope = readScope(reader, fieldEnd);
      reader.expectEnd(fieldEnd);
    } else if (tag === ((2 << 3) | LEN)) {
      const fieldEnd = reader.readLength();
      spans.push(reader.pos, fieldEnd);
      reader.pos = fieldEnd;
    } else reader.skip(tag);
  }
  scope ??= { name: '', version: '', attributes: [], droppedAttributesCount: 0 };
  for (let i = 0; i < spans.length; i += 2) {
    reader.pos = spans[i] as number;
    const fieldEnd = spans[i + 1] as number;
    readSpan(reader, fieldEnd, resource, scope, out);
    reader.expectEnd(fieldEnd);
  }
  reader.pos = end;
}

function readScope(reader: ProtoReader, end: number): InstrumentationScope {
  let name = '';
  let version = '';
  const attributes: KeyValue[] = [];
  let droppedAttributesCount = 0;
  while (reader.pos < end) {
    const tag = reader.readTag();
    switch (tag) {
      case (1 << 3) | LEN:
        name = reader.readString();
        break;
      case (2 << 3) | LEN:
        version = reader.readString();
        break;
      case (3 << 3) | LEN:
        attributes.push(readKeyValue(reader, 0));
        break;
      case 4 << 3:
        droppedAttributesCount = reader.readVarint32();
        break;
      default:
        reader.skip(tag);
    }
  }
  return { name, version, attributes, droppedAttributesCount };
}

/** Why an id is unusable, or '' when it is fine. `optional` ids may be empty. */
function idProblem(bytes: Uint8Array, start: number, end: number, size: number, what: string, optional: boolean) {
  const length = end - start;
  if (length === 0 && optional) return '';
  if (length !== size) return `${what} is ${length} bytes, not ${size}`;
  for (let i = start; i < end; i++) if (bytes[i] !== 0) return '';
  return `${what} is all zeros`;
}

function readSpan(
  reader: ProtoReader,
  end: number,
  resource: Resource,
  scope: InstrumentationScope,
  out: DecodedSpans,
): void {
  const bytes = reader.bytes;
  // Ids are kept as offsets until the span is known to be valid, so rejected spans cost no strings.
  let traceIdStart = 0;
  let traceIdEnd = 0;
  let spanIdStart = 0;
  let spanIdEnd = 0;
  let parentStart = 0;
  let parentEnd = 0;
  let traceState = '';
  let flags = 0;
  let name = '';
  let kind = 0;
  let startTimeUnixNano = 0n;
  let endTimeUnixNano = 0n;
  const attributes: KeyValue[] = [];
  let droppedAttributesCount = 0;
  const events: SpanEvent[] = [];
  let droppedEventsCount = 0;
  const links: SpanLink[] = [];
  let droppedLinksCount = 0;
  let status = UNSET_STATUS;
  while (reader.pos < end) {
    const tag = reader.readTag();
    switch (tag) {
      case (1 << 3) | LEN:
        traceIdEnd = reader.readLength();
        traceIdStart = reader.pos;
        reader.pos = traceIdEnd;
        break;
      case (2 << 3) | LEN:
        spanIdEnd = reader.readLength();
        spanIdStart = reader.pos;
        reader.pos = spanIdEnd;
        break;
      case (3 << 3) | LEN:
        traceState = reader.readString();
        break;
      case (4 << 3) | LEN:
        parentEnd = reader.readLength();
        parentStart = reader.pos;
        reader.pos = parentEnd;
        break;
      case (5 << 3) | LEN:
        name = reader.readString();
        break;
      case 6 << 3:
        kind = reader.readInt32();
        break;
      case (7 << 3) | 1:
        startTimeUnixNano = reader.readFixed64();
        break;
      case (8 << 3) | 1:
        endTimeUnixNano = reader.readFixed64();
        break;
      case (9 << 3) | LEN:
        attributes.push(readKeyValue(reader, 0));
        break;
      case 10 << 3:
        droppedAttributesCount = reader.readVarint32();
        break;
      case (11 << 3) | LEN:
        events.push(readEvent(reader));
        break;
      case 12 << 3:
        droppedEventsCount = reader.readVarint32();
        break;
      case (13 << 3) | LEN: {
        const link = readLink(reader);
        if (link === undefined) droppedLinksCount++;
        else links.push(link);
        break;
      }
      case 14 << 3:
        droppedLinksCount += reader.readVarint32();
        break;
      case (15 << 3) | LEN:
        status = readStatus(reader);
        break;
      case (16 << 3) | 5:
        flags = reader.readFixed32();
        break;
      default:
        reader.skip(tag);
    }
  }
  const problem =
    idProblem(bytes, traceIdStart, traceIdEnd, 16, 'trace id', false) ||
    idProblem(bytes, spanIdStart, spanIdEnd, 8, 'span id', false) ||
    idProblem(bytes, parentStart, parentEnd, 8, 'parent span id', true);
  // An all-zero parent id is how some clients spell "no parent".
  if (problem !== '' && problem !== 'parent span id is all zeros') {
    if (out.rejectedSpans++ === 0) out.errorMessage = `span rejected: ${problem}`;
    return;
  }
  const parentSpanId = parentEnd === parentStart || problem !== '' ? '' : spanIdHex(bytes, parentStart);
  out.spans.push({
    traceId: traceIdHex(bytes, traceIdStart),
    spanId: spanIdHex(bytes, spanIdStart),
    parentSpanId,
    traceState,
    flags,
    name,
    kind: toSpanKind(kind),
    startTimeUnixNano,
    endTimeUnixNano,
    attributes,
    droppedAttributesCount,
    events,
    droppedEventsCount,
    links,
    droppedLinksCount,
    status,
    resource,
    scope,
  });
}

/** Kinds this model does not know (a newer OTLP) read as Unspecified rather than an out-of-range enum. */
function toSpanKind(kind: number): SpanKind {
  return (kind >= 0 && kind <= 5 ? kind : 0) as SpanKind;
}

function readEvent(reader: ProtoReader): SpanEvent {
  const end = reader.readLength();
  let timeUnixNano = 0n;
  let name = '';
  const attributes: KeyValue[] = [];
  let droppedAttributesCount = 0;
  while (reader.pos < end) {
    const tag = reader.readTag();
    switch (tag) {
      case (1 << 3) | 1:
        timeUnixNano = reader.readFixed64();
        break;
      case (2 << 3) | LEN:
        name = reader.readString();
        break;
      case (3 << 3) | LEN:
        attributes.push(readKeyValue(reader, 0));
        break;
      case 4 << 3:
        droppedAttributesCount = reader.readVarint32();
        break;
      default:
        reader.skip(tag);
    }
  }
  reader.expectEnd(end);
  return { timeUnixNano, name, attributes, droppedAttributesCount };
}

/** A link whose ids are unusable is dropped (and counted in the span's droppedLinksCount) rather than failing its span. */
function readLink(reader: ProtoReader): SpanLink | undefined {
  const end = reader.readLength();
  const bytes = reader.bytes;
  let traceIdStart = 0;
  let traceIdEnd = 0;
  let spanIdStart = 0;
  let spanIdEnd = 0;
  let traceState = '';
  const attributes: KeyValue[] = [];
  let droppedAttributesCount = 0;
  let flags = 0;
  while (reader.pos < end) {
    const tag = reader.readTag();
    switch (tag) {
      case (1 << 3) | LEN:
        traceIdEnd = reader.readLength();
        traceIdStart = reader.pos;
        reader.pos = traceIdEnd;
        break;
      case (2 << 3) | LEN:
        spanIdEnd = reader.readLength();
        spanIdStart = reader.pos;
        reader.pos = spanIdEnd;
        break;
      case (3 << 3) | LEN:
        traceState = reader.readString();
        break;
      case (4 << 3) | LEN:
        attributes.push(readKeyValue(reader, 0));
        break;
      case 5 << 3:
        droppedAttributesCount = reader.readVarint32();
        break;
      case (6 << 3) | 5:
        flags = reader.readFixed32();
        break;
      default:
        reader.skip(tag);
    }
  }
  reader.expectEnd(end);
  if (
    idProblem(bytes, traceIdStart, traceIdEnd, 16, 'trace id', false) !== '' ||
    idProblem(bytes, spanIdStart, spanIdEnd, 8, 'span id', false) !== ''
  ) {
    return undefined;
  }
  return {
    traceId: traceIdHex(bytes, traceIdStart),
    spanId: spanIdHex(bytes, spanIdStart),
    traceState,
    attributes,
    droppedAttributesCount,
    flags,
  };
}

function readStatus(reader: ProtoReader): SpanStatus {
  const end = reader.readLength();
  let code = 0;
  let message = '';
  while (reader.pos < end) {
    const tag = reader.readTag();
    // Field 1 (deprecated_code) is skipped with the unknown fields.
    if (tag === ((2 << 3) | LEN)) message = reader.readString();
    else if (tag === 3 << 3) code = reader.readInt32();
    else reader.skip(tag);
  }
  reader.expectEnd(end);
  if (code === 0 && message === '') return UNSET_STATUS;
  return { code: (code >= 0 && code <= 2 ? code : 0) as StatusCode, message };
}

/** Reads one length-delimited KeyValue; `depth` counts the AnyValues around it. */
function readKeyValue(reader: ProtoReader, depth: number): KeyValue {
  const end = reader.readLength();
  // Most attributes are a short key and a short string value, laid out as
  // `0a klen key 12 vlen 0a slen value` with one-byte lengths: read that shape
  // straight from the bytes, and anything else field by field below.
  const bytes = reader.bytes;
  const start = reader.pos;
  if (end - start >= 6 && bytes[start] === 0x0a) {
    const keyLength = bytes[start + 1] as number;
    const valueTagAt = start + 2 + keyLength;
    if (keyLength < 0x80 && valueTagAt + 4 <= end && bytes[valueTagAt] === 0x12 && bytes[valueTagAt + 2] === 0x0a) {
      const valueLength = bytes[valueTagAt + 1] as number;
      const stringLength = bytes[valueTagAt + 3] as number;
      if (stringLength < 0x80 && valueLength === stringLength + 2 && valueTagAt + 4 + stringLength === end) {
        reader.pos = end;
        return {
          key: reader.stringAt(start + 2, valueTagAt),
          value: { type: 'string', value: reader.uncommonStringAt(valueTagAt + 4, end) },
        };
      }
    }
  }
  let key = '';
  let value = EMPTY_VALUE;
  while (reader.pos < end) {
    const tag = reader.readTag();
    if (tag === ((1 << 3) | LEN)) key = reader.readString();
    else if (tag === ((2 << 3) | LEN)) value = readAnyValue(reader, depth + 1);
    else reader.skip(tag);
  }
  reader.expectEnd(end);
  return { key, value };
}

function readAnyValue(reader: ProtoReader, depth: number): AnyValue {
  if (depth > MAX_ANY_VALUE_DEPTH) {
    throw new AriadneError(
      'InvalidPayload',
      `protobuf: attribute values nested deeper than ${MAX_ANY_VALUE_DEPTH} levels at byte ${reader.pos}`,
    );
  }
  const end = reader.readLength();
  let value = EMPTY_VALUE;
  while (reader.pos < end) {
    const tag = reader.readTag();
    switch (tag) {
      case (1 << 3) | LEN:
        value = { type: 'string', value: reader.readUncommonString() };
        break;
      case 2 << 3:
        value = { type: 'bool', value: reader.readBool() };
        break;
      case 3 << 3:
        value = { type: 'int', value: reader.readInt64() };
        break;
      case (4 << 3) | 1:
        value = { type: 'double', value: reader.readDouble() };
        break;
      case (5 << 3) | LEN:
        value = { type: 'array', value: readArrayValue(reader, depth) };
        break;
      case (6 << 3) | LEN:
        value = { type: 'kvlist', value: readKeyValueList(reader, depth) };
        break;
      case (7 << 3) | LEN:
        value = { type: 'bytes', value: reader.readBytes() };
        break;
      default:
        reader.skip(tag);
    }
  }
  reader.expectEnd(end);
  return value;
}

function readArrayValue(reader: ProtoReader, depth: number): AnyValue[] {
  const end = reader.readLength();
  const values: AnyValue[] = [];
  while (reader.pos < end) {
    const tag = reader.readTag();
    if (tag === ((1 << 3) | LEN)) values.push(readAnyValue(reader, depth + 1));
    else reader.skip(tag);
  }
  reader.expectEnd(end);
  return values;
}

function readKeyValueList(reader: ProtoReader, depth: number): KeyValue[] {
  const end = reader.readLength();
  const values: KeyValue[] = [];
  while (reader.pos < end) {
    const tag = reader.readTag();
    if (tag === ((1 << 3) | LEN)) values.push(readKeyValue(reader, depth));
    else reader.skip(tag);
  }
  reader.expectEnd(end);
  return values;
}
