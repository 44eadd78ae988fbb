import type { IncomingMessage, ServerResponse } from 'node:http';
import {
  type DecodedSpans,
  decodeOtlpTraceRequestJson,
  decodeOtlpTraceRequestProto,
  encodeOtlpTraceResponseJson,
  encodeOtlpTraceResponseProto,
  encodeRpcStatusJson,
  encodeRpcStatusProto,
  isAriadneError,
} from '@ariadne/protocol';
import { readBody } from '../../http/read-body.js';
import type { IngestPipeline } from '../../pipeline/ingest-pipeline.js';
import type { IngestMetrics, RejectReason } from '../../telemetry/ingest-metrics.js';
import { otlpHttpStatusOf, RETRY_AFTER_SECONDS } from './otlp-http-status.js';

export interface OtlpHttpReceiverOptions {
  readonly pipeline: IngestPipeline;
  readonly metrics: IngestMetrics;
  /** Largest body accepted, after decompression. */
  readonly maxBodyBytes: number;
  /** Called with errors that are the server's fault (5xx), for logging. */
  readonly onInternalError?: (error: unknown) => void;
}

type Encoding = 'proto' | 'json';

const RECEIVER = 'otlp-http';

const CONTENT_TYPES: Record<Encoding, string> = { proto: 'application/x-protobuf', json: 'application/json' };

/**
 * OTLP/HTTP trace receiver (`POST /v1/traces`), as the OTLP specification
 * says: protobuf or JSON bodies, gzip, the response in the request's encoding,
 * partial success for rejected spans, `google.rpc.Status` bodies on errors,
 * 413 past the size limit, 429 with Retry-After when the pipeline is full.
 */
export function createOtlpHttpReceiver(options: OtlpHttpReceiverOptions) {
  return (request: IncomingMessage, response: ServerResponse): void => {
    handle(request, response, options).catch((error: unknown) => {
      options.onInternalError?.(error);
      if (!response.headersSent) response.writeHead(500).end();
      else response.destroy();
    });
  };
}

async function handle(request: IncomingMessage, response: ServerResponse, options: OtlpHttpReceiverOptions) {
  const path = (request.url ?? '/').split('?')[0];
  if (path !== '/v1/traces') {
    request.resume();
    return sendStatus(response, 'json', 404, `no OTLP endpoint at ${path}; traces go to POST /v1/traces`);
  }
  if (request.method !== 'POST') {
    request.resume();
    response.setHeader('Allow', 'POST');
    return sendStatus(response, 'json', 405, 'use POST for /v1/traces');
  }
  const encoding = encodingOf(request.headers['content-type']);
  if (!encoding) {
    request.resume();
    options.metrics.requestsRejected.inc({ receiver: RECEIVER, reason: 'unsupported_media_type' });
    return sendStatus(
      response,
      'json',
      415,
      `unsupported Content-Type "${request.headers['content-type'] ?? ''}"; use application/x-protobuf or application/json`,
    );
  }
  let decoded: DecodedSpans | undefined;
  try {
    const body = await readBody(request, { maxBytes: options.maxBodyBytes });
    decoded = encoding === 'proto' ? decodeOtlpTraceRequestProto(body) : decodeOtlpTraceRequestJson(body);
    countDecoded(options.metrics, decoded);
    await options.pipeline.submit(decoded.spans, RECEIVER);
  } catch (error) {
    if (!isAriadneError(error)) throw error;
    // The pipeline counts the spans it refuses; here only requests that never decoded.
    if (!decoded)
      options.metrics.requestsRejected.inc({ receiver: RECEIVER, reason: REASONS[error.kind] ?? 'invalid' });
    const status = otlpHttpStatusOf(error.kind);
    if (status >= 500 && error.kind !== 'Overloaded') options.onInternalError?.(error);
    if (status === 429 || status === 503) response.setHeader('Retry-After', String(RETRY_AFTER_SECONDS));
    return sendStatus(response, encoding, status, error.message);
  }
  const partial =
    decoded.rejectedSpans > 0
      ? { rejectedSpans: decoded.rejectedSpans, errorMessage: decoded.errorMessage }
      : undefined;
  const body = encoding === 'proto' ? encodeOtlpTraceResponseProto(partial) : encodeOtlpTraceResponseJson(partial);
  response.writeHead(200, { 'Content-Type': CONTENT_TYPES[encoding] }).end(body);
}

const REASONS: Partial<Record<string, RejectReason>> = {
  PayloadTooLarge: 'too_large',
  UnsupportedMediaType: 'unsupported_media_type',
  InvalidPayload: 'invalid',
};

function countDecoded(metrics: IngestMetrics, decoded: DecodedSpans) {
  metrics.spansReceived.inc({ receiver: RECEIVER }, decoded.spans.length + decoded.rejectedSpans);
  if (decoded.rejectedSpans > 0)
    metrics.spansRejected.inc({ receiver: RECEIVER, reason: 'invalid' }, decoded.rejectedSpans);
}

function encodingOf(contentType: string | undefined): Encoding | undefined {
  const mediaType = (contentType ?? '').split(';')[0]!.trim().toLowerCase();
  if (mediaType === 'application/x-protobuf' || mediaType === 'application/protobuf') return 'proto';
  if (mediaType === 'application/json') return 'json';
  return undefined;
}

function sendStatus(response: ServerResponse, encoding: Encoding, httpStatus: number, message: string) {
  // google.rpc.Code for the body: INVALID_ARGUMENT, RESOURCE_EXHAUSTED, UNAVAILABLE, ...
  const rpcCode = RPC_CODES[httpStatus] ?? 2;
  const body = encoding === 'proto' ? encodeRpcStatusProto(rpcCode, message) : encodeRpcStatusJson(rpcCode, message);
  response.writeHead(httpStatus, { 'Content-Type': CONTENT_TYPES[encoding] }).end(body);
}

const RPC_CODES: Record<number, number> = { 400: 3, 404: 5, 405: 12, 413: 3, 415: 3, 429: 8, 500: 13, 503: 14 };
