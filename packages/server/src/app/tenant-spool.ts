import { mkdir, readdir, readFile, stat, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { ClickHouseKeptStore } from '../storage/clickhouse/clickhouse-kept-store.js';
import type { ClickHouseStore } from '../storage/clickhouse/clickhouse-store.js';
import type { SpanStore } from '../storage/span-store.js';
import { openLater } from '../storage/spool/open-later.js';
import type { SpoolGroup } from '../storage/spool/spool-group.js';
import { openSpooledStore } from '../storage/spool/spooled-store.js';
import { isTenantId, SINGLE_TENANT, type TenantId } from '../tenancy/tenant-id.js';
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

const TENANT_FILE = 'tenant';

/**
 * Tenants other than `single-tenant` whose spool holds batches (left by a
 * previous process): the server opens their stores at start, so that replay
 * does not wait for the tenant's next request.
 */
export async function tenantsWithSpool(config: ServeConfig): Promise<TenantId[]> {
  const root = join(config.spoolDir ?? join(config.dataDir, 'spool'), 'tenants');
  const names = await readdir(root).catch(() => [] as string[]);
  const found: TenantId[] = [];
  for (const name of names) {
    const files = await readdir(join(root, name)).catch(() => [] as string[]);
    let holds = false;
    for (const file of files.filter((file) => file.endsWith('.wal'))) {
      if ((await stat(join(root, name, file))).size > 0) holds = true;
    }
    const tenant = await readFile(join(root, name, TENANT_FILE), 'utf8').catch(() => undefined);
    if (holds && isTenantId(tenant)) found.push(tenant);
  }
  return found;
}

/**
 * Every method of the ClickHouse store: what a store that has not opened yet
 * offers (`openLater`), so that a server started while ClickHouse is away
 * starts, spools and replays. A test compares it with a real store.
 */
export const CLICKHOUSE_STORE_METHODS = [
  'writeSpans',
  'getTrace',
  'findTraces',
  'getServices',
  'getOperations',
  'getDependencies',
  'getRedMetrics',
  'readRecentSpans',
  'applyRetention',
  'unstoredSpans',
  'close',
] as const satisfies readonly (keyof ClickHouseStore)[];

/** With a kept tier (`--retention-kept`): the tier's methods too, for the APIs and `/metrics`. */
export const CLICKHOUSE_KEPT_STORE_METHODS = [
  ...CLICKHOUSE_STORE_METHODS,
  'traceRetention',
  'runRetention',
  'retentionStats',
] as const satisfies readonly (keyof ClickHouseKeptStore)[];

/**
 * Opens the tenant's store (`open`) with the spool around its write path:
 * ClickHouse only, and opened later if ClickHouse is away now. The embedded
 * store needs no spool (its own WAL makes a batch durable before it is
 * acknowledged, on this machine, and nothing remote can be away), nor does
 * the memory store (nothing it holds outlives the process anyway).
 */
export async function openSpooledTenantStore(
  config: ServeConfig,
  tenant: TenantId,
  open: () => Promise<SpanStore>,
  group: SpoolGroup | undefined,
  log: (line: string) => void = () => {},
): Promise<SpanStore> {
  if (config.storage !== 'clickhouse' || group === undefined) return open();
  const store =
    config.retentionKeptNanos === undefined
      ? await openLater(open as () => Promise<ClickHouseStore>, CLICKHOUSE_STORE_METHODS, { log })
      : await openLater(open as () => Promise<ClickHouseKeptStore>, CLICKHOUSE_KEPT_STORE_METHODS, { log });
  const dir = tenantSpoolDir(config, tenant);
  try {
    if (tenant !== SINGLE_TENANT) {
      // Folder names do not always give the tenant back (long ids are hashed): the id is kept beside the spool.
      await mkdir(dir, { recursive: true });
      await writeFile(join(dir, TENANT_FILE), tenant);
    }
    const { store: spooled } = await openSpooledStore(store, { dir, group, log });
    return spooled;
  } catch (error) {
    await store.close();
    throw error;
  }
}
