import type { IncomingHttpHeaders } from 'node:http';
import type { Metadata } from '@grpc/grpc-js';

/**
 * A request's header (HTTP) or metadata entry (gRPC) by lowercase name; a
 * name sent several times reads as its values joined by commas (which no
 * tenant id or token can contain, so a repeated header is refused, never
 * half-read).
 */
export type RequestHeaders = (name: string) => string | undefined;

/** Headers of a node:http request. */
export function headersOfIncoming(headers: IncomingHttpHeaders): RequestHeaders {
  return (name) => {
    const value = headers[name];
    return Array.isArray(value) ? value.join(',') : value;
  };
}

/** Headers of a Fetch API request (Hono). */
export function headersOfFetch(headers: Headers): RequestHeaders {
  return (name) => headers.get(name) ?? undefined;
}

/** Metadata of a gRPC call; binary (`-bin`) entries are not text and read as absent. */
export function headersOfGrpc(metadata: Metadata): RequestHeaders {
  return (name) => {
    const values = metadata.get(name).filter((value): value is string => typeof value === 'string');
    return values.length === 0 ? undefined : values.join(',');
  };
}
