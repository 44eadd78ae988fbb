export * from './clickhouse-store.js';
