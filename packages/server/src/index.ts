export * from './app/serve-config.js';
export * from './app/start-server.js';
export * from './storage/span-store.js';
