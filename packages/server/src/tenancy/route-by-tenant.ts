import { isAriadneError } from '@ariadne/protocol';
import type { Hono } from 'hono';
import { SEARCH_RETRY_AFTER_SECONDS } from '../limits/tenant-limiter.js';
import { httpStatusOfError } from '../query/http-error-status.js';
import { resolveTenant, type TenancyConfig } from './resolve-tenant.js';
import type { TenantId } from './tenant-id.js';
import { tenantRequestOfFetch } from './tenant-request.js';

/** How a port words a refusal (no tenant, a bad one, no room for another): its protocol's error shape. */
export type RefusalBody = (status: number, message: string) => Response;

export const plainRefusal: RefusalBody = (status, message) =>
  new Response(`${message}\n`, { status, headers: { 'Content-Type': 'text/plain; charset=utf-8' } });

/**
 * A fetch handler that answers each request from its own tenant's app: it
 * asks `resolveTenant` whose the request is (`env` is what
 * `@hono/node-server` passes a fetch handler, `c.env` in a Hono route: it
 * carries the `--auth` grant), then hands it to that tenant's
 * Hono app (built on first use over the tenant's store, so every read it
 * makes, every cache it keeps and every live stream it opens is that
 * tenant's alone). A request that is nobody's is refused here, before any
 * store is touched.
 */
export function routeByTenant(
  tenancy: TenancyConfig,
  apps: { get(tenant: TenantId): Promise<{ readonly app: Hono }> },
  refuse: RefusalBody = plainRefusal,
): (request: Request, env: unknown) => Promise<Response> {
  return async (request, env) => {
    let app: Hono;
    try {
      const tenant = resolveTenant(tenantRequestOfFetch(request, env), tenancy);
      ({ app } = await apps.get(tenant));
    } catch (error) {
      const message = isAriadneError(error) ? error.message : 'internal error';
      return refuse(httpStatusOfError(error), message);
    }
    const response = await app.fetch(request);
    // A tenant over its concurrent searches (429) is told when to try again, in every API's answer.
    if (response.status === 429 && !response.headers.has('retry-after')) {
      response.headers.set('Retry-After', String(SEARCH_RETRY_AFTER_SECONDS));
    }
    return response;
  };
}
