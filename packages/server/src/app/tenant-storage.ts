import { join } from 'node:path';
import { DEFAULT_RETENTION_POLICIES, policyForTenant } from '../retention/retention-policy.js';
import { openStore, type StoreConfig } from '../storage/open-store.js';
import type { SpanStore } from '../storage/span-store.js';
import type { SpoolGroup } from '../storage/spool/spool-group.js';
import { SINGLE_TENANT, type TenantId } from '../tenancy/tenant-id.js';
import { tenantStorageName } from '../tenancy/tenant-storage-name.js';
import type { ServeConfig } from './serve-config.js';
import { openSpooledTenantStore } from './tenant-spool.js';

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
export interface TenantStorageOptions {
  /** ClickHouse only: the spools that take writes while the store is away. */
  readonly spools?: SpoolGroup | undefined;
  readonly log?: (line: string) => void;
  /** Failures of the store's background work (retention), with what failed. */
  readonly onBackgroundError?: (error: unknown, what: string) => void;
}

export async function openTenantStorage(
  config: ServeConfig,
  tenant: TenantId,
  options: TenantStorageOptions = {},
): Promise<TenantStorage> {
  const { spools, log, onBackgroundError } = options;
  const background = onBackgroundError === undefined ? {} : { onBackgroundError };
  const open = () => openStore({ ...tenantStoreConfig(config, tenant), ...background });
  const store = await openSpooledTenantStore(config, tenant, open, spools, log);
  try {
    return { store, archive: await openStore({ ...tenantArchiveConfig(config, tenant), ...background }) };
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
 * Collectors and query nodes keep it in ClickHouse, a database beside the
 * tenant's (`<database>_archive`, `<database>_archive_t_<name>`; never
 * subject to retention): every query node then reads and writes the same
 * archive, and none needs a data folder.
 */
export function tenantArchiveConfig(config: ServeConfig, tenant: TenantId): StoreConfig {
  const dataDir = tenantDataDir(config.dataDir, tenant);
  if (config.storage === 'memory') return { storage: 'memory', dataDir, maxTraces: 10_000 };
  const clickhouse = config.clickhouse;
  if ((config.role ?? 'all') !== 'all' && clickhouse !== undefined) {
    const suffix = tenant === SINGLE_TENANT ? '' : `_t_${tenantStorageName(tenant)}`;
    return {
      storage: 'clickhouse',
      dataDir,
      clickhouse: { ...clickhouse, database: `${clickhouse.database}_archive${suffix}` },
    };
  }
  return { storage: 'embedded', dataDir: join(dataDir, 'archive') };
}
