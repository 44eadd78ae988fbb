import { getRequestListener } from '@hono/node-server';
import { INGEST, QUERY } from '../auth/http-access.js';
import { listenHttp } from '../http/listen.js';
import { createJaegerV3Api } from '../query/jaeger-v3/jaeger-v3-api.js';
import { createLiveTail } from '../query/live/live-tail.js';
import { createTempoApi } from '../query/tempo/tempo-api.js';
import { createTraceViewApi } from '../query/trace-view/trace-view-api.js';
import { createZipkinQueryApi } from '../query/zipkin/zipkin-query-api.js';
import { listenGrpc } from '../receivers/grpc/listen-grpc.js';
import { createJaegerGrpcService } from '../receivers/jaeger-grpc/jaeger-grpc-receiver.js';
import { createJaegerHttpReceiver } from '../receivers/jaeger-http/jaeger-http-receiver.js';
import { listenJaegerUdp } from '../receivers/jaeger-udp/jaeger-udp-receiver.js';
import { createOtlpGrpcService } from '../receivers/otlp-grpc/otlp-grpc-receiver.js';
import { createOtlpHttpReceiver, sendOtlpHttpRefusal } from '../receivers/otlp-http/otlp-http-receiver.js';
import { createZipkinHttpReceiver, isZipkinSpanPost } from '../receivers/zipkin-http/zipkin-http-receiver.js';
import { createSamplingApi } from '../sampling/sampling-api.js';
import { defaultUiDir } from '../ui/static-ui.js';
import { always, grpcReceiverInterceptors, guardedHttp, listenerTls } from './listener-security.js';
import { openArchiveStore } from './open-archive-store.js';
import { type ListenerStep, openListeners } from './open-listeners.js';
import { createQueryHttpApp } from './query-http-app.js';
import type { ModuleContext, ServerModule } from './server-module.js';

/** Logs a receiver's server-side failures with its name. */
const logErrors = (context: ModuleContext, name: string) => (error: unknown) =>
  context.log(`${name}: ${error instanceof Error ? error.message : String(error)}`);

/**
 * Port 16686: health, metrics, the Jaeger query APIs (internal, v3, archive),
 * live tail, Tempo's search and TraceQL routes (the UI's TraceQL box uses
 * them; Jaeger keeps `/api/traces/:id`), the UI's compact trace view
 * (`/api/trace-view/:id`, for traces of 100,000 spans) and the web UI.
 */
export const queryModule: ServerModule = {
  name: 'query',
  start: async (context) => {
    const archive = await openArchiveStore(context.config);
    context.onStop(() => archive.close());
    const liveTail = createLiveTail();
    context.onStop(
      context.onAccepted(
        (spans) => liveTail.publish(spans),
        () => liveTail.clientCount > 0,
      ),
    );
    context.onStop(() => liveTail.close());
    const app = createQueryHttpApp({
      reader: context.store,
      uiDir: context.config.uiDir ?? defaultUiDir(),
      metrics: context.metrics.registry,
      isReady: context.isReady,
      ...(context.access ? { access: context.access } : {}),
      archive,
      apis: [
        createJaegerV3Api(context.store),
        liveTail.api,
        createTempoApi(context.store, { traceByIdV1: false }),
        createTraceViewApi(context.store, archive),
      ],
    });
    return openListeners(context, [
      {
        port: 'query',
        label: 'web UI and query API',
        open: (port) =>
          listenHttp('query', context.config.host, port, getRequestListener(app.fetch), listenerTls(context, 'query')),
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
            [createOtlpGrpcService({ pipeline, metrics, onInternalError: logErrors(context, 'otlp-grpc') })],
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

/** Jaeger's collector (Thrift/HTTP 14268, gRPC 14250) and agent (UDP 6831 compact, 6832 binary) endpoints. */
export const jaegerModule: ServerModule = {
  name: 'jaeger',
  start: (context) => {
    const { config, pipeline, metrics } = context;
    const udp = (port: 'jaegerCompact' | 'jaegerBinary', protocol: 'compact' | 'binary'): ListenerStep => {
      const name = `jaeger-${protocol}`;
      return {
        port,
        label: `Jaeger agent ${protocol}`,
        open: (bound) =>
          listenJaegerUdp(name, config.host, bound, {
            pipeline,
            metrics,
            protocol,
            onInternalError: logErrors(context, name),
          }),
      };
    };
    // A datagram carries no token: with --auth, UDP is off unless --udp-tenant says whose spans it brings.
    const udpAllowed = context.access === undefined || config.udpTenant !== undefined;
    const udpAsked = config.ports.jaegerCompact !== 'off' || config.ports.jaegerBinary !== 'off';
    if (!udpAllowed && udpAsked) context.log('jaeger agent UDP receivers are off: with --auth they need --udp-tenant');
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
            [createJaegerGrpcService({ pipeline, metrics, onInternalError: logErrors(context, 'jaeger-grpc') })],
            {
              maxMessageBytes: config.maxBodyBytes,
              interceptors: grpcReceiverInterceptors(context, 'jaeger-grpc'),
              ...listenerTls(context, 'receiver'),
            },
          ),
      },
      ...(udpAllowed ? [udp('jaegerCompact', 'compact'), udp('jaegerBinary', 'binary')] : []),
    ]);
  },
};

/**
 * Zipkin's port 9411. The query API for Zipkin (GET /api/v2/...) plugs in as
 * the receiver's `queryHandler`, on the same listener.
 */
export const zipkinModule: ServerModule = {
  name: 'zipkin',
  start: (context) => {
    const { config, pipeline, metrics } = context;
    return openListeners(context, [
      {
        port: 'zipkin',
        label: 'Zipkin receiver',
        path: '/api/v2/spans',
        open: (port) =>
          listenHttp(
            'zipkin',
            config.host,
            port,
            guardedHttp(
              context,
              'zipkin',
              (request) => (isZipkinSpanPost(request) ? INGEST : QUERY),
              createZipkinHttpReceiver({
                pipeline,
                metrics,
                maxBodyBytes: config.maxBodyBytes,
                onInternalError: logErrors(context, 'zipkin'),
                queryHandler: getRequestListener(createZipkinQueryApi(context.store).fetch),
              }),
            ),
            listenerTls(context, 'receiver'),
          ),
      },
    ]);
  },
};

/** Jaeger remote sampling (5778): strategies from a file, or adaptive from the spans received. */
export const samplingModule: ServerModule = {
  name: 'sampling',
  start: (context) => {
    const { config } = context;
    const api = createSamplingApi({
      ...(config.samplingStrategiesFile ? { strategiesFile: config.samplingStrategiesFile } : {}),
      ...(config.adaptiveSamplingTarget ? { adaptive: { targetTracesPerSecond: config.adaptiveSamplingTarget } } : {}),
      onError: logErrors(context, 'sampling'),
    });
    context.onStop(
      context.onAccepted(
        (spans) => api.record(spans),
        () => config.adaptiveSamplingTarget !== undefined,
      ),
    );
    context.onStop(() => api.close());
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
            guardedHttp(context, 'sampling', always(INGEST), getRequestListener(api.fetch)),
            listenerTls(context, 'receiver'),
          ),
      },
    ]);
  },
};

/** Tempo's query API (3200), so Grafana's Tempo data source works unchanged: search, TraceQL, tags, metrics. */
export const tempoModule: ServerModule = {
  name: 'tempo',
  start: (context) =>
    openListeners(context, [
      {
        port: 'tempo',
        label: 'Tempo query API',
        open: (port) =>
          listenHttp(
            'tempo',
            context.config.host,
            port,
            guardedHttp(context, 'tempo', always(QUERY), getRequestListener(createTempoApi(context.store).fetch)),
            listenerTls(context, 'query'),
          ),
      },
    ]),
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
