import { getRequestListener } from '@hono/node-server';
import { INGEST, QUERY } from '../auth/http-access.js';
import { listenHttp } from '../http/listen.js';
import { logServerErrors } from '../http/log-server-errors.js';
import { createJaegerV3Api } from '../query/jaeger-v3/jaeger-v3-api.js';
import { createLiveTail } from '../query/live/live-tail.js';
import { pollLiveTail } from '../query/live/poll-live-tail.js';
import type { QueryCaps } from '../query/query-caps.js';
import { withQueryDeadlines } from '../query/query-deadline.js';
import { createTempoApi, createTempoStatusApi } from '../query/tempo/tempo-api.js';
import { createTraceViewApi } from '../query/trace-view/trace-view-api.js';
import { createZipkinQueryApi } from '../query/zipkin/zipkin-query-api.js';
import { listenGrpc } from '../receivers/grpc/listen-grpc.js';
import { createJaegerGrpcService } from '../receivers/jaeger-grpc/jaeger-grpc-receiver.js';
import { createJaegerHttpReceiver } from '../receivers/jaeger-http/jaeger-http-receiver.js';
import { listenJaegerUdp } from '../receivers/jaeger-udp/jaeger-udp-receiver.js';
import { createOtlpGrpcService } from '../receivers/otlp-grpc/otlp-grpc-receiver.js';
import { createOtlpHttpReceiver, sendOtlpHttpRefusal } from '../receivers/otlp-http/otlp-http-receiver.js';
import { createZipkinHttpReceiver, isZipkinSpanPost } from '../receivers/zipkin-http/zipkin-http-receiver.js';
import { isRecentSpansReader } from '../storage/recent-spans-reader.js';
import { messageOf } from '../telemetry/logger.js';
import { keepsTenantsApart } from '../tenancy/resolve-tenant.js';
import { routeByTenant } from '../tenancy/route-by-tenant.js';
import { SINGLE_TENANT, type TenantId } from '../tenancy/tenant-id.js';
import { defaultUiDir } from '../ui/static-ui.js';
import { always, grpcReceiverInterceptors, guardedHttp, listenerTls } from './listener-security.js';
import { type ListenerStep, openListeners } from './open-listeners.js';
import { createQueryHttpApp, createTenantQueryApi, jaegerRefusal } from './query-http-app.js';
import type { ModuleContext, ServerModule } from './server-module.js';
import { tenantApps } from './tenant-apps.js';
import { createTenantSampling } from './tenant-sampling.js';

/** Logs a receiver's server-side failures with its name and the error. */
const logErrors = (context: ModuleContext, name: string) => (error: unknown) =>
  context.logger.error({ err: error, listener: name }, `${name}: ${messageOf(error)}`);

/** What every query API refuses past, from the server's config. */
const queryCaps = (context: ModuleContext): QueryCaps => ({
  maxSearchWindowNanos: context.config.maxSearchWindowNanos,
});

/**
 * Port 16686: health, metrics, the Jaeger query APIs (internal, v3, archive),
 * live tail, Tempo's search and TraceQL routes (the UI's TraceQL box uses
 * them; Jaeger keeps `/api/traces/:id`), the UI's compact trace view
 * (`/api/trace-view/:id`, for traces of 100,000 spans) and the web UI.
 * Everything under `/api/` is per tenant: each tenant's APIs read its own
 * stores, and its live tail streams its own spans.
 */
export const queryModule: ServerModule = {
  name: 'query',
  start: async (context) => {
    const apis = tenantApps(
      context,
      async (tenant) => {
        const { store, archive } = await context.storageFor(tenant);
        const liveTail = createLiveTail();
        const caps = queryCaps(context);
        const app = createTenantQueryApi({
          reader: store,
          archive,
          caps,
          apis: [
            createJaegerV3Api(store, caps),
            liveTail.api,
            createTempoApi(store, { ...caps, traceByIdV1: false }),
            createTraceViewApi(store, archive),
          ],
        });
        // A query node hears no pipeline: its live tail reads what collectors wrote (poll-live-tail.ts says why).
        const poller =
          context.config.role === 'query' && isRecentSpansReader(store)
            ? pollLiveTail(store, liveTail, {
                onError: (error) =>
                  context.logger.warn(
                    { err: error, tenant },
                    `live tail: reading recent spans failed: ${messageOf(error)}`,
                  ),
              })
            : undefined;
        return { app, liveTail, poller };
      },
      ({ liveTail, poller }) => {
        poller?.stop();
        liveTail.close();
      },
    );
    context.onStop(
      context.onAccepted(
        (tenant, spans) => apis.peek(tenant)?.liveTail.publish(spans),
        (tenant) => (apis.peek(tenant)?.liveTail.clientCount ?? 0) > 0,
      ),
    );
    const app = createQueryHttpApp({
      uiDir: context.config.uiDir ?? defaultUiDir(),
      metrics: context.metrics.registry,
      isReady: context.isReady,
      readiness: context.readiness,
      api: routeByTenant(context.config, apis, jaegerRefusal),
      ...(context.access ? { access: context.access } : {}),
      multitenancy: context.config.multitenancy === true,
      ...(context.config.corsOrigins === undefined ? {} : { corsOrigins: context.config.corsOrigins }),
    });
    return openListeners(context, [
      {
        port: 'query',
        label: 'web UI and query API',
        open: (port) =>
          listenHttp(
            'query',
            context.config.host,
            port,
            getRequestListener(
              logServerErrors(withQueryDeadlines(app.fetch, context.config.queryTimeoutMs), context.logger, 'query'),
            ),
            listenerTls(context, 'query'),
          ),
      },
    ]);
  },
};

/** OTLP over HTTP (4318) and gRPC (4317). */
export const otlpModule: ServerModule = {
  name: 'otlp',
  start: (context) => {
    const { config, pipeline, metrics } = context;
    return openListeners(context, [
      {
        port: 'otlpHttp',
        label: 'OTLP/HTTP receiver',
        path: '/v1/traces',
        open: (port) =>
          listenHttp(
            'otlp-http',
            config.host,
            port,
            guardedHttp(
              context,
              'otlp-http',
              always(INGEST),
              createOtlpHttpReceiver({
                pipeline,
                metrics,
                tenancy: config,
                maxBodyBytes: config.maxBodyBytes,
                onInternalError: logErrors(context, 'otlp-http'),
              }),
              sendOtlpHttpRefusal,
            ),
            listenerTls(context, 'receiver'),
          ),
      },
      {
        port: 'otlpGrpc',
        label: 'OTLP/gRPC receiver',
        open: (port) =>
          listenGrpc(
            'otlp-grpc',
            config.host,
            port,
            [
              createOtlpGrpcService({
                pipeline,
                metrics,
                tenancy: config,
                onInternalError: logErrors(context, 'otlp-grpc'),
              }),
            ],
            {
              maxMessageBytes: config.maxBodyBytes,
              interceptors: grpcReceiverInterceptors(context, 'otlp-grpc'),
              ...listenerTls(context, 'receiver'),
            },
          ),
      },
    ]);
  },
};

/**
 * Jaeger's collector (Thrift/HTTP 14268, gRPC 14250) and agent (UDP 6831
 * compact, 6832 binary) endpoints. A datagram carries no header to name its
 * tenant and no token: where tenants are kept apart (`--multitenancy` or
 * `--auth`) the UDP ports listen only when `udpTenant` says whose their
 * spans are.
 */
export const jaegerModule: ServerModule = {
  name: 'jaeger',
  start: (context) => {
    const { config, pipeline, metrics } = context;
    const udpTenant = keepsTenantsApart(config) ? config.udpTenant : SINGLE_TENANT;
    const udpPortsOn = config.ports.jaegerCompact !== 'off' || config.ports.jaegerBinary !== 'off';
    if (udpTenant === undefined && udpPortsOn) {
      context.logger.warn(
        `Jaeger agent UDP receivers are off: with ${config.authFile === undefined ? '--multitenancy' : '--auth'} they need --udp-tenant <id>, the tenant they write for (a datagram names no tenant and carries no token)`,
      );
    }
    const udp = (
      port: 'jaegerCompact' | 'jaegerBinary',
      protocol: 'compact' | 'binary',
      tenant: TenantId,
    ): ListenerStep => {
      const name = `jaeger-${protocol}`;
      return {
        port,
        label: `Jaeger agent ${protocol}`,
        open: (bound) =>
          listenJaegerUdp(name, config.host, bound, {
            pipeline,
            metrics,
            protocol,
            tenant,
            onInternalError: logErrors(context, name),
          }),
      };
    };
    return openListeners(context, [
      {
        port: 'jaegerHttp',
        label: 'Jaeger Thrift/HTTP',
        path: '/api/traces',
        open: (port) =>
          listenHttp(
            'jaeger-http',
            config.host,
            port,
            guardedHttp(
              context,
              'jaeger-http',
              always(INGEST),
              createJaegerHttpReceiver({
                pipeline,
                metrics,
                tenancy: config,
                maxBodyBytes: config.maxBodyBytes,
                onInternalError: logErrors(context, 'jaeger-http'),
              }),
            ),
            listenerTls(context, 'receiver'),
          ),
      },
      {
        port: 'jaegerGrpc',
        label: 'Jaeger gRPC',
        open: (port) =>
          listenGrpc(
            'jaeger-grpc',
            config.host,
            port,
            [
              createJaegerGrpcService({
                pipeline,
                metrics,
                tenancy: config,
                onInternalError: logErrors(context, 'jaeger-grpc'),
              }),
            ],
            {
              maxMessageBytes: config.maxBodyBytes,
              interceptors: grpcReceiverInterceptors(context, 'jaeger-grpc'),
              ...listenerTls(context, 'receiver'),
            },
          ),
      },
      ...(udpTenant === undefined
        ? []
        : [udp('jaegerCompact', 'compact', udpTenant), udp('jaegerBinary', 'binary', udpTenant)]),
    ]);
  },
};

/**
 * Zipkin's port 9411: its receiver (POST) and its query API (GET
 * /api/v2/...), which plugs in as the receiver's `queryHandler` on the same
 * listener. A collector runs the receiver alone, a query node the query API
 * alone (a span POSTed there is answered 404: no receiver).
 */
export function zipkinModuleFor(parts: { readonly receiver: boolean; readonly queryApi: boolean }): ServerModule {
  return {
    name: 'zipkin',
    start: (context) => {
      const { config, pipeline, metrics } = context;
      const zipkinApis = tenantApps(context, async (tenant) => ({
        app: createZipkinQueryApi((await context.storageFor(tenant)).store, queryCaps(context)),
      }));
      const queryHandler = parts.queryApi
        ? getRequestListener(
            logServerErrors(
              withQueryDeadlines(routeByTenant(config, zipkinApis), config.queryTimeoutMs),
              context.logger,
              'zipkin',
            ),
          )
        : undefined;
      const handler =
        parts.receiver || queryHandler === undefined
          ? createZipkinHttpReceiver({
              pipeline,
              metrics,
              tenancy: config,
              maxBodyBytes: config.maxBodyBytes,
              onInternalError: logErrors(context, 'zipkin'),
              ...(queryHandler === undefined ? {} : { queryHandler }),
            })
          : queryHandler;
      return openListeners(context, [
        {
          port: 'zipkin',
          label: parts.receiver ? 'Zipkin receiver' : 'Zipkin query API',
          path: parts.receiver ? '/api/v2/spans' : '/api/v2/services',
          open: (port) =>
            listenHttp(
              'zipkin',
              config.host,
              port,
              guardedHttp(
                context,
                'zipkin',
                (request) => (parts.receiver && isZipkinSpanPost(request) ? INGEST : QUERY),
                handler,
              ),
              listenerTls(context, parts.receiver ? 'receiver' : 'query'),
            ),
        },
      ]);
    },
  };
}

export const zipkinModule: ServerModule = zipkinModuleFor({ receiver: true, queryApi: true });

/**
 * Jaeger remote sampling (5778): strategies from a file, or adaptive from the
 * spans received. Per tenant: the adaptive sampler of a tenant learns from
 * that tenant's spans alone and answers only that tenant (its answers name
 * services and operations); the strategies file is the operator's and the
 * same for every tenant.
 */
export const samplingModule: ServerModule = {
  name: 'sampling',
  start: (context) => {
    const { config } = context;
    const apis = tenantApps(
      context,
      (tenant) => createTenantSampling(context, tenant),
      ({ app, shared }) => {
        shared?.stop();
        app.close();
      },
    );
    context.onStop(
      context.onAccepted(
        (tenant, spans) => {
          apis.get(tenant).then(
            ({ app }) => app.record(spans),
            () => {}, // past --max-tenants: that tenant's spans were not stored either
          );
        },
        () => config.adaptiveSamplingTarget !== undefined,
      ),
    );
    return openListeners(context, [
      {
        port: 'sampling',
        label: 'remote sampling',
        path: '/sampling',
        // Instrumented services fetch their strategies here, with the token they send spans with.
        open: (port) =>
          listenHttp(
            'sampling',
            config.host,
            port,
            guardedHttp(context, 'sampling', always(INGEST), getRequestListener(routeByTenant(config, apis))),
            listenerTls(context, 'receiver'),
          ),
      },
    ]);
  },
};

/** Tempo's query API (3200), so Grafana's Tempo data source works unchanged: search, TraceQL, tags, metrics. */
export const tempoModule: ServerModule = {
  name: 'tempo',
  start: (context) => {
    const apis = tenantApps(context, async (tenant) => ({
      app: createTempoApi((await context.storageFor(tenant)).store, queryCaps(context)),
    }));
    // Readiness and build info are nobody's data: Grafana asks for them before
    // it sends a tenant. (With --auth they still need a query token, as the
    // whole port does: Grafana sends its credentials with every request.)
    const app = createTempoStatusApi();
    const route = withQueryDeadlines(routeByTenant(context.config, apis), context.config.queryTimeoutMs);
    app.all('*', (c) => route(c.req.raw, c.env));
    return openListeners(context, [
      {
        port: 'tempo',
        label: 'Tempo query API',
        open: (port) =>
          listenHttp(
            'tempo',
            context.config.host,
            port,
            guardedHttp(
              context,
              'tempo',
              always(QUERY),
              getRequestListener(logServerErrors(app.fetch, context.logger, 'tempo')),
            ),
            listenerTls(context, 'query'),
          ),
      },
    ]);
  },
};

/**
 * Every module `ariadne serve` runs, in start order (closed in reverse).
 * Adding one (a new receiver or query dialect) is one entry here
 * plus its port in `ServePorts`.
 */
export const SERVER_MODULES: readonly ServerModule[] = [
  queryModule,
  otlpModule,
  jaegerModule,
  zipkinModule,
  samplingModule,
  tempoModule,
];
