import type { IngestPipeline } from '../../pipeline/ingest-pipeline.js';
import type { IngestMetrics } from '../../telemetry/ingest-metrics.js';
import type { TenancyConfig } from '../../tenancy/resolve-tenant.js';
import { createGrpcIngestService } from '../grpc/grpc-ingest-service.js';
import type { GrpcService } from '../grpc/listen-grpc.js';

export interface JaegerGrpcReceiverOptions {
  readonly pipeline: IngestPipeline;
  readonly metrics: IngestMetrics;
  /** Whose spans a call carries: `resolveTenant`'s settings (the tenant is metadata `x-scope-orgid`). */
  readonly tenancy: TenancyConfig;
  readonly onInternalError?: (error: unknown) => void;
}

const EMPTY_RESPONSE = new Uint8Array(0);

/**
 * Jaeger's collector gRPC endpoint (port 14250, what jaeger-agent and
 * OTel's Jaeger exporter used): `jaeger.api_v2.CollectorService/PostSpans`.
 * The response (`PostSpansResponse`) is empty.
 */
export function createJaegerGrpcService(options: JaegerGrpcReceiverOptions): GrpcService {
  return createGrpcIngestService({
    ...options,
    path: '/jaeger.api_v2.CollectorService/PostSpans',
    method: 'PostSpans',
    receiver: 'jaeger-grpc',
    decoder: 'jaeger-proto',
    encodeResponse: () => EMPTY_RESPONSE,
  });
}
