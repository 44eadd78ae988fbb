export * from './errors.js';
export * from './jaeger/index.js';
export * from './jaeger-thrift/index.js';
export * from './model/index.js';
export * from './otlp/index.js';
export * from './protobuf/index.js';
export * from './thrift/index.js';
export * from './zipkin/index.js';
