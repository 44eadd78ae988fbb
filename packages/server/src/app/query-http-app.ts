import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { type Context, Hono } from 'hono';
import type { AccessControl } from '../auth/access-control.js';
import { ADMIN, accessGrantOfContext, honoAccess, QUERY } from '../auth/http-access.js';
import {
  contentSecurityPolicy,
  corsForOrigins,
  inlineScriptHashes,
  securityHeaders,
} from '../http/security-headers.js';
import { createJaegerQueryApi } from '../query/jaeger/jaeger-query-api.js';
import type { QueryCaps } from '../query/query-caps.js';
import type { SpanReader, SpanStore } from '../storage/span-store.js';
import type { MetricsRegistry } from '../telemetry/metrics-registry.js';
import type { RefusalBody } from '../tenancy/route-by-tenant.js';
import { createStaticUi } from '../ui/static-ui.js';
import type { Readiness } from './readiness.js';

export interface QueryHttpAppOptions {
  readonly uiDir: string;
  /** Served as Prometheus text on `/metrics`. */
  readonly metrics: MetricsRegistry;
  /** `/health` answers 200 only once this says every listener is up. */
  readonly isReady: () => boolean;
  /** `/ready`: 200 once every registered check passes (the store reachable, ...), else 503 with the reasons. */
  readonly readiness?: Readiness;
  /**
   * Answers every `/api/*` request, from the data of the caller's tenant
   * (`routeByTenant` over `createTenantQueryApi`). Health, metrics and the
   * UI's files are nobody's data and need no tenant. `env` is the route's
   * `c.env`, where `routeByTenant` finds the `--auth` grant.
   */
  readonly api: (request: Request, env: unknown) => Promise<Response> | Response;
  /**
   * `--auth`: `/health` and the UI's files stay open (the page must load to
   * show its sign-in form; it holds no data), `/metrics` needs admin, every
   * `/api/*` query.
   */
  readonly access?: AccessControl;
  /** `--multitenancy`: told to the UI by `/api/whoami`, which then asks for a tenant. */
  readonly multitenancy?: boolean;
  /** Origins whose pages may read the answers (`--cors-origin`); none by default. */
  readonly corsOrigins?: readonly string[];
}

/**
 * Port 16686: health, metrics, the query APIs under `/api/` and the web UI,
 * every answer with the security headers (`security-headers.ts`), and CORS
 * only for the origins `corsOrigins` names. With `--auth`, the role check
 * runs first (`/health` open, `/metrics` admin, the rest query) and
 * attaches the token's tenant to the request; `api` then routes by that
 * tenant.
 */
export function createQueryHttpApp(options: QueryHttpAppOptions): Hono {
  const app = new Hono();
  app.use('*', securityHeaders(contentSecurityPolicy(inlineScriptHashes(readIndexHtml(options.uiDir)))));
  if ((options.corsOrigins ?? []).length > 0) app.use('*', corsForOrigins(options.corsOrigins ?? []));
  addOperatorRoutes(app, options);
  const { access } = options;
  if (access === undefined) {
    app.get('/api/whoami', (c) => c.json(whoamiWithoutAuth(c, options.multitenancy === true)));
  } else {
    // Routes answer in the order they were added: /health, /metrics and /api/whoami before the catch-all query check.
    app.get('/api/whoami', honoAccess(access, 'query', QUERY_ANY_TENANT), (c) => whoamiWithAuth(c));
    app.use('/api/*', honoAccess(access, 'query', QUERY));
  }
  app.all('/api/*', (c) => options.api(c.req.raw, c.env));
  const ui = createStaticUi(options.uiDir);
  if (ui) app.get('*', ui);
  else
    app.get('*', (c) => c.text(`The web UI is not built (no index.html in ${options.uiDir}). Run: npm run build`, 404));
  return app;
}

/**
 * `/health`, `/ready` and `/metrics`: what operators and load balancers ask
 * every role, the collector's port included. `/health` and `/ready` are open
 * (probes carry no token; they tell nothing about the data), `/metrics`
 * needs the admin role under `--auth`.
 */
export function addOperatorRoutes(
  app: Hono,
  options: Pick<QueryHttpAppOptions, 'isReady' | 'readiness' | 'metrics' | 'access'>,
): void {
  app.get('/health', (c) => (options.isReady() ? c.json({ status: 'ok' }) : c.json({ status: 'starting' }, 503)));
  app.get('/ready', async (c) => {
    if (!options.isReady()) return c.json({ status: 'starting', reasons: [] }, 503);
    const report = options.readiness === undefined ? { ready: true, reasons: [] } : await options.readiness.report();
    return report.ready ? c.json({ status: 'ready' }) : c.json({ status: 'not ready', reasons: report.reasons }, 503);
  });
  const metrics = (c: Context) =>
    c.text(options.metrics.render(), 200, { 'Content-Type': 'text/plain; version=0.0.4; charset=utf-8' });
  if (options.access === undefined) app.get('/metrics', metrics);
  else app.get('/metrics', honoAccess(options.access, 'query', ADMIN), metrics);
}

/**
 * What `/api/whoami` needs: the query role, but no tenant picked yet, since
 * the UI asks it which tenants a token has before it can pick one.
 */
const QUERY_ANY_TENANT = { ...QUERY, tenantScoped: false };

/** `/api/whoami`: what the web UI needs to know to sign in and offer tenants. */
export interface Whoami {
  /** `--auth` is on: every `/api/*` request needs a token. */
  readonly auth: boolean;
  /** Requests name a tenant (`--multitenancy`, or `--auth`). */
  readonly tenancy: boolean;
  /** The tenants the token may use; empty without `--auth` (any tenant may be named). */
  readonly tenants: readonly string[];
  /** The tenant requests like this one act for; null when none is picked yet. */
  readonly tenant: string | null;
}

function whoamiWithAuth(c: Context): Response {
  const tenants = accessGrantOfContext(c)?.tenants ?? [];
  const asked = c.req.header('x-scope-orgid')?.trim() ?? '';
  // The same choice the tenant-scoped check makes, without refusing: the UI is asking what to pick.
  const tenant = asked === '' ? (tenants.length === 1 ? tenants[0]! : null) : tenants.find((t) => t === asked);
  if (tenant === undefined) return c.text(`this token may not use tenant "${asked}"\n`, 403);
  const body: Whoami = { auth: true, tenancy: true, tenants, tenant };
  return c.json(body);
}

function whoamiWithoutAuth(c: Context, multitenancy: boolean): Whoami {
  const asked = c.req.header('x-scope-orgid')?.trim() ?? '';
  return { auth: false, tenancy: multitenancy, tenants: [], tenant: multitenancy && asked !== '' ? asked : null };
}

/** The UI's page, whose inline scripts the policy allows by hash; empty when the UI is not built. */
function readIndexHtml(uiDir: string): string {
  try {
    return readFileSync(join(uiDir, 'index.html'), 'utf8');
  } catch {
    return '';
  }
}

export interface TenantQueryApiOptions {
  /** One tenant's store: everything this API reads. */
  readonly reader: SpanReader;
  /** Where `POST /api/archive/{traceId}` keeps the tenant's traces past retention. */
  readonly archive?: SpanStore;
  /** The Jaeger API's caps (`--max-search-window`). */
  readonly caps?: QueryCaps;
  /** More APIs (API v3, live tail, Tempo, trace view), mounted before the `/api/*` catch-all. */
  readonly apis?: readonly Hono[];
}

/** One tenant's `/api/*` on port 16686: the Jaeger-compatible APIs (internal and v3), live tail, Tempo's routes. */
export function createTenantQueryApi(options: TenantQueryApiOptions): Hono {
  const app = new Hono();
  app.route(
    '/',
    createJaegerQueryApi(options.reader, { ...options.caps, ...(options.archive ? { archive: options.archive } : {}) }),
  );
  for (const api of options.apis ?? []) app.route('/', api);
  app.all('/api/*', (c) => c.json(jaegerError(404, `no API at ${c.req.path}`), 404));
  return app;
}

/** Jaeger's error envelope, which the UI reads. */
function jaegerError(code: number, msg: string) {
  return { data: null, total: 0, limit: 0, offset: 0, errors: [{ code, msg }] };
}

/** A refusal before any tenant's API is reached, in the same envelope. */
export const jaegerRefusal: RefusalBody = (status, message) => Response.json(jaegerError(status, message), { status });
