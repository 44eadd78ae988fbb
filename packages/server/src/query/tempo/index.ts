export * from './tag-catalog.js';
export * from './tempo-api.js';
export * from './tempo-json.js';
export * from './tempo-params.js';
