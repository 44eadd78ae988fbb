import {
  type DecodedSpans,
  decodeJaegerAgentMessage,
  decodeJaegerProtoPostSpans,
  decodeJaegerThriftBatch,
  decodeOtlpTraceRequestJson,
  decodeOtlpTraceRequestProto,
  decodeZipkinProto,
  decodeZipkinV1Json,
  decodeZipkinV1Thrift,
  decodeZipkinV2Json,
} from '@ariadne/protocol';

/** Wraps a decoder that returns spans (or throws) as one that returns `DecodedSpans`. */
export function allOrNothing(decode: (body: Buffer) => DecodedSpans['spans']): (body: Buffer) => DecodedSpans {
  return (body) => ({ spans: decode(body), rejectedSpans: 0, errorMessage: '' });
}

/**
 * Every wire format a receiver takes, by name. Receivers name the decoder
 * and the decode workers look it up here: a function cannot cross threads,
 * a name can. Each throws `AriadneError('InvalidPayload')` for a body that
 * does not decode.
 */
export const SPAN_DECODERS = {
  'otlp-proto': (body: Buffer): DecodedSpans => decodeOtlpTraceRequestProto(body),
  'otlp-json': (body: Buffer): DecodedSpans => decodeOtlpTraceRequestJson(body),
  'jaeger-thrift-binary': allOrNothing((body) => decodeJaegerThriftBatch(body, 'binary')),
  'jaeger-proto': allOrNothing((body) => decodeJaegerProtoPostSpans(body)),
  'jaeger-agent-compact': allOrNothing((body) => decodeJaegerAgentMessage(body, 'compact')),
  'jaeger-agent-binary': allOrNothing((body) => decodeJaegerAgentMessage(body, 'binary')),
  'zipkin-v2-json': allOrNothing((body) => decodeZipkinV2Json(body)),
  'zipkin-proto': allOrNothing((body) => decodeZipkinProto(body)),
  'zipkin-v1-json': allOrNothing((body) => decodeZipkinV1Json(body)),
  'zipkin-v1-thrift': allOrNothing((body) => decodeZipkinV1Thrift(body)),
} as const satisfies Record<string, (body: Buffer) => DecodedSpans>;

export type SpanDecoderName = keyof typeof SPAN_DECODERS;
