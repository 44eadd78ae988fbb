import { openEmbeddedStore } from './embedded/embedded-store.js';
import { openMemoryStore } from './memory/memory-store.js';
import type { SpanStore } from './span-store.js';

export const STORE_KINDS = ['embedded', 'memory'] as const;
export type StoreKind = (typeof STORE_KINDS)[number];

export interface StoreConfig {
  readonly storage: StoreKind;
  /** Embedded store: where its files live (created when missing). */
  readonly dataDir: string;
  /** Memory store: traces kept before the least recently written are evicted. */
  readonly maxTraces?: number;
}

/** Opens the store a configuration names: the one factory the server calls. */
export async function openStore(config: StoreConfig): Promise<SpanStore> {
  switch (config.storage) {
    case 'memory':
      return openMemoryStore(config.maxTraces === undefined ? {} : { maxTraces: config.maxTraces });
    case 'embedded':
      return openEmbeddedStore({ dataDir: config.dataDir });
    default:
      throw new RangeError(`unknown storage kind "${String(config.storage)}"`);
  }
}
