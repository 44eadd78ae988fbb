/**
 * Why an API call failed, as the page needs to know it: to say "not found"
 * rather than "broken", and whether trying again can help.
 */
export type ApiErrorKind =
  /** 404: the trace (or route) does not exist. */
  | 'NotFound'
  /** Another 4xx: the request was refused (a malformed search). Retrying the same request will not help. */
  | 'BadRequest'
  /** 5xx: the server or its store failed. */
  | 'ServerError'
  /** No answer at all: the server is down or unreachable. */
  | 'NetworkError'
  /** An answer that is not what the API promises (not JSON, wrong shape). */
  | 'InvalidResponse';

export class ApiError extends Error {
  override readonly name = 'ApiError';
  constructor(
    readonly kind: ApiErrorKind,
    message: string,
    /** HTTP status, when there was a response. */
    readonly status?: number,
    options?: { cause?: unknown },
  ) {
    super(message, options);
  }
}

export function isApiError(error: unknown, kind?: ApiErrorKind): error is ApiError {
  return error instanceof ApiError && (kind === undefined || error.kind === kind);
}

export function kindOfStatus(status: number): ApiErrorKind {
  if (status === 404) return 'NotFound';
  if (status >= 400 && status < 500) return 'BadRequest';
  return 'ServerError';
}
