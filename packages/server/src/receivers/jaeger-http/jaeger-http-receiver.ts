import { createHttpIngestHandler } from '../../http/http-ingest.js';
import type { RequestHandler } from '../../http/listen.js';
import type { IngestPipeline } from '../../pipeline/ingest-pipeline.js';
import type { IngestMetrics } from '../../telemetry/ingest-metrics.js';
import type { TenancyConfig } from '../../tenancy/resolve-tenant.js';

export interface JaegerHttpReceiverOptions {
  readonly pipeline: IngestPipeline;
  readonly metrics: IngestMetrics;
  /** Whose spans a request carries: `resolveTenant`'s settings. */
  readonly tenancy: TenancyConfig;
  /** Largest body accepted, after decompression. */
  readonly maxBodyBytes: number;
  readonly onInternalError?: (error: unknown) => void;
}

/**
 * Jaeger's collector HTTP endpoint (port 14268): `POST /api/traces` with a
 * `jaeger.thrift` Batch in the binary protocol, as jaeger-client's HTTP sender
 * posts it. 202 Accepted like Jaeger; 400 names what did not decode.
 */
export function createJaegerHttpReceiver(options: JaegerHttpReceiverOptions): RequestHandler {
  return createHttpIngestHandler({
    ...options,
    receiver: 'jaeger-http',
    endpoints: [
      {
        path: '/api/traces',
        mediaTypes: ['application/x-thrift', 'application/vnd.apache.thrift.binary'],
        decoder: () => 'jaeger-thrift-binary',
      },
    ],
  });
}
