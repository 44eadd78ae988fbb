export * from './any-value.js';
export * from './ids.js';
export * from './span.js';
