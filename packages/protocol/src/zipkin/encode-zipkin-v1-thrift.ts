import { BinaryWriter } from '../thrift/binary-writer.js';
import { TType } from '../thrift/thrift-type.js';

/*
 * The write side of Zipkin's v1 Thrift (zipkin-api `thrift/zipkinCore.thrift`),
 * field for field as the IDL names them: what py_zipkin, old Finagle and old
 * Brave send to `POST /api/v1/spans` as `application/x-thrift`. Builds known
 * payloads for tests and the fuzzer; ids are 64-bit values written as i64.
 */

/** zipkinCore.thrift `AnnotationType`: how a binary annotation's bytes are to be read. */
export enum ZipkinAnnotationType {
  Bool = 0,
  Bytes = 1,
  I16 = 2,
  I32 = 3,
  I64 = 4,
  Double = 5,
  String = 6,
}

export interface ZipkinV1ThriftEndpoint {
  /** The IDL's i32, or dotted-quad text written as one; 0 or absent for none. */
  readonly ipv4?: number | string;
  /** The IDL's i16: ports above 32767 go on the wire negative, as Java senders write them. */
  readonly port?: number;
  readonly serviceName?: string;
  /** 16 bytes. */
  readonly ipv6?: Uint8Array;
}

export interface ZipkinV1ThriftAnnotation {
  /** Microseconds since the epoch. */
  readonly timestamp: bigint;
  readonly value: string;
  readonly host?: ZipkinV1ThriftEndpoint;
}

export interface ZipkinV1ThriftBinaryAnnotation {
  readonly key: string;
  /** Bytes as the type says (big-endian numbers, a byte 0/1 for a bool); a string is written as UTF-8. */
  readonly value: Uint8Array | string;
  readonly annotationType: ZipkinAnnotationType | number;
  readonly host?: ZipkinV1ThriftEndpoint;
}

export interface ZipkinV1ThriftSpan {
  readonly traceId: bigint;
  readonly traceIdHigh?: bigint;
  readonly name: string;
  readonly id: bigint;
  readonly parentId?: bigint;
  readonly annotations?: readonly ZipkinV1ThriftAnnotation[];
  readonly binaryAnnotations?: readonly ZipkinV1ThriftBinaryAnnotation[];
  readonly debug?: boolean;
  /** Microseconds since the epoch. */
  readonly timestamp?: bigint;
  /** Microseconds. */
  readonly duration?: bigint;
}

const utf8 = new TextEncoder();

/** A Thrift list of v1 spans, binary protocol: the body of `POST /api/v1/spans` as `application/x-thrift`. */
export function encodeZipkinV1Thrift(spans: readonly ZipkinV1ThriftSpan[]): Uint8Array {
  const w = new BinaryWriter();
  w.writeListBegin(TType.Struct, spans.length);
  for (const span of spans) writeSpan(w, span);
  return w.finish();
}

function writeSpan(w: BinaryWriter, span: ZipkinV1ThriftSpan): void {
  w.writeFieldBegin(TType.I64, 1);
  w.writeI64(span.traceId);
  w.writeFieldBegin(TType.String, 3);
  w.writeString(span.name);
  w.writeFieldBegin(TType.I64, 4);
  w.writeI64(span.id);
  if (span.parentId !== undefined) {
    w.writeFieldBegin(TType.I64, 5);
    w.writeI64(span.parentId);
  }
  w.writeFieldBegin(TType.List, 6);
  w.writeListBegin(TType.Struct, span.annotations?.length ?? 0);
  for (const annotation of span.annotations ?? []) {
    w.writeFieldBegin(TType.I64, 1);
    w.writeI64(annotation.timestamp);
    w.writeFieldBegin(TType.String, 2);
    w.writeString(annotation.value);
    writeHost(w, 3, annotation.host);
    w.writeFieldStop();
  }
  w.writeFieldBegin(TType.List, 8);
  w.writeListBegin(TType.Struct, span.binaryAnnotations?.length ?? 0);
  for (const annotation of span.binaryAnnotations ?? []) {
    w.writeFieldBegin(TType.String, 1);
    w.writeString(annotation.key);
    w.writeFieldBegin(TType.String, 2);
    w.writeBinary(typeof annotation.value === 'string' ? utf8.encode(annotation.value) : annotation.value);
    w.writeFieldBegin(TType.I32, 3);
    w.writeI32(annotation.annotationType);
    writeHost(w, 4, annotation.host);
    w.writeFieldStop();
  }
  if (span.debug !== undefined) {
    w.writeFieldBegin(TType.Bool, 9);
    w.writeBool(span.debug);
  }
  if (span.timestamp !== undefined) {
    w.writeFieldBegin(TType.I64, 10);
    w.writeI64(span.timestamp);
  }
  if (span.duration !== undefined) {
    w.writeFieldBegin(TType.I64, 11);
    w.writeI64(span.duration);
  }
  if (span.traceIdHigh !== undefined) {
    w.writeFieldBegin(TType.I64, 12);
    w.writeI64(span.traceIdHigh);
  }
  w.writeFieldStop();
}

function writeHost(w: BinaryWriter, field: number, host: ZipkinV1ThriftEndpoint | undefined): void {
  if (host === undefined) return;
  w.writeFieldBegin(TType.Struct, field);
  w.writeFieldBegin(TType.I32, 1);
  w.writeI32(typeof host.ipv4 === 'string' ? ipv4Word(host.ipv4) : (host.ipv4 ?? 0));
  w.writeFieldBegin(TType.I16, 2);
  w.writeI16(((host.port ?? 0) << 16) >> 16);
  w.writeFieldBegin(TType.String, 3);
  w.writeString(host.serviceName ?? '');
  if (host.ipv6 !== undefined) {
    w.writeFieldBegin(TType.String, 4);
    w.writeBinary(host.ipv6);
  }
  w.writeFieldStop();
}

function ipv4Word(text: string): number {
  const parts = text.split('.').map(Number);
  if (parts.length !== 4 || parts.some((p) => !Number.isInteger(p) || p < 0 || p > 255)) {
    throw new RangeError(`not an IPv4 address: ${text}`);
  }
  return (
    ((parts[0] as number) << 24) | ((parts[1] as number) << 16) | ((parts[2] as number) << 8) | (parts[3] as number)
  );
}
