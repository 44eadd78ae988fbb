import { JaegerPropagator, type SpanExporter } from '@ariadne/sdk';
import { createTelemetry, type ProcessorKind, type Telemetry } from '../shared/telemetry.js';

export interface MicroserviceOptions {
  /** 0 picks a free port. */
  readonly port: number;
  /** uservice1–4: OTLP/gRPC in the CLI (or the console); the proxy: Jaeger Thrift over HTTP. */
  readonly exporters: readonly SpanExporter[];
  /** `simple` exports each span as it ends, `batch` (default) in batches. */
  readonly processor?: ProcessorKind;
  readonly logStream?: { write(chunk: string): unknown };
}

/**
 * This demo's services speak Jaeger's native propagation only (`uber-trace-id`),
 * as Jaeger client libraries did; W3C headers are neither read nor written.
 */
export function jaegerTelemetry(serviceName: string, options: MicroserviceOptions): Telemetry {
  return createTelemetry({
    serviceName,
    exporters: options.exporters,
    ...(options.processor ? { processor: options.processor } : {}),
    propagator: new JaegerPropagator(),
    resourceAttributes: { 'demo.scenario': 'microservices' },
    ...(options.logStream ? { logStream: options.logStream } : {}),
  });
}
