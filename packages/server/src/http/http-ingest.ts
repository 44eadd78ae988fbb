import type { IncomingMessage, ServerResponse } from 'node:http';
import { type ErrorKind, isAriadneError } from '@ariadne/protocol';
import type { IngestOutcome, IngestPipeline } from '../pipeline/ingest-pipeline.js';
import type { SpanDecoderName } from '../pipeline/span-decoders.js';
import type { IngestMetrics, RejectReason } from '../telemetry/ingest-metrics.js';
import { resolveTenant, type TenancyConfig } from '../tenancy/resolve-tenant.js';
import type { TenantId } from '../tenancy/tenant-id.js';
import { tenantRequestOfIncoming } from '../tenancy/tenant-request.js';
import type { RequestHandler } from './listen.js';
import { readBody } from './read-body.js';

/** Seconds a client is asked to wait before retrying when the pipeline is full. */
export const INGEST_RETRY_AFTER_SECONDS = 1;

/** One `POST` endpoint of a receiver and the media types it decodes. */
export interface HttpIngestEndpoint {
  readonly path: string;
  /**
   * Media types accepted (lowercase, without parameters). The empty string
   * stands for a request without a Content-Type header.
   */
  readonly mediaTypes: readonly string[];
  /** The decoder for a body of this media type (one the endpoint accepts). */
  readonly decoder: (mediaType: string) => SpanDecoderName;
}

/** How a protocol words its answers. */
export interface HttpIngestAnswers {
  /** The status code of an error kind. */
  statusOf(kind: ErrorKind): number;
  /** `mediaType` is the request's when it was one the endpoint accepts. */
  sendError(response: ServerResponse, status: number, message: string, mediaType: string | undefined): void;
  sendAccepted(response: ServerResponse, outcome: IngestOutcome, mediaType: string): void;
}

export interface HttpIngestOptions {
  /** The `receiver` label on metrics ("zipkin", "jaeger-http", ...). */
  readonly receiver: string;
  readonly endpoints: readonly HttpIngestEndpoint[];
  readonly pipeline: IngestPipeline;
  readonly metrics: IngestMetrics;
  /** Whose spans a request carries (`resolveTenant`): asked before the body is read. */
  readonly tenancy: TenancyConfig;
  /** Largest body accepted, after decompression. */
  readonly maxBodyBytes: number;
  /** Defaults to Jaeger's and Zipkin's way: 202, plain-text errors, 503 when full. */
  readonly answers?: HttpIngestAnswers;
  /**
   * Handles every request that is not a POST to an ingest endpoint (a query
   * API sharing the port, as Zipkin's 9411 does). Without it such requests get
   * 404 or 405.
   */
  readonly fallback?: RequestHandler;
  /** Called with errors that are the server's fault (5xx), for logging. */
  readonly onInternalError?: (error: unknown) => void;
}

/**
 * The steps every HTTP receiver shares: route, method and content-type checks,
 * a bounded body read (gzip too), decode, submit to the pipeline, count, and
 * answer in the protocol's words.
 */
export function createHttpIngestHandler(options: HttpIngestOptions): RequestHandler {
  const answers = options.answers ?? PLAIN_ANSWERS;
  const byPath = new Map(options.endpoints.map((endpoint) => [endpoint.path, endpoint]));
  return (request, response) => {
    const path = requestPath(request);
    const endpoint = byPath.get(path);
    if (options.fallback && (endpoint === undefined || request.method !== 'POST')) {
      options.fallback(request, response);
      return;
    }
    handle(request, response, endpoint, path, answers, options).catch((error: unknown) => {
      options.onInternalError?.(error);
      if (!response.headersSent) response.writeHead(500).end();
      else response.destroy();
    });
  };
}

async function handle(
  request: IncomingMessage,
  response: ServerResponse,
  endpoint: HttpIngestEndpoint | undefined,
  path: string,
  answers: HttpIngestAnswers,
  options: HttpIngestOptions,
): Promise<void> {
  const { metrics, receiver } = options;
  if (endpoint === undefined) {
    request.resume();
    const paths = options.endpoints.map((e) => `POST ${e.path}`).join(', ');
    return answers.sendError(response, 404, `no endpoint at ${path}; spans go to ${paths}`, undefined);
  }
  if (request.method !== 'POST') {
    request.resume();
    response.setHeader('Allow', 'POST');
    return answers.sendError(response, 405, `use POST for ${path}`, undefined);
  }
  const mediaType = mediaTypeOf(request.headers['content-type']);
  let tenant: TenantId;
  try {
    // Before anything else is looked at: a request that is nobody's costs a header read.
    tenant = resolveTenant(tenantRequestOfIncoming(request), options.tenancy);
  } catch (error) {
    if (!isAriadneError(error)) throw error;
    request.resume();
    metrics.requestsRejected.inc({ receiver, reason: 'unauthenticated' });
    const known = endpoint.mediaTypes.includes(mediaType) ? mediaType : undefined;
    return answers.sendError(response, answers.statusOf(error.kind), error.message, known);
  }
  if (!endpoint.mediaTypes.includes(mediaType)) {
    request.resume();
    metrics.requestsRejected.inc({ receiver, reason: 'unsupported_media_type' });
    const accepted = endpoint.mediaTypes.filter((type) => type !== '').join(' or ');
    return answers.sendError(
      response,
      415,
      `unsupported Content-Type "${request.headers['content-type'] ?? ''}"; use ${accepted}`,
      undefined,
    );
  }
  if (options.pipeline.isFull) {
    // Refused before the body is read: overload must not be paid for with decoding.
    request.resume();
    metrics.requestsRejected.inc({ receiver, reason: 'overloaded' });
    const status = answers.statusOf('Overloaded');
    response.setHeader('Retry-After', String(INGEST_RETRY_AFTER_SECONDS));
    return answers.sendError(response, status, 'ingest queue is full; retry later', mediaType);
  }
  let outcome: IngestOutcome;
  let read = false;
  try {
    const body = await readBody(request, { maxBytes: options.maxBodyBytes });
    read = true;
    outcome = await options.pipeline.ingest(body, endpoint.decoder(mediaType), receiver, tenant);
  } catch (error) {
    if (!isAriadneError(error)) throw error;
    // The pipeline counts what it refuses; here only requests whose body could not be read.
    if (!read) metrics.requestsRejected.inc({ receiver, reason: REASONS[error.kind] ?? 'invalid' });
    const status = answers.statusOf(error.kind);
    if (status >= 500 && error.kind !== 'Overloaded') options.onInternalError?.(error);
    if (status === 429 || status === 503) {
      // A tenant's own limit says when it has room again; the shared queue does not know.
      response.setHeader('Retry-After', String(error.retryAfterSeconds ?? INGEST_RETRY_AFTER_SECONDS));
    }
    return answers.sendError(response, status, error.message, mediaType);
  }
  answers.sendAccepted(response, outcome, mediaType);
}

const REASONS: Partial<Record<ErrorKind, RejectReason>> = {
  PayloadTooLarge: 'too_large',
  UnsupportedMediaType: 'unsupported_media_type',
  InvalidPayload: 'invalid',
};

/** The request's path as receivers route by it: the request target up to `?`, not decoded. */
export function requestPath(request: IncomingMessage): string {
  return (request.url ?? '/').split('?')[0] as string;
}

/** Lowercase media type without parameters; '' when the header is absent. */
export function mediaTypeOf(contentType: string | undefined): string {
  return (contentType ?? '').split(';')[0]!.trim().toLowerCase();
}

/** Error kinds to status codes for Jaeger's and Zipkin's collectors. */
export function plainIngestStatusOf(kind: ErrorKind): number {
  switch (kind) {
    case 'InvalidPayload':
    case 'InvalidQuery':
    case 'InvalidTenant':
      return 400;
    case 'Unauthenticated':
      return 401;
    case 'PayloadTooLarge':
      return 413;
    case 'UnsupportedMediaType':
      return 415;
    case 'TraceNotFound':
      return 404;
    case 'RateLimited':
      return 429;
    case 'Overloaded':
    case 'StorageFailure':
      return 503;
    case 'QueryTimeout':
      return 504;
    case 'Internal':
      return 500;
  }
}

/** Jaeger's collector and Zipkin answer 202 with no body, errors as plain text. */
export const PLAIN_ANSWERS: HttpIngestAnswers = {
  statusOf: plainIngestStatusOf,
  sendError(response, status, message) {
    response.writeHead(status, { 'Content-Type': 'text/plain; charset=utf-8' }).end(`${message}\n`);
  },
  sendAccepted(response) {
    response.writeHead(202).end();
  },
};
