export * from './any-value.js';
export * from './error-attribute.js';
export * from './ids.js';
export * from './make-span.js';
export * from './span.js';
