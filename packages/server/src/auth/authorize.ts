import { timingSafeEqual } from 'node:crypto';
import type { TenantId } from '../tenancy/tenant-id.js';
import type { Role } from './access-roles.js';
import { hashToken } from './access-token.js';
import type { AuthEntry } from './auth-file.js';

/** What a request presents, whatever its protocol. */
export interface AccessRequest {
  /** The `Authorization` header (HTTP) or `authorization` metadata (gRPC), as received. */
  readonly authorization: string | undefined;
  /** `X-Scope-OrgID` (HTTP) or `x-scope-orgid` metadata (gRPC): the tenant a token with several picks. */
  readonly scopeOrgId: string | undefined;
}

/** What an endpoint needs. */
export interface AccessNeed {
  readonly role: Role;
  /**
   * True for endpoints that read or write one tenant's data (receivers, query
   * APIs, the UI): the decision names the tenant. False for process-wide ones
   * (`/metrics`), where a tenant means nothing and X-Scope-OrgID is ignored.
   */
  readonly tenantScoped: boolean;
}

/** Why a request was refused; a label value on `ariadne_auth_failures_total`. */
export type AccessFailure = 'missing_token' | 'malformed' | 'unknown_token' | 'role' | 'tenant';

export type AccessDecision =
  | {
      readonly allowed: true;
      /** The tenant the request acts for; undefined only when the endpoint is not tenant-scoped. */
      readonly tenant: TenantId | undefined;
      readonly entry: AuthEntry;
    }
  | {
      readonly allowed: false;
      /** 401: who is asking is not known. gRPC: UNAUTHENTICATED. */
      readonly status: 401;
      readonly reason: 'missing_token' | 'malformed' | 'unknown_token';
      readonly message: string;
      /** `WWW-Authenticate` values, one header each: Bearer, and Basic for tools that only do Basic. */
      readonly challenges: readonly string[];
    }
  | {
      readonly allowed: false;
      /** 403: known, but not allowed this. gRPC: PERMISSION_DENIED. */
      readonly status: 403;
      readonly reason: 'role' | 'tenant';
      readonly message: string;
    };

const REALM = 'realm="ariadne"';
const BASIC_CHALLENGE = `Basic ${REALM}, charset="UTF-8"`;

/**
 * Decides one request against the tokens of the auth file. Pure: no I/O, no
 * clock, no counters (the caller counts failures), so every rule is tested
 * here without a server.
 *
 * Credentials: `Bearer <token>`, or `Basic base64(user:token)` with the token
 * as the password and any user name (Grafana's data source, jaeger-client's
 * collector user and password, Zipkin reporters only do Basic). The token's
 * SHA-256 is compared with every entry's in constant time, without stopping
 * at a match, so neither a near miss nor the position of a match shows in
 * the time taken.
 *
 * Then the role, then the tenant: `X-Scope-OrgID` must be one of the token's
 * tenants; without it, a token with exactly one tenant acts for that one,
 * and a token with several is refused until it says which.
 */
export function authorize(entries: readonly AuthEntry[], request: AccessRequest, need: AccessNeed): AccessDecision {
  const presented = tokenOf(request.authorization);
  if (presented === 'missing') {
    return unauthenticated(
      'missing_token',
      'this endpoint needs Authorization: Bearer <token> (or Basic with the token as password)',
      false,
    );
  }
  if (presented === 'malformed') {
    return unauthenticated(
      'malformed',
      'the Authorization header is neither Bearer <token> nor Basic user:token',
      true,
    );
  }
  const entry = findEntry(entries, hashToken(presented));
  if (entry === undefined) return unauthenticated('unknown_token', 'the token is not valid', true);
  if (!entry.roles.includes(need.role)) {
    return { allowed: false, status: 403, reason: 'role', message: `this token does not have the ${need.role} role` };
  }
  if (!need.tenantScoped) return { allowed: true, tenant: undefined, entry };
  const asked = request.scopeOrgId?.trim();
  if (asked === undefined || asked === '') {
    if (entry.tenants.length === 1) return { allowed: true, tenant: entry.tenants[0], entry };
    return {
      allowed: false,
      status: 403,
      reason: 'tenant',
      message: `this token may use several tenants (${entry.tenants.join(', ')}); name one with X-Scope-OrgID`,
    };
  }
  // Compared as they are: tenant ids are case-sensitive, as in Tempo.
  const picked = entry.tenants.find((tenant) => tenant === asked);
  if (picked === undefined) {
    return { allowed: false, status: 403, reason: 'tenant', message: `this token may not use tenant "${asked}"` };
  }
  return { allowed: true, tenant: picked, entry };
}

function unauthenticated(
  reason: 'missing_token' | 'malformed' | 'unknown_token',
  message: string,
  presentedSomething: boolean,
): AccessDecision {
  // RFC 6750: error="invalid_token" when credentials came and were wrong; none when they were absent.
  const bearer = presentedSomething ? `Bearer ${REALM}, error="invalid_token"` : `Bearer ${REALM}`;
  return { allowed: false, status: 401, reason, message, challenges: [bearer, BASIC_CHALLENGE] };
}

/** The token a header carries: Bearer's, or Basic's password. */
function tokenOf(header: string | undefined): string | 'missing' | 'malformed' {
  if (header === undefined || header.trim() === '') return 'missing';
  const match = /^\s*(\S+)\s+(\S+)\s*$/.exec(header);
  if (!match) return 'malformed';
  const scheme = match[1]!.toLowerCase();
  const value = match[2]!;
  if (scheme === 'bearer') return value;
  if (scheme !== 'basic' || !/^[A-Za-z0-9+/]+=*$/.test(value)) return 'malformed';
  const decoded = Buffer.from(value, 'base64').toString('utf8');
  const colon = decoded.indexOf(':');
  if (colon < 0 || colon === decoded.length - 1) return 'malformed';
  return decoded.slice(colon + 1);
}

/** The entry whose digest equals `digest`; every entry is compared, in constant time each. */
function findEntry(entries: readonly AuthEntry[], digest: Buffer): AuthEntry | undefined {
  let found: AuthEntry | undefined;
  for (const entry of entries) {
    // Entries are 32 bytes (checked when the file is read), as is every digest, so the lengths always match.
    if (timingSafeEqual(entry.sha256, digest) && found === undefined) found = entry;
  }
  return found;
}
