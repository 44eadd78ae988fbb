import { join } from 'node:path';
import { openStore } from '../storage/open-store.js';
import type { SpanStore } from '../storage/span-store.js';
import type { ServeConfig } from './serve-config.js';

/**
 * The archive behind `POST /api/archive/{traceId}`: traces kept past
 * retention. A second store of its own, never subject to retention: embedded
 * in `<data-dir>/archive` for persistent setups, in memory for a memory server.
 */
export function openArchiveStore(config: ServeConfig): Promise<SpanStore> {
  if (config.storage === 'memory') return openStore({ storage: 'memory', dataDir: config.dataDir, maxTraces: 10_000 });
  return openStore({ storage: 'embedded', dataDir: join(config.dataDir, 'archive') });
}
