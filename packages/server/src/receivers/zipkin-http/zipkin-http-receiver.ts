import type { IncomingMessage } from 'node:http';
import { createHttpIngestHandler, requestPath } from '../../http/http-ingest.js';
import type { RequestHandler } from '../../http/listen.js';
import type { IngestPipeline } from '../../pipeline/ingest-pipeline.js';
import type { IngestMetrics } from '../../telemetry/ingest-metrics.js';
import type { TenancyConfig } from '../../tenancy/resolve-tenant.js';

export interface ZipkinHttpReceiverOptions {
  readonly pipeline: IngestPipeline;
  readonly metrics: IngestMetrics;
  /** Whose spans a request carries: `resolveTenant`'s settings. */
  readonly tenancy: TenancyConfig;
  /** Largest body accepted, after decompression. */
  readonly maxBodyBytes: number;
  /**
   * Everything on port 9411 that is not a POST of spans: Zipkin's query API
   * (GET /api/v2/services, /api/v2/trace/{id}, ...). Without it, 404/405.
   */
  readonly queryHandler?: RequestHandler;
  readonly onInternalError?: (error: unknown) => void;
}

const SPANS_V2 = '/api/v2/spans';
const SPANS_V1 = '/api/v1/spans';

/**
 * True when the receiver takes the request (a POST of spans); everything
 * else on the port goes to the query handler. The `--auth` guard asks this
 * to pick the role (ingest or query), so it cannot disagree with the routing.
 */
export function isZipkinSpanPost(request: IncomingMessage): boolean {
  const path = requestPath(request);
  return request.method === 'POST' && (path === SPANS_V2 || path === SPANS_V1);
}

const JSON_TYPES = ['application/json', ''];
const PROTO_TYPES = ['application/x-protobuf', 'application/protobuf'];
const THRIFT_TYPE = 'application/x-thrift';

/**
 * Zipkin's collector (port 9411): `POST /api/v2/spans` as JSON or protobuf
 * (`zipkin.proto3` ListOfSpans) and `POST /api/v1/spans` as JSON or Thrift
 * (a binary-protocol list of zipkinCore.thrift spans: py_zipkin's default,
 * old Finagle's and Brave's). A missing Content-Type is read as JSON, as
 * Zipkin's server reads it. 202 Accepted.
 */
export function createZipkinHttpReceiver(options: ZipkinHttpReceiverOptions): RequestHandler {
  return createHttpIngestHandler({
    ...options,
    receiver: 'zipkin',
    endpoints: [
      {
        path: SPANS_V2,
        mediaTypes: [...JSON_TYPES, ...PROTO_TYPES],
        decoder: (mediaType) => (PROTO_TYPES.includes(mediaType) ? 'zipkin-proto' : 'zipkin-v2-json'),
      },
      {
        path: SPANS_V1,
        mediaTypes: [...JSON_TYPES, THRIFT_TYPE],
        decoder: (mediaType) => (mediaType === THRIFT_TYPE ? 'zipkin-v1-thrift' : 'zipkin-v1-json'),
      },
    ],
    ...(options.queryHandler ? { fallback: options.queryHandler } : {}),
  });
}
