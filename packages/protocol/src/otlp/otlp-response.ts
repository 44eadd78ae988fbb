import { ProtoWriter } from '../protobuf/proto-writer.js';
import type { OtlpPartialSuccess } from './decoded-spans.js';

function isPartial(partial: OtlpPartialSuccess | undefined): partial is OtlpPartialSuccess {
  return partial !== undefined && (partial.rejectedSpans > 0 || partial.errorMessage !== '');
}

/**
 * An `ExportTraceServiceResponse`. `partial_success` is present only when
 * spans were rejected or there is a message (OTLP: an empty one means full
 * success), so a full success is zero bytes.
 */
export function encodeOtlpTraceResponseProto(partial?: OtlpPartialSuccess): Uint8Array {
  const writer = new ProtoWriter(64);
  if (isPartial(partial)) {
    writer.tag(1, 2);
    const mark = writer.fork(1);
    if (partial.rejectedSpans !== 0) {
      writer.tag(1, 0);
      writer.int64(BigInt(partial.rejectedSpans));
    }
    if (partial.errorMessage !== '') {
      writer.tag(2, 2);
      writer.string(partial.errorMessage);
    }
    writer.join(mark);
  }
  return writer.finish();
}

/** The OTLP/JSON form of the response; int64 `rejectedSpans` is a decimal string as the mapping prescribes. */
export function encodeOtlpTraceResponseJson(partial?: OtlpPartialSuccess): string {
  if (!isPartial(partial)) return '{}';
  const fields: string[] = [];
  if (partial.rejectedSpans !== 0) fields.push(`"rejectedSpans":"${Math.trunc(partial.rejectedSpans)}"`);
  if (partial.errorMessage !== '') fields.push(`"errorMessage":${JSON.stringify(partial.errorMessage)}`);
  return `{"partialSuccess":{${fields.join(',')}}}`;
}

/**
 * A `google.rpc.Status` body, which OTLP/HTTP servers send with 4xx and 5xx
 * answers. `code` is the gRPC status code (e.g. 3 INVALID_ARGUMENT).
 */
export function encodeRpcStatusProto(code: number, message: string): Uint8Array {
  const writer = new ProtoWriter(64 + message.length * 3);
  if (code !== 0) {
    writer.tag(1, 0);
    writer.int32(code);
  }
  if (message !== '') {
    writer.tag(2, 2);
    writer.string(message);
  }
  return writer.finish();
}

export function encodeRpcStatusJson(code: number, message: string): string {
  return JSON.stringify({ code, message });
}
