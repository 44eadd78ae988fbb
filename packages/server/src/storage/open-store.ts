import { AriadneError } from '@ariadne/protocol';
import { DEFAULT_RETENTION_POLICY, type RetentionPolicy } from '../retention/retention-policy.js';
import { openClickHouseKeptStore } from './clickhouse/clickhouse-kept-store.js';
import { openClickHouseStore } from './clickhouse/clickhouse-store.js';
import { openEmbeddedStore } from './embedded/embedded-store.js';
import { openMemoryStore } from './memory/memory-store.js';
import type { SpanStore } from './span-store.js';
import { openEmbeddedStoreInWorker } from './worker/embedded-store-in-worker.js';

export const STORE_KINDS = ['embedded', 'memory', 'clickhouse'] as const;
export type StoreKind = (typeof STORE_KINDS)[number];

export interface StoreConfig {
  readonly storage: StoreKind;
  /** Embedded store: where its files live (created when missing). */
  readonly dataDir: string;
  /** Memory store: traces kept before the least recently written are evicted. */
  readonly maxTraces?: number;
  /**
   * Embedded and ClickHouse stores: spans older than this (by start time) are
   * dropped, whole partitions at a time. Absent: kept forever.
   */
  readonly retentionNanos?: bigint;
  /** Embedded and ClickHouse stores: the kept tier's window and policy (`EmbeddedStoreOptions.retentionKeptNanos`, clickhouse-kept-store.ts). */
  readonly retentionKeptNanos?: bigint;
  readonly retentionPolicy?: RetentionPolicy;
  /** ClickHouse store: where and how. */
  readonly clickhouse?: ClickHouseConfig;
  /**
   * Embedded store: `own` runs it on a thread of its own (the server's way:
   * cuts and block reads never hold up the sockets); `caller` (default) on
   * the calling thread.
   */
  readonly embeddedThread?: 'own' | 'caller';
  /** Told when a store's background work (ClickHouse retention) fails. */
  readonly onBackgroundError?: (error: unknown, what: string) => void;
}

export interface ClickHouseConfig {
  /** HTTP interface, e.g. http://127.0.0.1:8123 */
  readonly url: string;
  readonly database: string;
  readonly username?: string;
  readonly password?: string;
  /** Cluster mode: local tables on every shard plus Distributed tables over them. */
  readonly cluster?: string;
  /** Replicated cluster: an insert is acknowledged once this many replicas of its shard hold it (`insert_quorum`). */
  readonly insertQuorum?: number;
}

/** Opens the store a configuration names: the one factory the server calls. */
export async function openStore(config: StoreConfig): Promise<SpanStore> {
  switch (config.storage) {
    case 'memory':
      return openMemoryStore(config.maxTraces === undefined ? {} : { maxTraces: config.maxTraces });
    case 'embedded': {
      const options = {
        dataDir: config.dataDir,
        ...(config.retentionNanos === undefined ? {} : { retentionNanos: config.retentionNanos }),
        ...(config.retentionKeptNanos === undefined ? {} : { retentionKeptNanos: config.retentionKeptNanos }),
        ...(config.retentionPolicy === undefined ? {} : { retentionPolicy: config.retentionPolicy }),
      };
      return config.embeddedThread === 'own' ? openEmbeddedStoreInWorker(options) : openEmbeddedStore(options);
    }
    case 'clickhouse':
      if (config.clickhouse === undefined) {
        throw new AriadneError('InvalidQuery', 'the ClickHouse store needs a URL and a database (clickhouse config)');
      }
      if (config.retentionKeptNanos !== undefined && config.retentionNanos !== undefined) {
        return openClickHouseKeptStore({
          ...config.clickhouse,
          retentionNanos: config.retentionNanos,
          retentionKeptNanos: config.retentionKeptNanos,
          retentionPolicy: config.retentionPolicy ?? DEFAULT_RETENTION_POLICY,
          ...(config.onBackgroundError === undefined ? {} : { onBackgroundError: config.onBackgroundError }),
        });
      }
      return openClickHouseStore({
        ...config.clickhouse,
        ...(config.retentionNanos === undefined ? {} : { retentionNanos: config.retentionNanos }),
        ...(config.onBackgroundError === undefined ? {} : { onBackgroundError: config.onBackgroundError }),
      });
    default:
      throw new RangeError(`unknown storage kind "${String(config.storage)}"`);
  }
}
