import { AriadneError } from '../errors.js';
import type { Span } from '../model/span.js';
import { BinaryReader } from '../thrift/binary-reader.js';
import type { ThriftReader, ThriftReaderOptions } from '../thrift/thrift-reader.js';
import { TType } from '../thrift/thrift-type.js';
import { formatIpv4, formatIpv6 } from './ip-address.js';
import { convertV1Span, type V1Annotation, type V1BinaryAnnotation, type V1Span } from './v1-span-converter.js';
import { type ZipkinDecodeOptions, zipkinSpansToSpans } from './zipkin-to-spans.js';
import type { ZipkinEndpoint } from './zipkin-wire.js';

const FORMAT = 'zipkin v1 thrift';
const ZERO_ID = '0000000000000000';
const ADDRESS_KEYS = new Set(['ca', 'sa', 'ma']);
const utf8 = new TextDecoder();

/** zipkinCore.thrift `AnnotationType`. */
const enum AnnotationType {
  Bool = 0,
  Bytes = 1,
  I16 = 2,
  I32 = 3,
  I64 = 4,
  Double = 5,
  String = 6,
}

export type ZipkinV1ThriftDecodeOptions = ZipkinDecodeOptions & ThriftReaderOptions;

/**
 * Decodes the body of Zipkin's legacy `POST /api/v1/spans` with
 * `Content-Type: application/x-thrift`: a Thrift list of v1 `Span` structs
 * (zipkin-api `thrift/zipkinCore.thrift`) in the binary protocol, as
 * py_zipkin (its default), old Finagle and old Brave send it. Each v1 span is
 * then split into v2 spans as Zipkin's server does (`convertV1Span`), like the
 * v1 JSON body, so a span both sides reported yields a client span and a
 * shared server span with the same span id.
 *
 * As Thrift's generated readers do, a field whose type does not match the IDL
 * is skipped like an unknown one. Binary annotations keep more than Zipkin's
 * own reader (which keeps strings and addresses only): booleans, numbers and
 * bytes become tags as their text (bytes as base64), like the v1 JSON body's
 * booleans and numbers; a value whose length does not fit its type, or of an
 * unknown type, carries nothing and is dropped.
 *
 * An empty list gives `[]`. Throws `AriadneError('InvalidPayload')` on
 * malformed Thrift, trailing bytes, a list of something other than structs,
 * a span whose trace or span id is missing or zero, and negative times.
 */
export function decodeZipkinV1Thrift(bytes: Uint8Array, options: ZipkinV1ThriftDecodeOptions = {}): Span[] {
  const r = new BinaryReader(bytes, options);
  const size = r.readListBegin();
  if (r.elementType !== TType.Struct) {
    throw new AriadneError(
      'InvalidPayload',
      `${FORMAT}: expected a list of spans, got a list of type ${r.elementType}`,
    );
  }
  const v1: V1Span[] = [];
  for (let i = 0; i < size; i++) v1.push(readSpan(r, `spans[${i}]`));
  r.readListEnd();
  r.expectEnd();
  return zipkinSpansToSpans(
    v1.flatMap((span) => convertV1Span(span)),
    options,
  );
}

function readSpan(r: ThriftReader, where: string): V1Span {
  let traceIdLow: string | undefined;
  let traceIdHigh = ZERO_ID;
  let id: string | undefined;
  let parentId = ZERO_ID;
  let name = '';
  let timestamp = 0n;
  let duration = 0n;
  let debug = false;
  let annotations: V1Annotation[] = [];
  let binaryAnnotations: V1BinaryAnnotation[] = [];
  r.readStructBegin();
  for (let type = r.readFieldBegin(); type !== TType.Stop; type = r.readFieldBegin()) {
    const field = r.fieldId;
    if (field === 1 && type === TType.I64) traceIdLow = r.readI64Hex();
    else if (field === 3 && type === TType.String) name = r.readString();
    else if (field === 4 && type === TType.I64) id = r.readI64Hex();
    else if (field === 5 && type === TType.I64) parentId = r.readI64Hex();
    else if (field === 6 && type === TType.List) annotations = readStructs(r, `${where}.annotations`, readAnnotation);
    else if (field === 8 && type === TType.List) {
      binaryAnnotations = readStructs(r, `${where}.binary_annotations`, readBinaryAnnotation).filter(
        (b): b is V1BinaryAnnotation => b !== undefined,
      );
    } else if (field === 9 && type === TType.Bool) debug = r.readBool();
    else if (field === 10 && type === TType.I64) timestamp = micros(r, `${where}.timestamp`);
    else if (field === 11 && type === TType.I64) duration = micros(r, `${where}.duration`);
    else if (field === 12 && type === TType.I64) traceIdHigh = r.readI64Hex();
    else r.skip(type);
  }
  r.readStructEnd();
  if (traceIdLow === undefined) throw new AriadneError('InvalidPayload', `${FORMAT}: ${where}.trace_id: missing`);
  const traceId = traceIdHigh + traceIdLow;
  if (traceIdHigh === ZERO_ID && traceIdLow === ZERO_ID) {
    throw new AriadneError('InvalidPayload', `${FORMAT}: ${where}.trace_id: id is zero`);
  }
  if (id === undefined) throw new AriadneError('InvalidPayload', `${FORMAT}: ${where}.id: missing`);
  if (id === ZERO_ID) throw new AriadneError('InvalidPayload', `${FORMAT}: ${where}.id: id is zero`);
  return {
    traceId,
    // Zero means "no parent" to Zipkin's own readers.
    parentId: parentId === ZERO_ID ? '' : parentId,
    id,
    name,
    timestamp,
    duration,
    debug,
    annotations,
    binaryAnnotations,
  };
}

function readStructs<T>(r: ThriftReader, where: string, read: (r: ThriftReader, where: string) => T): T[] {
  const size = r.readListBegin();
  if (r.elementType !== TType.Struct) {
    throw new AriadneError('InvalidPayload', `${FORMAT}: ${where}: expected a list of structs`);
  }
  const out: T[] = [];
  for (let i = 0; i < size; i++) out.push(read(r, `${where}[${i}]`));
  r.readListEnd();
  return out;
}

function micros(r: ThriftReader, where: string): bigint {
  const value = r.readI64();
  if (value < 0n) throw new AriadneError('InvalidPayload', `${FORMAT}: ${where}: negative (${value})`);
  return value;
}

function readAnnotation(r: ThriftReader, where: string): V1Annotation {
  let timestamp = 0n;
  let value = '';
  let endpoint: ZipkinEndpoint | undefined;
  r.readStructBegin();
  for (let type = r.readFieldBegin(); type !== TType.Stop; type = r.readFieldBegin()) {
    const field = r.fieldId;
    if (field === 1 && type === TType.I64) timestamp = micros(r, `${where}.timestamp`);
    else if (field === 2 && type === TType.String) value = r.readString();
    else if (field === 3 && type === TType.Struct) endpoint = readEndpoint(r);
    else r.skip(type);
  }
  r.readStructEnd();
  return { timestamp, value, endpoint };
}

/** See `decodeZipkinV1Thrift` for what is kept; `undefined` for what carries nothing. */
function readBinaryAnnotation(r: ThriftReader): V1BinaryAnnotation | undefined {
  let key: string | undefined;
  let value: Uint8Array | undefined;
  let annotationType: number | undefined;
  let endpoint: ZipkinEndpoint | undefined;
  r.readStructBegin();
  for (let type = r.readFieldBegin(); type !== TType.Stop; type = r.readFieldBegin()) {
    const field = r.fieldId;
    if (field === 1 && type === TType.String) key = r.readString();
    else if (field === 2 && type === TType.String) value = r.readBinary();
    else if (field === 3 && type === TType.I32) annotationType = r.readI32();
    else if (field === 4 && type === TType.Struct) endpoint = readEndpoint(r);
    else r.skip(type);
  }
  r.readStructEnd();
  if (key === undefined || value === undefined) return undefined;
  if (annotationType === AnnotationType.Bool && ADDRESS_KEYS.has(key)) {
    // An address: "true" with the endpoint it names.
    return value.length === 1 && value[0] === 1 && endpoint !== undefined
      ? { key, stringValue: undefined, endpoint }
      : undefined;
  }
  const text = valueText(value, annotationType);
  return text === undefined ? undefined : { key, stringValue: text, endpoint };
}

function valueText(value: Uint8Array, type: number | undefined): string | undefined {
  const view = new DataView(value.buffer, value.byteOffset, value.byteLength);
  switch (type) {
    case AnnotationType.String:
      return utf8.decode(value);
    case AnnotationType.Bool:
      return value.length === 1 ? String(value[0] !== 0) : undefined;
    case AnnotationType.Bytes:
      return Buffer.from(value.buffer, value.byteOffset, value.byteLength).toString('base64');
    case AnnotationType.I16:
      return value.length === 2 ? String(view.getInt16(0)) : undefined;
    case AnnotationType.I32:
      return value.length === 4 ? String(view.getInt32(0)) : undefined;
    case AnnotationType.I64:
      return value.length === 8 ? String(view.getBigInt64(0)) : undefined;
    case AnnotationType.Double:
      return value.length === 8 ? String(view.getFloat64(0)) : undefined;
    default:
      return undefined;
  }
}

function readEndpoint(r: ThriftReader): ZipkinEndpoint {
  const endpoint: ZipkinEndpoint = { serviceName: '', ipv4: '', ipv6: '', port: 0 };
  r.readStructBegin();
  for (let type = r.readFieldBegin(); type !== TType.Stop; type = r.readFieldBegin()) {
    const field = r.fieldId;
    if (field === 1 && type === TType.I32) {
      const word = r.readI32();
      // Zero is how senders write "no address".
      if (word !== 0) {
        endpoint.ipv4 = formatIpv4(
          Uint8Array.of((word >>> 24) & 0xff, (word >>> 16) & 0xff, (word >>> 8) & 0xff, word & 0xff),
        );
      }
    } else if (field === 2 && type === TType.I16) {
      // An i16 on the wire: Java senders write ports above 32767 as negative numbers.
      endpoint.port = r.readI16() & 0xffff;
    } else if (field === 3 && type === TType.String) endpoint.serviceName = r.readString();
    else if (field === 4 && type === TType.String) {
      const bytes = r.readBinary();
      // Zipkin's own reader ignores an address of any other length.
      if (bytes.length === 16) endpoint.ipv6 = formatIpv6(bytes);
    } else r.skip(type);
  }
  r.readStructEnd();
  return endpoint;
}
