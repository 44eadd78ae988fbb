import { readFileSync } from 'node:fs';
import { isMap, isScalar, LineCounter, type Node, type Pair, parseDocument, type YAMLMap } from 'yaml';
import { parseGoDuration } from '../query/jaeger/go-duration.js';
import { parseTenantId, type TenantId } from '../tenancy/tenant-id.js';
import type { TenantLimits, TenantLimitsConfig } from './tenant-limits.js';

/** A mistake in a limits file, worded `file:line: key: what is wrong`. */
export class TenantLimitsFileError extends Error {
  override readonly name = 'TenantLimitsFileError';
}

/**
 * The keys of one tenant's limits, grouped as Tempo's overrides are
 * (`ingestion`, `read`); `0` turns a limit off, so an override can lift a
 * default for one tenant.
 */
const INGESTION_KEYS = {
  rate_limit_spans: 'spansPerSecond',
  burst_size_spans: 'spansBurst',
  rate_limit_bytes: 'bytesPerSecond',
  burst_size_bytes: 'bytesBurst',
} as const satisfies Record<string, keyof TenantLimits>;

const READ_KEYS = {
  max_concurrent_searches: 'maxConcurrentSearches',
  max_search_duration: 'maxSearchWindowNanos',
} as const satisfies Record<string, keyof TenantLimits>;

const SECTIONS = { ingestion: INGESTION_KEYS, read: READ_KEYS } as const;

/** Reads and checks a `--limits` file (YAML, or JSON, which YAML reads too). */
export function readTenantLimitsFile(file: string): TenantLimitsConfig {
  let source: string;
  try {
    source = readFileSync(file, 'utf8');
  } catch (error) {
    throw new TenantLimitsFileError(`cannot read ${JSON.stringify(file)}: ${(error as Error).message}`);
  }
  return parseTenantLimits(source, file);
}

/**
 * Parses a limits file:
 *
 * ```yaml
 * defaults:            # every tenant
 *   ingestion: { rate_limit_spans: 10000, burst_size_spans: 20000, rate_limit_bytes: 15000000 }
 *   read: { max_concurrent_searches: 8, max_search_duration: 168h }
 * overrides:           # field by field over the defaults
 *   tenant-a:
 *     ingestion: { rate_limit_spans: 100 }
 *   tenant-b:
 *     ingestion: { rate_limit_spans: 0 }   # 0: no limit
 * ```
 *
 * Unknown keys, wrong types and impossible values are refused with the line
 * and key, so a typo is never a limit silently not applied.
 */
export function parseTenantLimits(source: string, file = 'limits file'): TenantLimitsConfig {
  const lines = new LineCounter();
  const document = parseDocument(source, { lineCounter: lines, prettyErrors: false });
  const fail = (node: Node | null | undefined, message: string): never => {
    const offset = node?.range?.[0];
    const where = offset === undefined ? file : `${file}:${lines.linePos(offset).line}`;
    throw new TenantLimitsFileError(`${where}: ${message}`);
  };
  const [syntax] = document.errors;
  if (syntax !== undefined) {
    throw new TenantLimitsFileError(
      `${file}:${lines.linePos(syntax.pos[0]).line}: not valid YAML or JSON: ${syntax.message.split('\n')[0]}`,
    );
  }
  const root = document.contents;
  if (root === null || (isScalar(root) && root.value === null)) return { defaults: {}, overrides: new Map() };
  const top = mapping(root, 'the file', fail);
  let defaults: TenantLimits = {};
  const overrides = new Map<TenantId, TenantLimits>();
  for (const pair of top.items) {
    const key = keyOf(pair, fail);
    if (key === 'defaults') defaults = tenantLimits(pair.value as Node, 'defaults', fail);
    else if (key === 'overrides') {
      if (isScalar(pair.value) && pair.value.value === null) continue;
      for (const entry of mapping(pair.value as Node, 'overrides', fail).items) {
        const name = keyOf(entry, fail);
        let tenant: TenantId;
        try {
          tenant = parseTenantId(name);
        } catch (error) {
          return fail(entry.key as Node, `overrides: ${(error as Error).message}`);
        }
        overrides.set(tenant, tenantLimits(entry.value as Node, `overrides.${name}`, fail));
      }
    } else fail(pair.key as Node, `unknown key "${key}"; the file has defaults: and overrides:`);
  }
  checkBursts(defaults, defaults, ['defaults'], top, fail);
  for (const [tenant, own] of overrides) checkBursts(own, { ...defaults, ...own }, ['overrides', tenant], top, fail);
  return { defaults, overrides };
}

type Fail = (node: Node | null | undefined, message: string) => never;

function mapping(node: Node | null | undefined, what: string, fail: Fail): YAMLMap {
  if (!isMap(node)) return fail(node, `${what} must be a mapping of keys to values`);
  return node;
}

function keyOf(pair: Pair, fail: Fail): string {
  const key = pair.key as Node;
  if (!isScalar(key) || typeof key.value !== 'string') return fail(key, 'keys must be names');
  return key.value;
}

function tenantLimits(node: Node | null | undefined, path: string, fail: Fail): TenantLimits {
  if (node === null || node === undefined || (isScalar(node) && node.value === null)) return {};
  const out: Record<string, number | bigint> = {};
  for (const sectionPair of mapping(node, path, fail).items) {
    const section = keyOf(sectionPair, fail);
    const keys = SECTIONS[section as keyof typeof SECTIONS] as Record<string, keyof TenantLimits> | undefined;
    if (keys === undefined) {
      return fail(sectionPair.key as Node, `${path}: unknown key "${section}"; use ingestion: or read:`);
    }
    for (const pair of mapping(sectionPair.value as Node, `${path}.${section}`, fail).items) {
      const key = keyOf(pair, fail);
      const field = keys[key];
      const at = `${path}.${section}.${key}`;
      if (field === undefined) {
        return fail(pair.key as Node, `unknown key "${at}"; ${section} takes ${Object.keys(keys).join(', ')}`);
      }
      const value = pair.value as Node;
      out[field] = field === 'maxSearchWindowNanos' ? durationValue(value, at, fail) : countValue(value, at, fail);
    }
  }
  return out as TenantLimits;
}

/** A whole number ≥ 0 (0: no limit). */
function countValue(node: Node, at: string, fail: Fail): number {
  const value = isScalar(node) ? node.value : undefined;
  if (typeof value !== 'number' || !Number.isSafeInteger(value) || value < 0) {
    return fail(node, `${at} must be a whole number, 0 or more (0: no limit), not ${describe(node)}`);
  }
  return value;
}

/** A Go-style duration such as `24h` or `30m` (`0`: no limit). */
function durationValue(node: Node, at: string, fail: Fail): bigint {
  const value = isScalar(node) ? node.value : undefined;
  if (value === 0) return 0n;
  if (typeof value !== 'string') return fail(node, `${at} must be a duration such as 24h, not ${describe(node)}`);
  try {
    const nanos = parseGoDuration(value);
    if (nanos < 0n) return fail(node, `${at} must not be negative`);
    return nanos;
  } catch (error) {
    if (error instanceof TenantLimitsFileError) throw error;
    return fail(node, `${at} must be a duration such as 24h: ${(error as Error).message}`);
  }
}

function describe(node: Node): string {
  return isScalar(node) ? JSON.stringify(node.value) : 'a mapping or list';
}

/**
 * A burst with no rate to refill it is a mistake, not a limit: checked where
 * the burst is written (a tenant that turns the default rate off also turns
 * off the default burst).
 */
function checkBursts(own: TenantLimits, merged: TenantLimits, path: readonly string[], top: YAMLMap, fail: Fail): void {
  const pairs = [
    ['spansBurst', 'spansPerSecond', 'burst_size_spans', 'rate_limit_spans'],
    ['bytesBurst', 'bytesPerSecond', 'burst_size_bytes', 'rate_limit_bytes'],
  ] as const;
  for (const [burst, rate, burstKey, rateKey] of pairs) {
    if ((own[burst] ?? 0) > 0 && !((merged[rate] ?? 0) > 0)) {
      const node = top.getIn([...path, 'ingestion', burstKey], true) as Node | undefined;
      fail(node, `${path.join('.')}.ingestion.${burstKey} needs ${rateKey} (a burst with no rate never refills)`);
    }
  }
}
