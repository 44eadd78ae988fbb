export { decodeZipkinProto } from './decode-zipkin-proto.js';
export { decodeZipkinV1Json } from './decode-zipkin-v1-json.js';
export { decodeZipkinV1Thrift, type ZipkinV1ThriftDecodeOptions } from './decode-zipkin-v1-thrift.js';
export { decodeZipkinV2Json } from './decode-zipkin-v2-json.js';
export {
  encodeZipkinV1Thrift,
  ZipkinAnnotationType,
  type ZipkinV1ThriftAnnotation,
  type ZipkinV1ThriftBinaryAnnotation,
  type ZipkinV1ThriftEndpoint,
  type ZipkinV1ThriftSpan,
} from './encode-zipkin-v1-thrift.js';
export {
  encodeZipkinV2Json,
  toZipkinV2JsonSpan,
  toZipkinV2JsonSpans,
  type ZipkinV2JsonAnnotation,
  type ZipkinV2JsonEndpoint,
  type ZipkinV2JsonSpan,
  zipkinTraceId,
} from './encode-zipkin-v2-json.js';
export { START_TIME_ABSENT_ATTRIBUTE, type ZipkinDecodeOptions } from './zipkin-to-spans.js';
