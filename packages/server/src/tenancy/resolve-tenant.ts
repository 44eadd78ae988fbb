import { AriadneError } from '@ariadne/protocol';
import type { RequestHeaders } from './request-headers.js';
import { parseTenantId, SINGLE_TENANT, type TenantId } from './tenant-id.js';

/** The header (HTTP) and metadata key (gRPC, where keys are lowercase) that names the tenant, as in Tempo. */
export const TENANT_HEADER = 'x-scope-orgid';

/** What decides whose a request is. */
export interface TenancyConfig {
  /** Every request names its tenant in `X-Scope-OrgID`. Off (default): everything is `SINGLE_TENANT`. */
  readonly multitenancy?: boolean;
}

/**
 * The one place that says whose a request is: every receiver and query API
 * calls it with the request's headers (or gRPC metadata) before it reads or
 * writes anything, and uses the tenant it returns to reach that tenant's
 * store. Without multitenancy every request is `SINGLE_TENANT`. With it,
 * the tenant is the `X-Scope-OrgID` header; a request without one is refused
 * with `Unauthenticated` (HTTP 401, gRPC UNAUTHENTICATED), one whose id breaks
 * Tempo's rules with `InvalidTenant` (400, INVALID_ARGUMENT). Authentication
 * by token plugs in here, so that no caller changes when it does.
 */
export function resolveTenant(headers: RequestHeaders, config: TenancyConfig): TenantId {
  if (!config.multitenancy) return SINGLE_TENANT;
  const named = headers(TENANT_HEADER)?.trim() ?? '';
  if (named === '') {
    throw new AriadneError(
      'Unauthenticated',
      'this server keeps tenants apart: name yours in the X-Scope-OrgID header (gRPC metadata x-scope-orgid)',
    );
  }
  return parseTenantId(named);
}
