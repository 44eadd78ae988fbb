export { BinaryReader } from './binary-reader.js';
export { BinaryWriter } from './binary-writer.js';
export { CompactReader } from './compact-reader.js';
export { CompactWriter } from './compact-writer.js';
export { createThriftReader } from './create-thrift-reader.js';
export { ThriftReader, type ThriftReaderOptions } from './thrift-reader.js';
export { type ThriftMessageHeader, type ThriftProtocol, TMessageType, TType } from './thrift-type.js';
export { ThriftWriter } from './thrift-writer.js';
