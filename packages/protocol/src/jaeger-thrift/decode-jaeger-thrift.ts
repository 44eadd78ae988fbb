import { AriadneError } from '../errors.js';
import type { Span } from '../model/span.js';
import { createThriftReader } from '../thrift/create-thrift-reader.js';
import type { ThriftReaderOptions } from '../thrift/thrift-reader.js';
import { type ThriftProtocol, TMessageType, TType } from '../thrift/thrift-type.js';
import { jaegerBatchToSpans } from './jaeger-batch-to-spans.js';
import type { WireBatch } from './jaeger-thrift-wire.js';
import { readBatch } from './read-jaeger-batch.js';

export type JaegerThriftDecodeOptions = ThriftReaderOptions;

/**
 * Decodes a bare `jaeger.thrift` Batch: the body of the collector's
 * `POST /api/traces` (port 14268, `application/x-thrift`, binary protocol).
 *
 * Spans share one `Resource` (the batch's process). A struct with no known
 * field is dropped, as the collector drops blank spans; an empty batch gives
 * `[]`. Throws `AriadneError('InvalidPayload')` on malformed bytes, trailing
 * bytes, or a span whose trace or span id is zero or whose times are negative.
 */
export function decodeJaegerThriftBatch(
  bytes: Uint8Array,
  protocol: ThriftProtocol,
  options?: JaegerThriftDecodeOptions,
): Span[] {
  const reader = createThriftReader(bytes, protocol, options);
  const batch = readBatch(reader);
  reader.expectEnd();
  return jaegerBatchToSpans(batch);
}

/**
 * Decodes one agent datagram: `Agent.emitBatch(1: Batch batch)` as a Thrift
 * message, compact protocol on UDP 6831 and binary on UDP 6832. The message is
 * oneway; a `call` envelope is accepted too. Any other method (such as the
 * legacy `emitZipkinBatch`) or a message without a batch throws
 * `AriadneError('InvalidPayload')`, as does malformed input.
 */
export function decodeJaegerAgentMessage(
  bytes: Uint8Array,
  protocol: ThriftProtocol,
  options?: JaegerThriftDecodeOptions,
): Span[] {
  const reader = createThriftReader(bytes, protocol, options);
  const header = reader.readMessageBegin();
  if (header.name !== 'emitBatch') {
    throw new AriadneError(
      'InvalidPayload',
      `jaeger agent: unsupported method ${JSON.stringify(header.name.slice(0, 64))}`,
    );
  }
  if (header.type !== TMessageType.Oneway && header.type !== TMessageType.Call) {
    throw new AriadneError('InvalidPayload', `jaeger agent: emitBatch sent as message type ${header.type}`);
  }
  let batch: WireBatch | undefined;
  reader.readStructBegin();
  for (let type = reader.readFieldBegin(); type !== TType.Stop; type = reader.readFieldBegin()) {
    if (reader.fieldId === 1 && type === TType.Struct) batch = readBatch(reader);
    else reader.skip(type);
  }
  reader.readStructEnd();
  reader.expectEnd();
  if (batch === undefined) throw new AriadneError('InvalidPayload', 'jaeger agent: emitBatch without a batch');
  return jaegerBatchToSpans(batch);
}
