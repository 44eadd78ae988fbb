import { AriadneError } from '../errors.js';
import type { Span } from '../model/span.js';
import { ProtoReader } from '../protobuf/proto-reader.js';
import { formatIpv4, formatIpv6 } from './ip-address.js';
import { binaryId } from './zipkin-ids.js';
import { type ZipkinDecodeOptions, zipkinSpansToSpans } from './zipkin-to-spans.js';
import type { ZipkinAnnotation, ZipkinEndpoint, ZipkinKind, ZipkinSpan } from './zipkin-wire.js';

const FORMAT = 'zipkin proto';
const KINDS: readonly (ZipkinKind | undefined)[] = [undefined, 'CLIENT', 'SERVER', 'PRODUCER', 'CONSUMER'];

/** Field tags (`number << 3 | wire type`) of zipkin.proto3. */
const enum Tag {
  ListSpans = (1 << 3) | 2,
  TraceId = (1 << 3) | 2,
  ParentId = (2 << 3) | 2,
  Id = (3 << 3) | 2,
  Kind = (4 << 3) | 0,
  Name = (5 << 3) | 2,
  Timestamp = (6 << 3) | 1,
  Duration = (7 << 3) | 0,
  LocalEndpoint = (8 << 3) | 2,
  RemoteEndpoint = (9 << 3) | 2,
  Annotations = (10 << 3) | 2,
  Tags = (11 << 3) | 2,
  Debug = (12 << 3) | 0,
  Shared = (13 << 3) | 0,
  ServiceName = (1 << 3) | 2,
  Ipv4 = (2 << 3) | 2,
  Ipv6 = (3 << 3) | 2,
  Port = (4 << 3) | 0,
  AnnotationTimestamp = (1 << 3) | 1,
  AnnotationValue = (2 << 3) | 2,
  MapKey = (1 << 3) | 2,
  MapValue = (2 << 3) | 2,
}

/**
 * Decodes the body of Zipkin's `POST /api/v2/spans` with
 * `Content-Type: application/x-protobuf`: a `zipkin.proto3.ListOfSpans`.
 * Fields with unexpected wire types are skipped like unknown fields. Throws
 * `AriadneError('InvalidPayload')` on malformed protobuf, ids of the wrong
 * length or zero, and addresses of the wrong length.
 */
export function decodeZipkinProto(bytes: Uint8Array, options?: ZipkinDecodeOptions): Span[] {
  const r = new ProtoReader(bytes);
  const spans: ZipkinSpan[] = [];
  while (r.pos < r.end) {
    const tag = r.readTag();
    if (tag === Tag.ListSpans) {
      const end = r.readLength();
      spans.push(readSpan(r, end, spans.length));
      r.expectEnd(end);
    } else r.skip(tag);
  }
  return zipkinSpansToSpans(spans, options);
}

function readSpan(r: ProtoReader, end: number, index: number): ZipkinSpan {
  const where = `${FORMAT}: spans[${index}]`;
  let traceId: Uint8Array | undefined;
  let id: Uint8Array | undefined;
  let parentId: Uint8Array | undefined;
  const span: ZipkinSpan = {
    traceId: '',
    parentId: '',
    id: '',
    kind: undefined,
    name: '',
    timestamp: 0n,
    duration: 0n,
    localEndpoint: undefined,
    remoteEndpoint: undefined,
    annotations: [],
    tags: new Map(),
    debug: false,
    shared: false,
  };
  while (r.pos < end) {
    const tag = r.readTag();
    switch (tag) {
      case Tag.TraceId:
        traceId = r.readBytesView();
        break;
      case Tag.ParentId:
        parentId = r.readBytesView();
        break;
      case Tag.Id:
        id = r.readBytesView();
        break;
      case Tag.Kind:
        span.kind = KINDS[r.readInt32()];
        break;
      case Tag.Name:
        span.name = r.readString();
        break;
      case Tag.Timestamp:
        span.timestamp = r.readFixed64();
        break;
      case Tag.Duration:
        span.duration = r.readUint64();
        break;
      case Tag.LocalEndpoint: {
        const fieldEnd = r.readLength();
        span.localEndpoint = readEndpoint(r, fieldEnd, `${where}.localEndpoint`);
        r.expectEnd(fieldEnd);
        break;
      }
      case Tag.RemoteEndpoint: {
        const fieldEnd = r.readLength();
        span.remoteEndpoint = readEndpoint(r, fieldEnd, `${where}.remoteEndpoint`);
        r.expectEnd(fieldEnd);
        break;
      }
      case Tag.Annotations: {
        const fieldEnd = r.readLength();
        span.annotations.push(readAnnotation(r, fieldEnd));
        r.expectEnd(fieldEnd);
        break;
      }
      case Tag.Tags: {
        const fieldEnd = r.readLength();
        readTag(r, fieldEnd, span.tags);
        r.expectEnd(fieldEnd);
        break;
      }
      case Tag.Debug:
        span.debug = r.readBool();
        break;
      case Tag.Shared:
        span.shared = r.readBool();
        break;
      default:
        r.skip(tag);
    }
  }
  if (traceId === undefined) throw new AriadneError('InvalidPayload', `${where}.trace_id: missing`);
  span.traceId = binaryId(traceId, 32, `${where}.trace_id`);
  if (id === undefined) throw new AriadneError('InvalidPayload', `${where}.id: missing`);
  span.id = binaryId(id, 16, `${where}.id`);
  // proto3 leaves absent fields empty; a zero parent means root, as in Zipkin's JSON.
  if (parentId !== undefined && parentId.length > 0 && parentId.some((b) => b !== 0)) {
    span.parentId = binaryId(parentId, 16, `${where}.parent_id`);
  }
  return span;
}

function readEndpoint(r: ProtoReader, end: number, where: string): ZipkinEndpoint {
  const endpoint: ZipkinEndpoint = { serviceName: '', ipv4: '', ipv6: '', port: 0 };
  while (r.pos < end) {
    const tag = r.readTag();
    switch (tag) {
      case Tag.ServiceName:
        endpoint.serviceName = r.readString();
        break;
      case Tag.Ipv4: {
        const bytes = r.readBytesView();
        if (bytes.length !== 0 && bytes.length !== 4)
          throw new AriadneError('InvalidPayload', `${where}.ipv4: ${bytes.length} bytes`);
        endpoint.ipv4 = bytes.length === 4 ? formatIpv4(bytes) : '';
        break;
      }
      case Tag.Ipv6: {
        const bytes = r.readBytesView();
        if (bytes.length !== 0 && bytes.length !== 16)
          throw new AriadneError('InvalidPayload', `${where}.ipv6: ${bytes.length} bytes`);
        endpoint.ipv6 = bytes.length === 16 ? formatIpv6(bytes) : '';
        break;
      }
      case Tag.Port: {
        const port = r.readInt32();
        endpoint.port = port > 0 && port <= 65535 ? port : 0;
        break;
      }
      default:
        r.skip(tag);
    }
  }
  return endpoint;
}

function readAnnotation(r: ProtoReader, end: number): ZipkinAnnotation {
  let timestamp = 0n;
  let value = '';
  while (r.pos < end) {
    const tag = r.readTag();
    if (tag === Tag.AnnotationTimestamp) timestamp = r.readFixed64();
    else if (tag === Tag.AnnotationValue) value = r.readString();
    else r.skip(tag);
  }
  return { timestamp, value };
}

function readTag(r: ProtoReader, end: number, tags: Map<string, string>): void {
  let key = '';
  let value = '';
  while (r.pos < end) {
    const tag = r.readTag();
    if (tag === Tag.MapKey) key = r.readString();
    else if (tag === Tag.MapValue) value = r.readString();
    else r.skip(tag);
  }
  tags.set(key, value);
}
