import { type ErrorKind, isAriadneError } from '@ariadne/protocol';

/**
 * The one place where error kinds become HTTP status codes for the query APIs.
 * `Overloaded` is 503 here: 429 with Retry-After is OTLP's way of pushing back
 * on exporters, while a person or UI reading data sees a server that is busy.
 * `QueryTimeout` is 504, as Tempo answers Grafana when a query outlives its
 * timeout (Jaeger's envelope carries the same code).
 */
const STATUS_BY_KIND: Record<ErrorKind, number> = {
  InvalidQuery: 400,
  InvalidPayload: 400,
  InvalidTenant: 400,
  Unauthenticated: 401,
  TraceNotFound: 404,
  PayloadTooLarge: 413,
  UnsupportedMediaType: 415,
  Overloaded: 503,
  RateLimited: 429,
  QueryTimeout: 504,
  StorageFailure: 500,
  Internal: 500,
};

export function httpStatusOfKind(kind: ErrorKind): number {
  return STATUS_BY_KIND[kind];
}

/** Errors that are not `AriadneError` values are bugs: 500. */
export function httpStatusOfError(error: unknown): number {
  return isAriadneError(error) ? httpStatusOfKind(error.kind) : 500;
}
