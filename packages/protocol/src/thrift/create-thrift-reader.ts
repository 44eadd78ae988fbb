import { AriadneError } from '../errors.js';
import { BinaryReader } from './binary-reader.js';
import { CompactReader } from './compact-reader.js';
import type { ThriftReader, ThriftReaderOptions } from './thrift-reader.js';
import type { ThriftProtocol } from './thrift-type.js';

/** A reader for `protocol`; an unknown protocol name (from configuration or a caller) is an `InvalidPayload`. */
export function createThriftReader(
  bytes: Uint8Array,
  protocol: ThriftProtocol,
  options?: ThriftReaderOptions,
): ThriftReader {
  if (protocol === 'binary') return new BinaryReader(bytes, options);
  if (protocol === 'compact') return new CompactReader(bytes, options);
  throw new AriadneError('InvalidPayload', `unknown thrift protocol ${String(protocol)}`);
}
