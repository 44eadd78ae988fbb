export * from './proto-reader.js';
export * from './proto-writer.js';
export * from './wire-type.js';
