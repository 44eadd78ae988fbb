import { AriadneError } from '@ariadne/protocol';
import { parseTenantId, SINGLE_TENANT, type TenantId } from './tenant-id.js';
import type { TenantRequest } from './tenant-request.js';

/** The header (HTTP) and metadata key (gRPC, where keys are lowercase) that names the tenant, as in Tempo. */
export const TENANT_HEADER = 'x-scope-orgid';

/** What decides whose a request is. */
export interface TenancyConfig {
  /** Every request names its tenant in `X-Scope-OrgID`. Off (default): everything is `SINGLE_TENANT`. */
  readonly multitenancy?: boolean;
  /**
   * `--auth`: the file of tokens (JSON Lines of SHA-256 digests, tenants and
   * roles). Set, every HTTP and gRPC endpoint but `/health` needs a token,
   * and a request's tenant is the one its token was allowed for: tenants are
   * kept apart as with `multitenancy`, which it implies.
   */
  readonly authFile?: string;
}

/** True when requests belong to tenants of their own: with `--multitenancy`, and with `--auth` (a token names its tenants). */
export function keepsTenantsApart(config: TenancyConfig): boolean {
  return config.multitenancy === true || config.authFile !== undefined;
}

/**
 * The one place that says whose a request is: every receiver and query API
 * calls it with the request (`tenantRequestOf…`) before it reads or writes
 * anything, and uses the tenant it returns to reach that tenant's store.
 *
 * - With `--auth`, the tenant is the one the `--auth` check allowed the
 *   request for: the token's, picked with `X-Scope-OrgID` when it has
 *   several. The header says nothing more here: a token of team-a only ever
 *   reaches team-a's stores. A request that reached this point without a
 *   grant is refused (`Unauthenticated`): an endpoint left unguarded by
 *   mistake serves nobody rather than everybody.
 * - With `--multitenancy` alone, the tenant is the `X-Scope-OrgID` header; a
 *   request without one is refused with `Unauthenticated` (HTTP 401, gRPC
 *   UNAUTHENTICATED), one whose id breaks Tempo's rules with `InvalidTenant`
 *   (400, INVALID_ARGUMENT).
 * - Without either, every request is `SINGLE_TENANT`.
 */
export function resolveTenant(request: TenantRequest, config: TenancyConfig): TenantId {
  if (config.authFile !== undefined) {
    const granted = request.grant?.tenant;
    if (granted === undefined) {
      throw new AriadneError(
        'Unauthenticated',
        'this server takes the tenant from the access token, and none was checked',
      );
    }
    return granted;
  }
  if (!config.multitenancy) return SINGLE_TENANT;
  const named = request.headers(TENANT_HEADER)?.trim() ?? '';
  if (named === '') {
    throw new AriadneError(
      'Unauthenticated',
      'this server keeps tenants apart: name yours in the X-Scope-OrgID header (gRPC metadata x-scope-orgid)',
    );
  }
  return parseTenantId(named);
}
