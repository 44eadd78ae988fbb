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
