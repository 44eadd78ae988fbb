import {
  AlwaysOnSampler,
  AriadneTracerProvider,
  AsyncLocalStorageContextManager,
  BatchSpanProcessor,
  type BatchSpanProcessorOptions,
  detectResource,
  ParentBasedSampler,
  SimpleSpanProcessor,
  type SpanExporter,
  type SpanProcessor,
  traceLogMixin,
} from '@ariadne/sdk';
import { context, type Sampler, type TextMapPropagator, type Tracer } from '@opentelemetry/api';
import { type Logger, pino } from 'pino';

export type ProcessorKind = 'batch' | 'simple';

export interface TelemetryOptions {
  readonly serviceName: string;
  /** Where spans go; none means the service is traced but exports nothing. */
  readonly exporters: readonly SpanExporter[];
  /** How every exporter is fed; default `batch`. */
  readonly processor?: ProcessorKind;
  readonly batch?: BatchSpanProcessorOptions;
  /** Extracts incoming and injects outgoing trace headers. */
  readonly propagator: TextMapPropagator;
  /** Default parent-based always-on. */
  readonly sampler?: Sampler;
  readonly resourceAttributes?: Readonly<Record<string, string | number | boolean | readonly string[]>>;
  /** Where log lines go; default stdout. */
  readonly logStream?: { write(chunk: string): unknown };
}

/** One service's tracing: its own provider, propagator and logger, no globals but the context manager. */
export interface Telemetry {
  readonly serviceName: string;
  readonly provider: AriadneTracerProvider;
  readonly tracer: Tracer;
  readonly propagator: TextMapPropagator;
  /** pino with the SDK's `traceLogMixin`: every line written inside a span carries `trace_id`, `span_id`, `trace_flags`. */
  readonly log: Logger;
  /** Exports every span ended so far. */
  flush(): Promise<void>;
  shutdown(): Promise<void>;
}

let contextManagerInstalled = false;

/**
 * Several demo services may share a process (the tests run them in one), so
 * each gets its own provider instead of `register()`'s global one; only the
 * context manager is global, and it carries no per-service state.
 */
function ensureContextManager(): void {
  if (contextManagerInstalled) return;
  const manager = new AsyncLocalStorageContextManager();
  manager.enable();
  // false when someone (e.g. register()) installed one already: theirs works as well.
  context.setGlobalContextManager(manager);
  contextManagerInstalled = true;
}

/** One JSON line per message, `{"level":"info","time":"…","service":…,"trace_id":…,"span_id":…,"msg":…}`. */
function jsonLogger(service: string, stream: { write(chunk: string): unknown } | undefined): Logger {
  const options = {
    base: { service },
    mixin: traceLogMixin,
    timestamp: pino.stdTimeFunctions.isoTime,
    formatters: { level: (label: string) => ({ level: label }) },
  };
  return stream === undefined ? pino(options) : pino(options, stream);
}

export function createTelemetry(options: TelemetryOptions): Telemetry {
  ensureContextManager();
  const processors: SpanProcessor[] = options.exporters.map((exporter) =>
    options.processor === 'simple'
      ? new SimpleSpanProcessor(exporter)
      : new BatchSpanProcessor(exporter, options.batch),
  );
  const provider = new AriadneTracerProvider({
    resource: detectResource({ serviceName: options.serviceName, attributes: options.resourceAttributes }),
    sampler: options.sampler ?? new ParentBasedSampler({ root: new AlwaysOnSampler() }),
    spanProcessors: processors,
  });
  return {
    serviceName: options.serviceName,
    provider,
    tracer: provider.getTracer(`ariadne-examples/${options.serviceName}`, '0.1.0'),
    propagator: options.propagator,
    log: jsonLogger(options.serviceName, options.logStream),
    flush: () => provider.forceFlush(),
    shutdown: () => provider.shutdown(),
  };
}
