import type { IncomingMessage } from 'node:http';
import type { Metadata } from '@grpc/grpc-js';
import { grpcAccessGrantOf } from '../auth/grpc-access.js';
import { type AccessGrant, accessGrantOf, accessGrantOfEnv } from '../auth/http-access.js';
import { headersOfFetch, headersOfGrpc, headersOfIncoming, type RequestHeaders } from './request-headers.js';

/**
 * What `resolveTenant` reads of a request: its headers (or gRPC metadata),
 * and the grant the `--auth` check attached to it. Made by the functions
 * below from one request object, so that a caller cannot hand over one
 * request's headers with another's grant, nor forget the grant.
 */
export interface TenantRequest {
  readonly headers: RequestHeaders;
  /** Set by the `--auth` guard or interceptor when it let the request in; undefined without `--auth`. */
  readonly grant: AccessGrant | undefined;
}

/** A node:http request (the receivers). */
export function tenantRequestOfIncoming(request: IncomingMessage): TenantRequest {
  return { headers: headersOfIncoming(request.headers), grant: accessGrantOf(request) };
}

/** A gRPC call, by its `call.metadata` (the object the interceptor saw). */
export function tenantRequestOfGrpc(metadata: Metadata): TenantRequest {
  return { headers: headersOfGrpc(metadata), grant: grpcAccessGrantOf(metadata) };
}

/**
 * A Fetch API request as `@hono/node-server` hands it over: `env` is the
 * second argument of the fetch handler (`c.env` in Hono), which holds the
 * Node request the guard saw.
 */
export function tenantRequestOfFetch(request: Request, env: unknown): TenantRequest {
  return { headers: headersOfFetch(request.headers), grant: accessGrantOfEnv(env) };
}
