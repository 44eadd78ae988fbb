import { AriadneError } from '@ariadne/protocol';

/**
 * A tenant's name, checked. Only `parseTenantId` (and `SINGLE_TENANT`) make
 * one, so a value of this type has passed the rules below wherever it turns
 * up: in a folder name, a ClickHouse database name, a map key.
 */
export type TenantId = string & { readonly __tenantId: unique symbol };

/** Everything is this one tenant when multitenancy is off (Tempo's name for it). */
export const SINGLE_TENANT = 'single-tenant' as TenantId;

/** Tempo's (and Mimir's, Loki's) limit, in bytes; every allowed character is one byte. */
export const MAX_TENANT_ID_BYTES = 150;

/** The rule below in words, for messages about names that break it. */
export const TENANT_ID_RULE = "1 to 150 letters, digits and ! - _ . * ' ( ), not . or ..";

/** Letters, digits and ! - _ . * ' ( ): the characters Tempo accepts in a tenant id. */
const TENANT_ID = /^[A-Za-z0-9!\-_.*'()]+$/;

/**
 * Checks a tenant id by Tempo's rules, so that ids that work with Tempo work
 * here unchanged: 1 to 150 of the characters above, case-sensitive, and not
 * `.` or `..` (they would name folders other than the tenant's). Throws
 * `InvalidTenant` saying what is wrong; Tempo's cross-tenant form `a|b` is
 * refused by name. The one rule for every tenant name, wherever it comes
 * from: `X-Scope-OrgID`, a token's tenants in the `--auth` file, `ariadne
 * token create --tenant`, `--udp-tenant`. (Store names are made safe apart
 * from it, by `tenantStorageName`.)
 */
export function parseTenantId(text: string): TenantId {
  if (text.length > MAX_TENANT_ID_BYTES) {
    throw new AriadneError(
      'InvalidTenant',
      `tenant id is ${text.length} characters long; at most ${MAX_TENANT_ID_BYTES} are allowed`,
    );
  }
  if (text.includes('|')) {
    throw new AriadneError('InvalidTenant', `tenant id "${text}": queries across tenants (a|b) are not supported`);
  }
  if (!TENANT_ID.test(text)) {
    throw new AriadneError(
      'InvalidTenant',
      `tenant id ${JSON.stringify(text)} has a character that is not allowed; use letters, digits and ! - _ . * ' ( )`,
    );
  }
  if (text === '.' || text === '..') throw new AriadneError('InvalidTenant', `"${text}" is not a valid tenant id`);
  return text as TenantId;
}

/** True when `text` is a tenant id by `parseTenantId`'s rules. */
export function isTenantId(text: unknown): text is TenantId {
  if (typeof text !== 'string') return false;
  try {
    parseTenantId(text);
    return true;
  } catch {
    return false;
  }
}
