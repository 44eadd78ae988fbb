/**
 * What a token may do. Each endpoint needs one role: receivers `ingest`,
 * query APIs and the web UI `query`, `/metrics` `admin`. A role does not
 * imply another: an admin token that should also read lists `query` too.
 */
export const ROLES = ['ingest', 'query', 'admin'] as const;

export type Role = (typeof ROLES)[number];

export function isRole(value: unknown): value is Role {
  return typeof value === 'string' && (ROLES as readonly string[]).includes(value);
}

/**
 * Tenant names a token may list: letters, digits, `_`, `-` and `.`, up to
 * 150 characters, never `.` or `..`. Narrower than HTTP header values on
 * purpose: a tenant becomes part of store keys and folder names later, so a
 * name that is safe as a path segment and a metric label is checked here,
 * once, where it enters.
 */
const TENANT_NAME = /^[A-Za-z0-9_.-]{1,150}$/;

export function isTenantName(value: unknown): value is string {
  return typeof value === 'string' && TENANT_NAME.test(value) && value !== '.' && value !== '..';
}

export const TENANT_NAME_RULE = 'letters, digits, "_", "-" and ".", 1 to 150 characters, not "." or ".."';
