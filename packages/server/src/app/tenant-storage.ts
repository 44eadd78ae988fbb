import { join } from 'node:path';
import { DEFAULT_RETENTION_POLICIES, policyForTenant } from '../retention/retention-policy.js';
import { openStore, type StoreConfig } from '../storage/open-store.js';
import type { SpanStore } from '../storage/span-store.js';
import { SINGLE_TENANT, type TenantId } from '../tenancy/tenant-id.js';
import { tenantStorageName } from '../tenancy/tenant-storage-name.js';
import type { ServeConfig } from './serve-config.js';

/** What one tenant's data lives in: its spans, and its archive (traces kept past retention). */
export interface TenantStorage {
  readonly store: SpanStore;
  /** Behind `POST /api/archive/{traceId}`: never subject to retention. */
  readonly archive: SpanStore;
}

/**
 * Each tenant has stores of its own, so a read handed one tenant's store
 * cannot reach another's data whatever it forgets to filter:
 *
 * - memory: a store per tenant (each keeps up to `maxTraces`);
 * - embedded: a data folder per tenant, `<data-dir>/tenants/<name>`, laid out
 *   as the data folder itself (`wal`, `blocks`, `archive`), each on its own
 *   store thread; `single-tenant` keeps the data folder itself, so a data
 *   folder from before multitenancy is that tenant's, unchanged;
 * - ClickHouse: a database per tenant, `<database>_t_<name>`, created and
 *   migrated on the tenant's first request; `single-tenant` keeps the
 *   database itself. (Not a tenant column: existing tables would have to be
 *   rewritten to lead their sort key with it, and every query would have to
 *   remember the filter.)
 *
 * `<name>` is `tenantStorageName`: safe as a folder and an identifier, one per tenant.
 */
export async function openTenantStorage(config: ServeConfig, tenant: TenantId): Promise<TenantStorage> {
  const store = await openStore(tenantStoreConfig(config, tenant));
  try {
    return { store, archive: await openStore(tenantArchiveConfig(config, tenant)) };
  } catch (error) {
    await store.close();
    throw error;
  }
}

export async function closeTenantStorage(storage: TenantStorage): Promise<void> {
  await Promise.allSettled([storage.archive.close(), storage.store.close()]);
}

/** Where the embedded store keeps a tenant's files (and where its archive folder is). */
export function tenantDataDir(dataDir: string, tenant: TenantId): string {
  return tenant === SINGLE_TENANT ? dataDir : join(dataDir, 'tenants', tenantStorageName(tenant));
}

export function tenantStoreConfig(config: ServeConfig, tenant: TenantId): StoreConfig {
  const clickhouse = config.clickhouse;
  return {
    storage: config.storage,
    dataDir: tenantDataDir(config.dataDir, tenant),
    embeddedThread: 'own',
    maxTraces: config.maxTraces,
    ...(config.retentionNanos === undefined ? {} : { retentionNanos: config.retentionNanos }),
    ...(config.retentionKeptNanos === undefined
      ? {}
      : {
          retentionKeptNanos: config.retentionKeptNanos,
          retentionPolicy: policyForTenant(config.retentionPolicies ?? DEFAULT_RETENTION_POLICIES, tenant),
        }),
    ...(clickhouse === undefined
      ? {}
      : {
          clickhouse: {
            ...clickhouse,
            database:
              tenant === SINGLE_TENANT ? clickhouse.database : `${clickhouse.database}_t_${tenantStorageName(tenant)}`,
          },
        }),
  };
}

/**
 * The archive: embedded in `archive` under the tenant's data folder for
 * persistent setups (ClickHouse included), in memory for a memory server.
 */
export function tenantArchiveConfig(config: ServeConfig, tenant: TenantId): StoreConfig {
  const dataDir = tenantDataDir(config.dataDir, tenant);
  if (config.storage === 'memory') return { storage: 'memory', dataDir, maxTraces: 10_000 };
  return { storage: 'embedded', dataDir: join(dataDir, 'archive') };
}
