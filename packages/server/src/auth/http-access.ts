import type { IncomingHttpHeaders, IncomingMessage, ServerResponse } from 'node:http';
import type { Context, MiddlewareHandler } from 'hono';
import type { RequestHandler } from '../http/listen.js';
import type { TenantId } from '../tenancy/tenant-id.js';
import type { AccessControl } from './access-control.js';
import type { AccessDecision, AccessNeed, AccessRequest } from './authorize.js';

/** What a request was allowed as; handlers read it with `accessGrantOf`. */
export interface AccessGrant {
  /**
   * The tenant the request acts for (from the token, picked with
   * X-Scope-OrgID when it has several). `resolveTenant` takes it from here
   * when --auth is on; undefined on process-wide endpoints (`/metrics`).
   */
  readonly tenant: TenantId | undefined;
  /** Every tenant the token may use: what the web UI's tenant switcher offers (`/api/whoami`). */
  readonly tenants: readonly TenantId[];
}

/** `open`: served to anyone (`/health`); otherwise what the endpoint needs. */
export type HttpNeed = AccessNeed | 'open';

export const INGEST: AccessNeed = { role: 'ingest', tenantScoped: true };
export const QUERY: AccessNeed = { role: 'query', tenantScoped: true };
export const ADMIN: AccessNeed = { role: 'admin', tenantScoped: false };

/**
 * Grants by request. A WeakMap, not a header or a property a client could
 * set: only the guard writes it, and it goes with the request.
 */
const grants = new WeakMap<IncomingMessage, AccessGrant>();

/**
 * The grant of a request that passed an `--auth` guard; undefined when auth
 * is off (or the endpoint is open). In a Hono app served by
 * `getRequestListener`, the request is `c.env.incoming`: use
 * `accessGrantOfContext(c)`.
 */
export function accessGrantOf(request: IncomingMessage): AccessGrant | undefined {
  return grants.get(request);
}

/** `accessGrantOf` for a Hono handler. */
export function accessGrantOfContext(c: Context): AccessGrant | undefined {
  return accessGrantOfEnv(c.env);
}

/**
 * `accessGrantOf` for a fetch handler served by `getRequestListener`, whose
 * second argument (`env`) holds the Node request as `incoming`.
 */
export function accessGrantOfEnv(env: unknown): AccessGrant | undefined {
  const incoming = (env as { incoming?: IncomingMessage } | undefined)?.incoming;
  return incoming === undefined ? undefined : grants.get(incoming);
}

function accessRequestOf(headers: IncomingHttpHeaders): AccessRequest {
  const orgId = headers['x-scope-orgid'];
  return { authorization: headers.authorization, scopeOrgId: Array.isArray(orgId) ? orgId.join(',') : orgId };
}

/** How a listener words a refusal; the default is plain text. Status and headers are set by the guard. */
export type SendRefusal = (
  request: IncomingMessage,
  response: ServerResponse,
  status: 401 | 403,
  message: string,
) => void;

const sendPlainRefusal: SendRefusal = (_request, response, status, message) => {
  response.writeHead(status, { 'Content-Type': 'text/plain; charset=utf-8' }).end(`${message}\n`);
};

export interface HttpGuardOptions {
  readonly access: AccessControl;
  /** Listener name, the `listener` label on `ariadne_auth_failures_total`. */
  readonly listener: string;
  /**
   * What a request needs, decided from what the handler behind routes by
   * (for the Zipkin port, its own ingest-path test), so the two never disagree.
   */
  readonly needOf: (request: IncomingMessage) => HttpNeed;
  readonly sendRefusal?: SendRefusal;
}

/**
 * Wraps a listener's handler with the `--auth` check: a refused request is
 * answered 401 (with `WWW-Authenticate`) or 403 before the handler sees it,
 * its body drained unread; an allowed one reaches the handler with its grant.
 */
export function guardHttp(handler: RequestHandler, options: HttpGuardOptions): RequestHandler {
  const sendRefusal = options.sendRefusal ?? sendPlainRefusal;
  return (request, response) => {
    const need = options.needOf(request);
    if (need === 'open') {
      handler(request, response);
      return;
    }
    const decision = options.access.check(options.listener, accessRequestOf(request.headers), need);
    if (decision.allowed) {
      grants.set(request, { tenant: decision.tenant, tenants: decision.entry.tenants });
      handler(request, response);
      return;
    }
    request.resume();
    if (decision.status === 401) response.setHeader('WWW-Authenticate', [...decision.challenges]);
    sendRefusal(request, response, decision.status, decision.message);
  };
}

/**
 * The same check as Hono middleware, for an app whose routes decide the
 * role (the query port: `/metrics` needs admin, the rest query), so the
 * route that answers and the role it needs come from one router.
 */
export function honoAccess(access: AccessControl, listener: string, need: AccessNeed): MiddlewareHandler {
  return async (c, next) => {
    const incoming = (c.env as { incoming?: IncomingMessage } | undefined)?.incoming;
    const decision: AccessDecision = access.check(
      listener,
      { authorization: c.req.header('authorization'), scopeOrgId: c.req.header('x-scope-orgid') },
      need,
    );
    if (!decision.allowed) {
      if (decision.status === 401) {
        // A browser answers a Basic challenge with its own password dialog, even to a script's fetch:
        // the web UI, which has its own sign-in page, says so (`X-Requested-With`) and gets Bearer only.
        const fromScript = c.req.header('x-requested-with') !== undefined;
        for (const challenge of decision.challenges) {
          if (fromScript && challenge.startsWith('Basic ')) continue;
          c.header('WWW-Authenticate', challenge, { append: true });
        }
      }
      return c.text(`${decision.message}\n`, decision.status);
    }
    if (incoming !== undefined) grants.set(incoming, { tenant: decision.tenant, tenants: decision.entry.tenants });
    await next();
  };
}
