import { type Context, Hono } from 'hono';
import type { AccessControl } from '../auth/access-control.js';
import { ADMIN, honoAccess, QUERY } from '../auth/http-access.js';
import { createJaegerQueryApi } from '../query/jaeger/jaeger-query-api.js';
import type { SpanReader, SpanStore } from '../storage/span-store.js';
import type { MetricsRegistry } from '../telemetry/metrics-registry.js';
import { createStaticUi } from '../ui/static-ui.js';

export interface QueryHttpAppOptions {
  readonly reader: SpanReader;
  readonly uiDir: string;
  /** Served as Prometheus text on `/metrics`. */
  readonly metrics: MetricsRegistry;
  /** `/health` answers 200 only once this says every listener is up. */
  readonly isReady: () => boolean;
  /** Where `POST /api/archive/{traceId}` keeps traces past retention. */
  readonly archive?: SpanStore;
  /** `--auth`: `/health` stays open, `/metrics` needs admin, everything else (APIs, UI) query. */
  readonly access?: AccessControl;
  /** More APIs on this port (API v3, live tail), mounted before the `/api/*` catch-all. */
  readonly apis?: readonly Hono[];
}

/** Port 16686: health, metrics, the Jaeger-compatible APIs (internal and v3), live tail and the web UI. */
export function createQueryHttpApp(options: QueryHttpAppOptions): Hono {
  const app = new Hono();
  app.get('/health', (c) => (options.isReady() ? c.json({ status: 'ok' }) : c.json({ status: 'starting' }, 503)));
  const metrics = (c: Context) =>
    c.text(options.metrics.render(), 200, { 'Content-Type': 'text/plain; version=0.0.4; charset=utf-8' });
  const { access } = options;
  if (access === undefined) app.get('/metrics', metrics);
  else {
    // Routes answer in the order they were added: /health and /metrics before the catch-all query check.
    app.get('/metrics', honoAccess(access, 'query', ADMIN), metrics);
    app.use('*', honoAccess(access, 'query', QUERY));
  }
  app.route('/', createJaegerQueryApi(options.reader, options.archive ? { archive: options.archive } : {}));
  for (const api of options.apis ?? []) app.route('/', api);
  app.all('/api/*', (c) =>
    c.json({ data: null, total: 0, limit: 0, offset: 0, errors: [{ code: 404, msg: `no API at ${c.req.path}` }] }, 404),
  );
  const ui = createStaticUi(options.uiDir);
  if (ui) app.get('*', ui);
  else
    app.get('*', (c) => c.text(`The web UI is not built (no index.html in ${options.uiDir}). Run: npm run build`, 404));
  return app;
}
