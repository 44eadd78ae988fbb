import type { Hono } from 'hono';
import type { TenantId } from '../tenancy/tenant-id.js';
import { TenantMap } from '../tenancy/tenant-map.js';
import { DEFAULT_MAX_TENANTS } from './serve-config.js';
import type { ModuleContext } from './server-module.js';

/**
 * A module's per-tenant APIs: built on a tenant's first request (usually
 * over `context.storageFor(tenant)`), released when the server stops. Pair
 * with `routeByTenant`, which hands each request to its tenant's.
 */
export function tenantApps<T extends { readonly app: Hono }>(
  context: ModuleContext,
  create: (tenant: TenantId) => Promise<T> | T,
  release?: (value: T) => Promise<void> | void,
): TenantMap<T> {
  const apps = new TenantMap<T>({
    create,
    ...(release === undefined ? {} : { release }),
    maxTenants: context.config.maxTenants ?? DEFAULT_MAX_TENANTS,
  });
  context.onStop(() => apps.close());
  return apps;
}
