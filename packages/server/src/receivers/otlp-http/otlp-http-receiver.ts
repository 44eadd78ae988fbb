import type { IncomingMessage, ServerResponse } from 'node:http';
import {
  encodeOtlpTraceResponseJson,
  encodeOtlpTraceResponseProto,
  encodeRpcStatusJson,
  encodeRpcStatusProto,
} from '@ariadne/protocol';
import { createHttpIngestHandler, type HttpIngestAnswers, mediaTypeOf } from '../../http/http-ingest.js';
import type { RequestHandler } from '../../http/listen.js';
import type { IngestPipeline } from '../../pipeline/ingest-pipeline.js';
import type { IngestMetrics } from '../../telemetry/ingest-metrics.js';
import type { TenancyConfig } from '../../tenancy/resolve-tenant.js';
import { otlpHttpStatusOf } from './otlp-http-status.js';

export interface OtlpHttpReceiverOptions {
  readonly pipeline: IngestPipeline;
  readonly metrics: IngestMetrics;
  /** Whose spans a request carries: `resolveTenant`'s settings. */
  readonly tenancy: TenancyConfig;
  /** Largest body accepted, after decompression. */
  readonly maxBodyBytes: number;
  /** Called with errors that are the server's fault (5xx), for logging. */
  readonly onInternalError?: (error: unknown) => void;
}

const PROTO_TYPES = ['application/x-protobuf', 'application/protobuf'];
const PROTO = 'application/x-protobuf';
const JSON_TYPE = 'application/json';

/**
 * OTLP/HTTP trace receiver (`POST /v1/traces`), as the OTLP specification
 * says: protobuf or JSON bodies, gzip, the response in the request's encoding,
 * partial success for rejected spans, `google.rpc.Status` bodies on errors,
 * 413 past the size limit, 429 with Retry-After when the pipeline is full.
 */
export function createOtlpHttpReceiver(options: OtlpHttpReceiverOptions): RequestHandler {
  return createHttpIngestHandler({
    ...options,
    receiver: 'otlp-http',
    endpoints: [
      {
        path: '/v1/traces',
        mediaTypes: [...PROTO_TYPES, JSON_TYPE],
        decoder: (mediaType) => (mediaType === JSON_TYPE ? 'otlp-json' : 'otlp-proto'),
      },
    ],
    answers: OTLP_ANSWERS,
  });
}

const isProto = (mediaType: string | undefined) => mediaType !== undefined && PROTO_TYPES.includes(mediaType);

const OTLP_ANSWERS: HttpIngestAnswers = {
  statusOf: otlpHttpStatusOf,
  sendError(response: ServerResponse, status: number, message: string, mediaType: string | undefined) {
    // google.rpc.Code for the body: INVALID_ARGUMENT, RESOURCE_EXHAUSTED, UNAVAILABLE, ...
    const rpcCode = RPC_CODES[status] ?? 2;
    if (isProto(mediaType)) {
      response.writeHead(status, { 'Content-Type': PROTO }).end(encodeRpcStatusProto(rpcCode, message));
    } else response.writeHead(status, { 'Content-Type': JSON_TYPE }).end(encodeRpcStatusJson(rpcCode, message));
  },
  sendAccepted(response, outcome, mediaType) {
    const partial =
      outcome.rejectedSpans > 0
        ? { rejectedSpans: outcome.rejectedSpans, errorMessage: outcome.errorMessage }
        : undefined;
    if (isProto(mediaType)) {
      response.writeHead(200, { 'Content-Type': PROTO }).end(encodeOtlpTraceResponseProto(partial));
    } else response.writeHead(200, { 'Content-Type': JSON_TYPE }).end(encodeOtlpTraceResponseJson(partial));
  },
};

/** A 401 or 403 from `--auth`, as OTLP words errors: a `google.rpc.Status` in the request's encoding. */
export function sendOtlpHttpRefusal(
  request: IncomingMessage,
  response: ServerResponse,
  status: number,
  message: string,
) {
  const mediaType = mediaTypeOf(request.headers['content-type']);
  OTLP_ANSWERS.sendError(response, status, message, isProto(mediaType) ? mediaType : undefined);
}

// 401 UNAUTHENTICATED, 403 PERMISSION_DENIED.
const RPC_CODES: Record<number, number> = {
  400: 3,
  401: 16,
  403: 7,
  404: 5,
  405: 12,
  413: 3,
  415: 3,
  429: 8,
  500: 13,
  503: 14,
};
