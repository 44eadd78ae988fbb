import { ConsoleSpanExporter, OtlpGrpcExporter, OtlpHttpExporter, type SpanExporter } from '@ariadne/sdk';

/**
 * What a demo's command line exports to: OTLP/HTTP (the default, reading
 * OTEL_EXPORTER_OTLP_ENDPOINT, else localhost:4318), OTLP/gRPC
 * (localhost:4317) or the console, chosen by DEMO_EXPORTER.
 */
export function exportersForCli(defaultKind: 'otlp-http' | 'otlp-grpc'): SpanExporter[] {
  const kind = process.env.DEMO_EXPORTER?.trim() || defaultKind;
  switch (kind) {
    case 'otlp-http':
      return [new OtlpHttpExporter()];
    case 'otlp-grpc':
      return [new OtlpGrpcExporter()];
    case 'console':
      return [new ConsoleSpanExporter()];
    default:
      throw new Error(`DEMO_EXPORTER=${kind}: expected otlp-http, otlp-grpc or console`);
  }
}

/** DEMO_SPAN_PROCESSOR: `batch` (default) or `simple` (one export per span as it ends). */
export function processorFromEnv(): 'batch' | 'simple' {
  const kind = process.env.DEMO_SPAN_PROCESSOR?.trim() || 'batch';
  if (kind !== 'batch' && kind !== 'simple') throw new Error(`DEMO_SPAN_PROCESSOR=${kind}: expected batch or simple`);
  return kind;
}
