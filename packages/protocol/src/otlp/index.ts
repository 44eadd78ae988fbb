export * from './decode-otlp-json.js';
export * from './decode-otlp-proto.js';
export * from './decoded-spans.js';
export * from './encode-otlp-json.js';
export * from './encode-otlp-proto.js';
export * from './group-spans.js';
export * from './otlp-limits.js';
export * from './otlp-response.js';
