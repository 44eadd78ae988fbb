import { join } from 'node:path';
import type { SpanStore } from '../storage/span-store.js';
import type { SpoolGroup } from '../storage/spool/spool-group.js';
import { openSpooledStore } from '../storage/spool/spooled-store.js';
import { SINGLE_TENANT, type TenantId } from '../tenancy/tenant-id.js';
import { tenantStorageName } from '../tenancy/tenant-storage-name.js';
import type { ServeConfig } from './serve-config.js';

/**
 * Where a tenant's ClickHouse writes wait while ClickHouse is away:
 * `--spool-dir` (default `<data-dir>/spool`) for `single-tenant`, and
 * `tenants/<name>` under it for the others, as the data folder is laid out.
 */
export function tenantSpoolDir(config: ServeConfig, tenant: TenantId): string {
  const base = config.spoolDir ?? join(config.dataDir, 'spool');
  return tenant === SINGLE_TENANT ? base : join(base, 'tenants', tenantStorageName(tenant));
}

/**
 * The tenant's store with the spool around its write path: ClickHouse only.
 * The embedded store needs none (its own WAL makes a batch durable before it
 * is acknowledged, on this machine, and nothing remote can be away), nor
 * does the memory store (nothing it holds outlives the process anyway).
 */
export async function spoolTenantStore(
  config: ServeConfig,
  tenant: TenantId,
  store: SpanStore,
  group: SpoolGroup | undefined,
  log: (line: string) => void = () => {},
): Promise<SpanStore> {
  if (config.storage !== 'clickhouse' || group === undefined) return store;
  try {
    const { store: spooled } = await openSpooledStore(store, { dir: tenantSpoolDir(config, tenant), group, log });
    return spooled;
  } catch (error) {
    await store.close();
    throw error;
  }
}
