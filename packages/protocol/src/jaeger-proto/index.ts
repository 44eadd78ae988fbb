export { decodeJaegerProtoBatch, decodeJaegerProtoPostSpans } from './decode-jaeger-proto.js';
