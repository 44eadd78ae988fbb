import { encodeOtlpTraceResponseProto } from '@ariadne/protocol';
import type { IngestPipeline } from '../../pipeline/ingest-pipeline.js';
import type { IngestMetrics } from '../../telemetry/ingest-metrics.js';
import type { TenancyConfig } from '../../tenancy/resolve-tenant.js';
import { createGrpcIngestService } from '../grpc/grpc-ingest-service.js';
import type { GrpcService } from '../grpc/listen-grpc.js';

export interface OtlpGrpcReceiverOptions {
  readonly pipeline: IngestPipeline;
  readonly metrics: IngestMetrics;
  /** Whose spans a call carries: `resolveTenant`'s settings (the tenant is metadata `x-scope-orgid`). */
  readonly tenancy: TenancyConfig;
  readonly onInternalError?: (error: unknown) => void;
}

/**
 * OTLP/gRPC trace service (port 4317):
 * `opentelemetry.proto.collector.trace.v1.TraceService/Export`, decoded by our
 * own codec. Spans with invalid ids are rejected one by one (partial success);
 * a full pipeline answers UNAVAILABLE with RetryInfo.
 */
export function createOtlpGrpcService(options: OtlpGrpcReceiverOptions): GrpcService {
  return createGrpcIngestService({
    ...options,
    path: '/opentelemetry.proto.collector.trace.v1.TraceService/Export',
    method: 'Export',
    receiver: 'otlp-grpc',
    decoder: 'otlp-proto',
    encodeResponse: (outcome) =>
      encodeOtlpTraceResponseProto(
        outcome.rejectedSpans > 0
          ? { rejectedSpans: outcome.rejectedSpans, errorMessage: outcome.errorMessage }
          : undefined,
      ),
  });
}
