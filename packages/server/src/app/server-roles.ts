import { getRequestListener } from '@hono/node-server';
import { Hono } from 'hono';
import { listenHttp } from '../http/listen.js';
import { securityHeaders } from '../http/security-headers.js';
import { listenerTls } from './listener-security.js';
import { openListeners } from './open-listeners.js';
import { addOperatorRoutes } from './query-http-app.js';
import type { ServerModule } from './server-module.js';
import {
  jaegerModule,
  otlpModule,
  queryModule,
  SERVER_MODULES,
  samplingModule,
  tempoModule,
  zipkinModuleFor,
} from './server-modules.js';
import type { ServerRole } from './server-role.js';

/**
 * A collector's port 16686 (`--query-port`): `/health`, `/ready` and
 * `/metrics` only, for probes and Prometheus (Jaeger's collector has an admin
 * port for the same). No UI, no query API: `/api/...` is 404.
 */
export const collectorAdminModule: ServerModule = {
  name: 'admin',
  start: (context) => {
    const app = new Hono();
    app.use('*', securityHeaders("default-src 'none'; frame-ancestors 'none'"));
    addOperatorRoutes(app, {
      isReady: context.isReady,
      readiness: context.readiness,
      metrics: context.metrics.registry,
      ...(context.access ? { access: context.access } : {}),
    });
    app.all('*', (c) => c.text('a collector serves no query API or UI: ask a query node (ariadne query)\n', 404));
    return openListeners(context, [
      {
        port: 'query',
        label: 'health and metrics',
        path: '/ready',
        open: (port) =>
          listenHttp('query', context.config.host, port, getRequestListener(app.fetch), listenerTls(context, 'query')),
      },
    ]);
  },
};

const COLLECTOR_MODULES: readonly ServerModule[] = [
  collectorAdminModule,
  otlpModule,
  jaegerModule,
  zipkinModuleFor({ receiver: true, queryApi: false }),
  samplingModule,
];

const QUERY_MODULES: readonly ServerModule[] = [
  queryModule,
  zipkinModuleFor({ receiver: false, queryApi: true }),
  tempoModule,
];

/**
 * What one process runs (Tempo's targets, Jaeger's collector and query
 * binaries): `all` (`ariadne serve`) everything; `collector` the receivers,
 * the pipeline, the writer and remote sampling (it learns from the spans it
 * receives); `query` the web UI and every query API. Collectors and query
 * nodes meet only in the shared store (ClickHouse), so any number of each
 * can run.
 */
export function modulesOfRole(role: ServerRole): readonly ServerModule[] {
  switch (role) {
    case 'all':
      return SERVER_MODULES;
    case 'collector':
      return COLLECTOR_MODULES;
    case 'query':
      return QUERY_MODULES;
  }
}
