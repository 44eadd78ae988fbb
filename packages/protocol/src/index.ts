export * from './errors.js';
export * from './jaeger/index.js';
export * from './model/index.js';
