export {
  decodeJaegerAgentMessage,
  decodeJaegerThriftBatch,
  type JaegerThriftDecodeOptions,
} from './decode-jaeger-thrift.js';
export {
  encodeJaegerAgentMessage,
  encodeJaegerThriftBatch,
  type JaegerThriftBatch,
  type JaegerThriftLog,
  type JaegerThriftSpan,
  type JaegerThriftSpanRef,
  type JaegerThriftTag,
  JaegerThriftTagType,
  writeJaegerBatch,
} from './encode-jaeger-thrift.js';
export { resourceToJaegerProcess, spansToJaegerBatches, spanToJaegerThriftSpan } from './spans-to-jaeger-batch.js';
