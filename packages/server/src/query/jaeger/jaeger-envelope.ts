import { isAriadneError, type JaegerEnvelope, type JaegerError, stringifyJaegerJson } from '@ariadne/protocol';
import { httpStatusOfError } from '../http-error-status.js';

const JSON_HEADERS = { 'content-type': 'application/json' };

/**
 * A successful answer in Jaeger's envelope. `total` is the number of items
 * (Jaeger fills it for services and operations; we fill it everywhere).
 * `errors` carries per-item problems, such as a requested trace that is not
 * stored; the status stays 200, as in Jaeger.
 */
export function jaegerDataResponse(data: unknown, total: number, errors: JaegerError[] | null = null): Response {
  const envelope: JaegerEnvelope<unknown> = { data, total, limit: 0, offset: 0, errors };
  return new Response(stringifyJaegerJson(envelope), { status: 200, headers: JSON_HEADERS });
}

/**
 * A failed request: `data: null` and one error whose code is the HTTP status
 * (mapped from the error's kind in `http-error-status.ts`). `message`
 * overrides the error's own text, for answers Jaeger words in a fixed way.
 */
export function jaegerErrorResponse(error: unknown, message?: string): Response {
  const status = httpStatusOfError(error);
  const msg = message ?? (isAriadneError(error) ? error.message : `internal error: ${describe(error)}`);
  const envelope: JaegerEnvelope<null> = { data: null, total: 0, limit: 0, offset: 0, errors: [{ code: status, msg }] };
  return new Response(stringifyJaegerJson(envelope), { status, headers: JSON_HEADERS });
}

function describe(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}

/** A failure with a status that no error kind names, such as 501 for a capability the store lacks. */
export function jaegerStatusResponse(status: number, msg: string): Response {
  const envelope: JaegerEnvelope<null> = { data: null, total: 0, limit: 0, offset: 0, errors: [{ code: status, msg }] };
  return new Response(stringifyJaegerJson(envelope), { status, headers: JSON_HEADERS });
}
