import { appendFileSync, readFileSync } from 'node:fs';
import { AriadneError } from '@ariadne/protocol';
import { isTenantId, TENANT_ID_RULE, type TenantId } from '../tenancy/tenant-id.js';
import { isRole, type Role } from './access-roles.js';

/** One token the server accepts, as a line of the auth file holds it. */
export interface AuthEntry {
  /** SHA-256 of the token (32 bytes); the token itself is never stored. */
  readonly sha256: Buffer;
  /** Tenants the token may use; at least one. Named by the same rule as `X-Scope-OrgID` (`parseTenantId`). */
  readonly tenants: readonly TenantId[];
  /** Roles the token has; at least one. */
  readonly roles: readonly Role[];
  /** Free text for people: who or what holds the token. */
  readonly name?: string;
  /** When `ariadne token create` made it (ISO 8601), for people too. */
  readonly created?: string;
}

const KEYS = new Set(['sha256', 'tenants', 'roles', 'name', 'created']);
const SHA256_HEX = /^[0-9a-f]{64}$/;

/**
 * Parses an auth file: JSON Lines, one object per token, e.g.
 * `{"sha256":"<64 hex>","tenants":["team-a"],"roles":["ingest","query"]}`.
 * Blank lines and lines starting with `#` are skipped (notes for people).
 * JSON Lines because `token create` only ever appends a line (no reparse and
 * rewrite of a file people may edit by hand), a mistake points to one line,
 * and JSON has none of YAML's guessing about what a bare word means.
 * Anything unexpected (a key we do not know, a role that does not exist, the
 * same token twice) is refused whole, naming the line: a half-read auth
 * file would lock out or let in the wrong people.
 */
export function parseAuthFile(text: string, fileName: string): AuthEntry[] {
  const entries: AuthEntry[] = [];
  const lineOfHash = new Map<string, number>();
  text.split('\n').forEach((raw, index) => {
    const line = raw.trim();
    if (line === '' || line.startsWith('#')) return;
    const where = `${fileName}, line ${index + 1}`;
    const fail = (message: string): never => {
      throw new AriadneError('InvalidQuery', `auth file ${where}: ${message}`);
    };
    let value: unknown;
    try {
      value = JSON.parse(line);
    } catch (error) {
      fail(`not a JSON object (${(error as Error).message})`);
    }
    if (typeof value !== 'object' || value === null || Array.isArray(value)) fail('not a JSON object');
    const object = value as Record<string, unknown>;
    for (const key of Object.keys(object)) {
      if (!KEYS.has(key)) fail(`unknown key "${key}"; an entry has ${[...KEYS].join(', ')}`);
    }
    const { sha256, tenants, roles, name, created } = object;
    if (typeof sha256 !== 'string' || !SHA256_HEX.test(sha256)) {
      fail('"sha256" must be the token\'s SHA-256 digest as 64 lowercase hex digits');
    }
    if (!Array.isArray(tenants) || tenants.length === 0) fail('"tenants" must be a non-empty list of tenant names');
    for (const tenant of tenants as unknown[]) {
      if (!isTenantId(tenant)) fail(`tenant ${JSON.stringify(tenant)} is not a valid name (${TENANT_ID_RULE})`);
    }
    if (!Array.isArray(roles) || roles.length === 0) fail('"roles" must be a non-empty list of ingest, query, admin');
    for (const role of roles as unknown[]) {
      if (!isRole(role)) fail(`role ${JSON.stringify(role)} is not one of ingest, query, admin`);
    }
    if (name !== undefined && typeof name !== 'string') fail('"name" must be a string');
    if (created !== undefined && typeof created !== 'string') fail('"created" must be a string');
    const hex = sha256 as string;
    const earlier = lineOfHash.get(hex);
    if (earlier !== undefined) fail(`the same token is listed on line ${earlier} too`);
    lineOfHash.set(hex, index + 1);
    entries.push({
      sha256: Buffer.from(hex, 'hex'),
      tenants: [...new Set(tenants as TenantId[])],
      roles: [...new Set(roles as Role[])],
      ...(name === undefined ? {} : { name: name as string }),
      ...(created === undefined ? {} : { created: created as string }),
    });
  });
  return entries;
}

/** Reads and parses an auth file; a file that cannot be read is an error that names it. */
export function readAuthFile(file: string): AuthEntry[] {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (error) {
    throw new AriadneError(
      'InvalidQuery',
      `cannot read auth file ${JSON.stringify(file)}: ${(error as Error).message}`,
    );
  }
  return parseAuthFile(text, file);
}

/** One entry as its line in the file (without the newline). */
export function formatAuthEntry(entry: AuthEntry): string {
  return JSON.stringify({
    sha256: entry.sha256.toString('hex'),
    tenants: entry.tenants,
    roles: entry.roles,
    ...(entry.name === undefined ? {} : { name: entry.name }),
    ...(entry.created === undefined ? {} : { created: entry.created }),
  });
}

/**
 * Appends an entry to the file, creating it (readable by its owner only)
 * when missing. One `write` with O_APPEND, so a server re-reading the file
 * meanwhile sees the line whole or not at all. A file whose last line has no
 * newline (edited by hand) gets one first.
 */
export function appendAuthEntry(file: string, entry: AuthEntry): void {
  let before = '';
  try {
    before = readFileSync(file, 'utf8');
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'ENOENT') throw error;
  }
  // Refuse to append to a file the server would refuse: the new token would not work and nobody would know why.
  parseAuthFile(before, file);
  const separator = before === '' || before.endsWith('\n') ? '' : '\n';
  appendFileSync(file, `${separator}${formatAuthEntry(entry)}\n`, { mode: 0o600 });
}
