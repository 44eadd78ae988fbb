export * from './jaeger-span-kind.js';
export * from './jaeger-tags.js';
export * from './jaeger-trace-id.js';
export * from './stringify-jaeger-json.js';
export * from './to-jaeger-trace.js';
export * from './ui-model.js';
