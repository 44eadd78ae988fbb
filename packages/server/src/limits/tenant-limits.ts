import type { TenantId } from '../tenancy/tenant-id.js';

/**
 * One tenant's limits, each absent when there is none. Ingest rates are token
 * buckets (a sustained rate and a burst); searches are bounded in how many
 * run at once and in the time window each may cover.
 */
export interface TenantLimits {
  readonly spansPerSecond?: number;
  /** Spans let through at once after a quiet spell; default one second's worth. */
  readonly spansBurst?: number;
  /** Request bytes (as received, before decompression by gRPC or after by HTTP: the body the pipeline gets). */
  readonly bytesPerSecond?: number;
  readonly bytesBurst?: number;
  readonly maxConcurrentSearches?: number;
  /** Longest time range one search may cover. */
  readonly maxSearchWindowNanos?: bigint;
}

/** The `--limits` file: limits for every tenant, and some tenants' own. */
export interface TenantLimitsConfig {
  readonly defaults: TenantLimits;
  /** Field by field over `defaults`: a tenant's file entry changes only what it names. */
  readonly overrides: ReadonlyMap<TenantId, TenantLimits>;
}

export const NO_TENANT_LIMITS: TenantLimitsConfig = { defaults: {}, overrides: new Map() };

/** The limits that hold for `tenant`: its overrides over the defaults. */
export function limitsOf(config: TenantLimitsConfig, tenant: TenantId): TenantLimits {
  const own = config.overrides.get(tenant);
  return own === undefined ? config.defaults : { ...config.defaults, ...own };
}
