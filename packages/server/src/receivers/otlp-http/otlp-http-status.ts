import type { ErrorKind } from '@ariadne/protocol';

/** Seconds a client is asked to wait before retrying a 429 or 503. */
export const RETRY_AFTER_SECONDS = 1;

/**
 * Error kinds to OTLP/HTTP status codes, per the OTLP specification: 400 for
 * bad data (not retryable), 429 when the server is saturated (retryable),
 * 503 when the store failed (retryable).
 */
export function otlpHttpStatusOf(kind: ErrorKind): number {
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
    case 'Overloaded':
    case 'RateLimited':
      return 429;
    case 'TraceNotFound':
      return 404;
    case 'StorageFailure':
      return 503;
    case 'QueryTimeout':
      return 504;
    case 'Internal':
      return 500;
  }
}
