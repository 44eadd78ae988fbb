import { createHash } from 'node:crypto';
import type { TenantId } from './tenant-id.js';

/** Longer names are replaced by a hash: folder names stop at 255 bytes, and ClickHouse keeps a file per database. */
const MAX_PLAIN_NAME = 120;

/**
 * The name under which a store keeps a tenant's data (a folder of the
 * embedded store, a ClickHouse database): lowercase letters and digits as
 * they are, every other character as `_` and its two hex digits. Two tenants
 * never share a name, even on a file system that ignores case (`Team` is
 * `_54eam`, `team` is `team`), and the name is a plain SQL identifier. Names
 * that would grow past 120 characters become `_zz` and the SHA-256 of the id
 * (`z` is no hex digit, so no encoded id looks like that).
 */
export function tenantStorageName(tenant: TenantId): string {
  let name = '';
  for (const char of tenant) {
    name += /[a-z0-9]/.test(char) ? char : `_${char.charCodeAt(0).toString(16).padStart(2, '0')}`;
  }
  if (name.length <= MAX_PLAIN_NAME) return name;
  return `_zz${createHash('sha256').update(tenant).digest('hex')}`;
}
