/**
 * Errors are values with a kind. Each kind maps to one status code per
 * protocol, in one place per protocol (see the server's http error mapping);
 * code that throws only picks the kind and says what was wrong.
 */
export type ErrorKind =
  /** The request body or a field of it could not be decoded. */
  | 'InvalidPayload'
  /** A query parameter or query text is malformed. */
  | 'InvalidQuery'
  /** The body is larger than the configured limit (after decompression). */
  | 'PayloadTooLarge'
  /** The content type is not one this endpoint accepts. */
  | 'UnsupportedMediaType'
  /** The pipeline or store is saturated; the client should retry later. */
  | 'Overloaded'
  /**
   * The caller's tenant is past one of its own limits (ingest rate, concurrent
   * searches); other tenants are not. Retryable: `retryAfterSeconds` says when.
   */
  | 'RateLimited'
  | 'TraceNotFound'
  /** A query ran past its deadline and was stopped. */
  | 'QueryTimeout'
  /** The store failed; the data may or may not have been written. */
  | 'StorageFailure'
  /** The request does not say whose it is (multitenancy without X-Scope-OrgID). */
  | 'Unauthenticated'
  /** The request names a tenant in a form that is not a valid tenant id. */
  | 'InvalidTenant'
  | 'Internal';

export class AriadneError extends Error {
  override readonly name = 'AriadneError';
  constructor(
    readonly kind: ErrorKind,
    message: string,
    options?: { cause?: unknown; retryAfterSeconds?: number },
  ) {
    super(message, options?.cause === undefined ? undefined : { cause: options.cause });
    if (options?.retryAfterSeconds !== undefined) this.retryAfterSeconds = options.retryAfterSeconds;
  }

  /** For a retryable refusal: whole seconds the client should wait before it retries (Retry-After, RetryInfo). */
  readonly retryAfterSeconds?: number;
}

export function isAriadneError(error: unknown, kind?: ErrorKind): error is AriadneError {
  return error instanceof AriadneError && (kind === undefined || error.kind === kind);
}
