import {
  type AnyValue,
  anyValueToString,
  encodeZipkinV1Thrift,
  type JaegerThriftBatch,
  type JaegerThriftTag,
  JaegerThriftTagType,
  ProtoWriter,
  type Resource,
  type Span,
  SpanKind,
  StatusCode,
  serviceNameOf,
  ZipkinAnnotationType,
  type ZipkinV1ThriftBinaryAnnotation,
  type ZipkinV1ThriftEndpoint,
  type ZipkinV1ThriftSpan,
} from '@ariadne/protocol';

/*
 * Domain spans as the other protocols' clients would send them, for the
 * benchmarks and the fuzzer: Ariadne only decodes Jaeger and Zipkin, so the
 * encoders that build valid payloads for them live here, beside their users.
 * Each follows the mapping its protocol's own exporters use (OpenTelemetry's
 * Jaeger and Zipkin exporters): service from `service.name`, kind and status
 * as tags, events as logs or annotations, times in microseconds.
 */

/** Spans grouped by resource, in first-seen order: a Jaeger batch carries one process. */
export function groupByResource(spans: readonly Span[]): Span[][] {
  const groups = new Map<Resource, Span[]>();
  for (const span of spans) {
    const group = groups.get(span.resource);
    if (group === undefined) groups.set(span.resource, [span]);
    else group.push(span);
  }
  return [...groups.values()];
}

const micros = (nanos: bigint) => nanos / 1000n;
const signed64 = (hex: string) => BigInt.asIntN(64, BigInt(`0x${hex}`));

function jaegerTag(key: string, value: AnyValue): JaegerThriftTag {
  switch (value.type) {
    case 'bool':
      return { key, vType: JaegerThriftTagType.Bool, vBool: value.value };
    case 'int':
      return { key, vType: JaegerThriftTagType.Long, vLong: value.value };
    case 'double':
      return { key, vType: JaegerThriftTagType.Double, vDouble: value.value };
    case 'bytes':
      return { key, vType: JaegerThriftTagType.Binary, vBinary: value.value };
    default:
      return { key, vType: JaegerThriftTagType.String, vStr: anyValueToString(value) };
  }
}

const JAEGER_KINDS: Partial<Record<SpanKind, string>> = {
  [SpanKind.Server]: 'server',
  [SpanKind.Client]: 'client',
  [SpanKind.Producer]: 'producer',
  [SpanKind.Consumer]: 'consumer',
};

/** One Jaeger Thrift batch; every span must share the first span's resource (see `groupByResource`). */
export function toJaegerThriftBatch(spans: readonly Span[]): JaegerThriftBatch {
  const resource = spans[0]?.resource;
  return {
    process: {
      serviceName: resource ? serviceNameOf(resource) : 'unknown_service',
      tags: (resource?.attributes ?? [])
        .filter((kv) => kv.key !== 'service.name')
        .map((kv) => jaegerTag(kv.key, kv.value)),
    },
    spans: spans.map((span) => {
      const tags = span.attributes.map((kv) => jaegerTag(kv.key, kv.value));
      const kind = JAEGER_KINDS[span.kind];
      if (kind !== undefined) tags.push({ key: 'span.kind', vType: JaegerThriftTagType.String, vStr: kind });
      if (span.status.code === StatusCode.Error)
        tags.push({ key: 'error', vType: JaegerThriftTagType.Bool, vBool: true });
      return {
        traceIdHigh: signed64(span.traceId.slice(0, 16)),
        traceIdLow: signed64(span.traceId.slice(16)),
        spanId: signed64(span.spanId),
        parentSpanId: span.parentSpanId === '' ? 0n : signed64(span.parentSpanId),
        operationName: span.name,
        references: span.links.map((link) => ({
          refType: 1,
          traceIdHigh: signed64(link.traceId.slice(0, 16)),
          traceIdLow: signed64(link.traceId.slice(16)),
          spanId: signed64(link.spanId),
        })),
        flags: span.flags & 0xff,
        startTime: micros(span.startTimeUnixNano),
        duration: micros(span.endTimeUnixNano - span.startTimeUnixNano),
        tags,
        logs: span.events.map((event) => ({
          timestamp: micros(event.timeUnixNano),
          fields: [
            { key: 'event', vType: JaegerThriftTagType.String, vStr: event.name },
            ...event.attributes.map((kv) => jaegerTag(kv.key, kv.value)),
          ],
        })),
      };
    }),
  };
}

const ZIPKIN_KINDS: Partial<Record<SpanKind, string>> = {
  [SpanKind.Server]: 'SERVER',
  [SpanKind.Client]: 'CLIENT',
  [SpanKind.Producer]: 'PRODUCER',
  [SpanKind.Consumer]: 'CONSUMER',
};

function zipkinTags(span: Span): Record<string, string> {
  const tags: Record<string, string> = {};
  for (const kv of span.attributes) tags[kv.key] = anyValueToString(kv.value);
  if (span.status.code === StatusCode.Error) tags.error = span.status.message || 'true';
  return tags;
}

/** Zipkin v2 JSON (`POST /api/v2/spans`). */
export function toZipkinV2Json(spans: readonly Span[]): string {
  return JSON.stringify(
    spans.map((span) => ({
      traceId: span.traceId,
      id: span.spanId,
      ...(span.parentSpanId === '' ? {} : { parentId: span.parentSpanId }),
      name: span.name,
      ...(ZIPKIN_KINDS[span.kind] ? { kind: ZIPKIN_KINDS[span.kind] } : {}),
      timestamp: Number(micros(span.startTimeUnixNano)),
      duration: Number(micros(span.endTimeUnixNano - span.startTimeUnixNano)),
      localEndpoint: { serviceName: serviceNameOf(span.resource) },
      annotations: span.events.map((event) => ({ timestamp: Number(micros(event.timeUnixNano)), value: event.name })),
      tags: zipkinTags(span),
    })),
  );
}

/** Zipkin v1 JSON (`POST /api/v1/spans`): core annotations carry the endpoint, tags become binary annotations. */
export function toZipkinV1Json(spans: readonly Span[]): string {
  return JSON.stringify(
    spans.map((span) => {
      const endpoint = { serviceName: serviceNameOf(span.resource), ipv4: '10.0.0.1', port: 8080 };
      const start = Number(micros(span.startTimeUnixNano));
      const end = Number(micros(span.endTimeUnixNano));
      const [begin, finish] = span.kind === SpanKind.Client ? ['cs', 'cr'] : ['sr', 'ss'];
      return {
        traceId: span.traceId,
        id: span.spanId,
        ...(span.parentSpanId === '' ? {} : { parentId: span.parentSpanId }),
        name: span.name,
        timestamp: start,
        duration: end - start,
        annotations: [
          { timestamp: start, value: begin, endpoint },
          ...span.events.map((event) => ({
            timestamp: Number(micros(event.timeUnixNano)),
            value: event.name,
            endpoint,
          })),
          { timestamp: end, value: finish, endpoint },
        ],
        binaryAnnotations: Object.entries(zipkinTags(span)).map(([key, value]) => ({ key, value, endpoint })),
      };
    }),
  );
}

/** A binary annotation of the type py_zipkin and Finagle would give the value (big-endian numbers). */
function binaryAnnotation(key: string, value: AnyValue, host: ZipkinV1ThriftEndpoint): ZipkinV1ThriftBinaryAnnotation {
  const bytes = (length: number, write: (view: DataView) => void) => {
    const out = new Uint8Array(length);
    write(new DataView(out.buffer));
    return out;
  };
  switch (value.type) {
    case 'bool':
      return { key, value: Uint8Array.of(value.value ? 1 : 0), annotationType: ZipkinAnnotationType.Bool, host };
    case 'int':
      return {
        key,
        value: bytes(8, (v) => v.setBigInt64(0, BigInt.asIntN(64, value.value))),
        annotationType: ZipkinAnnotationType.I64,
        host,
      };
    case 'double':
      return {
        key,
        value: bytes(8, (v) => v.setFloat64(0, value.value)),
        annotationType: ZipkinAnnotationType.Double,
        host,
      };
    case 'bytes':
      return { key, value: value.value, annotationType: ZipkinAnnotationType.Bytes, host };
    default:
      return { key, value: anyValueToString(value), annotationType: ZipkinAnnotationType.String, host };
  }
}

/**
 * Zipkin v1 Thrift (`POST /api/v1/spans` with `application/x-thrift`), as
 * py_zipkin sends it: core annotations and typed binary annotations with the
 * endpoint, 128-bit trace ids split into `trace_id_high`, client spans naming
 * the server they called (`sa`, with an IPv6 address).
 */
export function toZipkinV1Thrift(spans: readonly Span[]): Uint8Array {
  return encodeZipkinV1Thrift(
    spans.map((span): ZipkinV1ThriftSpan => {
      const host = { serviceName: serviceNameOf(span.resource), ipv4: '10.0.0.1', port: 8080 };
      const start = micros(span.startTimeUnixNano);
      const end = micros(span.endTimeUnixNano);
      const client = span.kind === SpanKind.Client;
      const [begin, finish] = client ? ['cs', 'cr'] : ['sr', 'ss'];
      const binaryAnnotations = span.attributes.map((kv) => binaryAnnotation(kv.key, kv.value, host));
      if (span.status.code === StatusCode.Error) {
        binaryAnnotations.push(
          binaryAnnotation('error', { type: 'string', value: span.status.message || 'true' }, host),
        );
      }
      if (client) {
        const ipv6 = Uint8Array.of(0x20, 0x01, 0x0d, 0xb8, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 7);
        binaryAnnotations.push({
          key: 'sa',
          value: Uint8Array.of(1),
          annotationType: ZipkinAnnotationType.Bool,
          host: { serviceName: 'backend', ipv6, port: 9000 },
        });
      }
      return {
        traceId: signed64(span.traceId.slice(16)),
        traceIdHigh: signed64(span.traceId.slice(0, 16)),
        id: signed64(span.spanId),
        ...(span.parentSpanId === '' ? {} : { parentId: signed64(span.parentSpanId) }),
        name: span.name,
        timestamp: start,
        duration: end - start,
        // A forced trace: its root asks every sampler to keep it.
        debug: span.parentSpanId === '',
        annotations: [
          { timestamp: start, value: begin, host },
          ...span.events.map((event) => ({ timestamp: micros(event.timeUnixNano), value: event.name, host })),
          { timestamp: end, value: finish, host },
        ],
        binaryAnnotations,
      };
    }),
  );
}

/** Zipkin `ListOfSpans` protobuf (zipkin.proto3), `POST /api/v2/spans` with `application/x-protobuf`. */
export function toZipkinProto(spans: readonly Span[]): Uint8Array {
  const w = new ProtoWriter(spans.length * 600);
  const kinds: Partial<Record<SpanKind, number>> = {
    [SpanKind.Client]: 1,
    [SpanKind.Server]: 2,
    [SpanKind.Producer]: 3,
    [SpanKind.Consumer]: 4,
  };
  for (const span of spans) {
    w.tag(1, 2);
    const spanMark = w.fork(2);
    w.tag(1, 2);
    w.hexBytes(span.traceId);
    if (span.parentSpanId !== '') {
      w.tag(2, 2);
      w.hexBytes(span.parentSpanId);
    }
    w.tag(3, 2);
    w.hexBytes(span.spanId);
    const kind = kinds[span.kind];
    if (kind !== undefined) {
      w.tag(4, 0);
      w.uint32(kind);
    }
    w.tag(5, 2);
    w.string(span.name);
    w.tag(6, 1);
    w.fixed64(micros(span.startTimeUnixNano));
    w.tag(7, 0);
    w.uint64(micros(span.endTimeUnixNano - span.startTimeUnixNano));
    w.tag(8, 2);
    const endpointMark = w.fork();
    w.tag(1, 2);
    w.string(serviceNameOf(span.resource));
    w.join(endpointMark);
    for (const event of span.events) {
      w.tag(10, 2);
      const mark = w.fork();
      w.tag(1, 1);
      w.fixed64(micros(event.timeUnixNano));
      w.tag(2, 2);
      w.string(event.name);
      w.join(mark);
    }
    for (const [key, value] of Object.entries(zipkinTags(span))) {
      w.tag(11, 2);
      const mark = w.fork();
      w.tag(1, 2);
      w.string(key);
      w.tag(2, 2);
      w.string(value);
      w.join(mark);
    }
    w.join(spanMark);
  }
  return w.finish();
}

function writeJaegerProtoKeyValue(w: ProtoWriter, field: number, key: string, value: AnyValue): void {
  w.tag(field, 2);
  const mark = w.fork();
  w.tag(1, 2);
  w.string(key);
  // ValueType: STRING 0, BOOL 1, INT64 2, FLOAT64 3, BINARY 4.
  switch (value.type) {
    case 'bool':
      w.tag(2, 0);
      w.uint32(1);
      w.tag(4, 0);
      w.bool(value.value);
      break;
    case 'int':
      w.tag(2, 0);
      w.uint32(2);
      w.tag(5, 0);
      w.int64(value.value);
      break;
    case 'double':
      w.tag(2, 0);
      w.uint32(3);
      w.tag(6, 1);
      w.double(value.value);
      break;
    case 'bytes':
      w.tag(2, 0);
      w.uint32(4);
      w.tag(7, 2);
      w.bytesField(value.value);
      break;
    default:
      w.tag(3, 2);
      w.string(anyValueToString(value));
  }
  w.join(mark);
}

/** google.protobuf.Timestamp / Duration from nanoseconds. */
function writeJaegerProtoTime(w: ProtoWriter, field: number, nanos: bigint): void {
  w.tag(field, 2);
  const mark = w.fork();
  w.tag(1, 0);
  w.int64(nanos / 1_000_000_000n);
  w.tag(2, 0);
  w.uint32(Number(nanos % 1_000_000_000n));
  w.join(mark);
}

/**
 * A `jaeger.api_v2.Batch` (model.proto), as Jaeger's gRPC exporters send it
 * inside `PostSpansRequest`; `wrapInPostSpans` adds that envelope. Every span
 * must share the first span's resource.
 */
export function toJaegerProtoBatch(spans: readonly Span[]): Uint8Array {
  const w = new ProtoWriter(spans.length * 600);
  for (const span of spans) {
    w.tag(1, 2);
    const spanMark = w.fork(2);
    w.tag(1, 2);
    w.hexBytes(span.traceId);
    w.tag(2, 2);
    w.hexBytes(span.spanId);
    w.tag(3, 2);
    w.string(span.name);
    const references = span.parentSpanId === '' ? [] : [{ traceId: span.traceId, spanId: span.parentSpanId, type: 0 }];
    for (const link of span.links) references.push({ traceId: link.traceId, spanId: link.spanId, type: 1 });
    for (const reference of references) {
      w.tag(4, 2);
      const mark = w.fork();
      w.tag(1, 2);
      w.hexBytes(reference.traceId);
      w.tag(2, 2);
      w.hexBytes(reference.spanId);
      if (reference.type !== 0) {
        w.tag(3, 0);
        w.uint32(reference.type);
      }
      w.join(mark);
    }
    w.tag(5, 0);
    w.uint32(span.flags & 0xff);
    writeJaegerProtoTime(w, 6, span.startTimeUnixNano);
    writeJaegerProtoTime(w, 7, span.endTimeUnixNano - span.startTimeUnixNano);
    for (const kv of span.attributes) writeJaegerProtoKeyValue(w, 8, kv.key, kv.value);
    const kind = JAEGER_KINDS[span.kind];
    if (kind !== undefined) writeJaegerProtoKeyValue(w, 8, 'span.kind', { type: 'string', value: kind });
    if (span.status.code === StatusCode.Error) writeJaegerProtoKeyValue(w, 8, 'error', { type: 'bool', value: true });
    for (const event of span.events) {
      w.tag(9, 2);
      const mark = w.fork();
      writeJaegerProtoTime(w, 1, event.timeUnixNano);
      writeJaegerProtoKeyValue(w, 2, 'event', { type: 'string', value: event.name });
      for (const kv of event.attributes) writeJaegerProtoKeyValue(w, 2, kv.key, kv.value);
      w.join(mark);
    }
    w.join(spanMark);
  }
  const resource = spans[0]?.resource;
  w.tag(2, 2);
  const processMark = w.fork();
  w.tag(1, 2);
  w.string(resource ? serviceNameOf(resource) : 'unknown_service');
  for (const kv of resource?.attributes ?? []) {
    if (kv.key !== 'service.name') writeJaegerProtoKeyValue(w, 2, kv.key, kv.value);
  }
  w.join(processMark);
  return w.finish().slice();
}

/** `jaeger.api_v2.PostSpansRequest { Batch batch = 1; }` around an encoded batch. */
export function wrapInPostSpans(batch: Uint8Array): Uint8Array {
  const w = new ProtoWriter(batch.length + 8);
  w.tag(1, 2);
  w.bytesField(batch);
  return w.finish().slice();
}
