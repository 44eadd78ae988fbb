import { type ContextManager, context, propagation, type TextMapPropagator, trace } from '@opentelemetry/api';
import { AsyncLocalStorageContextManager } from './context/async-local-storage-context-manager.js';
import { exportersFromEnv } from './export/exporters-from-env.js';
import type { SpanExporter } from './export/span-exporter.js';
import { type InstrumentHttpOptions, instrumentHttp } from './instrumentation/instrument-http.js';
import { BatchSpanProcessor, type BatchSpanProcessorOptions } from './processing/batch-span-processor.js';
import { SimpleSpanProcessor } from './processing/simple-span-processor.js';
import type { SpanProcessor } from './processing/span-processor.js';
import { propagatorFromEnv } from './propagation/propagator-from-env.js';
import { detectResource } from './resource/detect-resource.js';
import { AlwaysOffSampler } from './sampling/always-off-sampler.js';
import { type Env, stringFromEnv } from './trace/env.js';
import { AriadneTracerProvider, type TracerProviderOptions } from './trace/tracer-provider.js';

export interface RegisterOptions extends TracerProviderOptions {
  /** `service.name`; default OTEL_SERVICE_NAME, then `unknown_service:node`. Ignored when `resource` is given. */
  readonly serviceName?: string;
  /** Extra resource attributes (win over detected ones). Ignored when `resource` is given. */
  readonly resourceAttributes?: Readonly<Record<string, string | number | boolean | readonly string[]>>;
  /** Exported through a BatchSpanProcessor (added after `spanProcessors`). Default: OTEL_TRACES_EXPORTER (`otlp`, `zipkin`, `jaeger`, `console`, `none`), else OTLP/HTTP. */
  readonly exporter?: SpanExporter;
  readonly batch?: BatchSpanProcessorOptions;
  /** Default: OTEL_PROPAGATORS, else W3C trace context and baggage. */
  readonly propagator?: TextMapPropagator;
  /** Default: an AsyncLocalStorage context manager. */
  readonly contextManager?: ContextManager;
  /**
   * Client spans for outgoing `http`/`https` requests and `fetch`, and with `{ server: true }` server spans
   * for every `http`/`https` server (see `instrumentHttp`), uninstalled by `shutdown()`. Default off:
   * patching globals is opt-in. Server spans also come from `traceRequestListener` or a framework adapter.
   */
  readonly instrumentHttp?: boolean | InstrumentHttpOptions;
  /** Where OTEL_SDK_DISABLED is read. Default `process.env`. */
  readonly env?: Env;
}

export interface Registration {
  readonly provider: AriadneTracerProvider;
  /** Flushes every span, shuts the processors down and uninstalls the globals. */
  shutdown(): Promise<void>;
}

/**
 * OTEL_TRACES_EXPORTER (see `exportersFromEnv`): network exporters behind a
 * BatchSpanProcessor, `console` printing each span as it ends.
 */
function processorsFromEnv(batch: BatchSpanProcessorOptions | undefined): SpanProcessor[] {
  return exportersFromEnv().map(({ name, exporter }) =>
    name === 'console' ? new SimpleSpanProcessor(exporter) : new BatchSpanProcessor(exporter, batch),
  );
}

/** OTEL_SDK_DISABLED=true (any case), under which nothing may be installed. */
export function sdkDisabled(env: Env = process.env): boolean {
  return stringFromEnv(env, 'OTEL_SDK_DISABLED')?.toLowerCase() === 'true';
}

/**
 * The one line that instruments a service: installs an Ariadne tracer
 * provider, an AsyncLocalStorage context manager and the propagators as the
 * `@opentelemetry/api` globals, so `trace.getTracer()` and every OTel
 * instrumentation use them. Installing over existing globals fails in the
 * api (it reports through `diag`); call `shutdown()` first to re-register.
 */
export function register(options: RegisterOptions = {}): Registration {
  if (sdkDisabled(options.env)) return disabled();
  const resource =
    options.resource ?? detectResource({ serviceName: options.serviceName, attributes: options.resourceAttributes });
  const processors = [...(options.spanProcessors ?? [])];
  if (options.exporter !== undefined) processors.push(new BatchSpanProcessor(options.exporter, options.batch));
  else if (options.spanProcessors === undefined) processors.push(...processorsFromEnv(options.batch));
  const provider = new AriadneTracerProvider({ ...options, resource, spanProcessors: processors });
  const contextManager = options.contextManager ?? new AsyncLocalStorageContextManager();
  contextManager.enable();
  context.setGlobalContextManager(contextManager);
  propagation.setGlobalPropagator(options.propagator ?? propagatorFromEnv());
  trace.setGlobalTracerProvider(provider);
  const uninstallHttp =
    options.instrumentHttp === undefined || options.instrumentHttp === false
      ? undefined
      : instrumentHttp(options.instrumentHttp === true ? {} : options.instrumentHttp);
  return {
    provider,
    async shutdown() {
      uninstallHttp?.();
      try {
        await provider.shutdown();
      } finally {
        trace.disable();
        propagation.disable();
        context.disable();
      }
    },
  };
}

/**
 * OTEL_SDK_DISABLED=true: nothing is installed, so `@opentelemetry/api` keeps
 * its no-op tracer and no exporter or timer starts. The provider returned
 * samples nothing and exports nowhere, for code that uses it directly.
 */
function disabled(): Registration {
  const provider = new AriadneTracerProvider({ sampler: new AlwaysOffSampler(), spanProcessors: [] });
  return { provider, shutdown: () => provider.shutdown() };
}
