import { readFileSync } from 'node:fs';
import { parse as parseYaml } from 'yaml';
import { parseGoDuration } from '../query/jaeger/go-duration.js';
import { compileTraceQL } from '../query/traceql/compile.js';

/**
 * What the kept tier keeps of a tenant's traces once they are older than the
 * short window (`--retention`). Plain data: it crosses to the store's thread
 * by structured clone, and the store compiles its TraceQL conditions there.
 */
export interface RetentionPolicy {
  /** A trace is decided once its last span is this old (its later spans would be missing). */
  readonly settleNanos: bigint;
  /** Keep every trace with a span whose status is error. */
  readonly errors: boolean;
  /**
   * Keep traces slower than their operation's p99 over the hour before them:
   * `root` (the default) judges the root span, `any` every span (about one
   * trace in five of 20 spans has a span past its p99), `off` none.
   */
  readonly slow: 'root' | 'any' | 'off';
  /** At least this many traces per (service, operation, status) and minute of span start. */
  readonly exemplarsPerMinute: number;
  /** TraceQL conditions: a trace any of them matches is kept. */
  readonly traceql: readonly string[];
  /** Span or resource attributes whose presence keeps a trace (a `false` value does not). */
  readonly keepAttributes: readonly string[];
  /** Fraction (0 to 1) of the other traces kept, the same traces whatever the order they are seen in. */
  readonly sampleFraction: number;
}

/** The policies of a server: one for every tenant, and others for the tenants that name their own. */
export interface RetentionPolicies {
  readonly defaults: RetentionPolicy;
  readonly tenants: Readonly<Record<string, RetentionPolicy>>;
}

/** Names of the policies that keep a trace, in the order a trace is tested (the first that keeps it names it). */
export const KEEP_POLICIES = ['attribute', 'error', 'traceql', 'slow', 'exemplar', 'sample'] as const;
export type KeepPolicy = (typeof KEEP_POLICIES)[number];

export const DEFAULT_RETENTION_POLICY: RetentionPolicy = {
  settleNanos: 5n * 60_000_000_000n,
  errors: true,
  slow: 'root',
  exemplarsPerMinute: 1,
  traceql: [],
  keepAttributes: ['jaeger-debug-id', 'keep'],
  sampleFraction: 0.01,
};

export const DEFAULT_RETENTION_POLICIES: RetentionPolicies = { defaults: DEFAULT_RETENTION_POLICY, tenants: {} };

export class RetentionPolicyError extends Error {}

/** The policy of one tenant: its own section, else the defaults. */
export function policyForTenant(policies: RetentionPolicies, tenant: string): RetentionPolicy {
  return Object.hasOwn(policies.tenants, tenant) ? policies.tenants[tenant]! : policies.defaults;
}

/** Reads `--retention-policy FILE` (YAML, which JSON is a part of); a mistake names the file and the field. */
export function readRetentionPolicyFile(file: string): RetentionPolicies {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (error) {
    throw new RetentionPolicyError(`cannot read ${file}: ${error instanceof Error ? error.message : String(error)}`);
  }
  try {
    return parseRetentionPolicies(text);
  } catch (error) {
    if (error instanceof RetentionPolicyError) throw new RetentionPolicyError(`${file}: ${error.message}`);
    throw new RetentionPolicyError(`${file}: ${error instanceof Error ? error.message : String(error)}`);
  }
}

const POLICY_KEYS = ['settle', 'errors', 'slow', 'exemplars', 'traceql', 'keepAttributes', 'sample'];

/**
 * The file's shape: the top level is the default policy (each field optional,
 * the built-in default when absent), and `tenants:` maps a tenant to the
 * fields it changes from that default.
 *
 * ```yaml
 * settle: 5m
 * errors: true
 * slow: root        # or any (every span), off
 * exemplars: 1
 * traceql: ['{ span.customer.tier = "gold" }']
 * keepAttributes: [jaeger-debug-id, keep]
 * sample: 0.01
 * tenants:
 *   team-a: { sample: 0.1 }
 * ```
 */
export function parseRetentionPolicies(text: string): RetentionPolicies {
  const document: unknown = parseYaml(text);
  if (document === null || document === undefined) return DEFAULT_RETENTION_POLICIES;
  const top = objectOf(document, 'the file');
  for (const key of Object.keys(top)) {
    if (key !== 'tenants' && !POLICY_KEYS.includes(key)) {
      throw new RetentionPolicyError(`unknown field "${key}" (known: ${[...POLICY_KEYS, 'tenants'].join(', ')})`);
    }
  }
  const defaults = policyOf(top, DEFAULT_RETENTION_POLICY, '');
  const tenants: Record<string, RetentionPolicy> = {};
  if (top.tenants !== undefined && top.tenants !== null) {
    for (const [tenant, section] of Object.entries(objectOf(top.tenants, 'tenants'))) {
      const fields = objectOf(section ?? {}, `tenants.${tenant}`);
      for (const key of Object.keys(fields)) {
        if (!POLICY_KEYS.includes(key)) throw new RetentionPolicyError(`tenants.${tenant}: unknown field "${key}"`);
      }
      tenants[tenant] = policyOf(fields, defaults, `tenants.${tenant}.`);
    }
  }
  return { defaults, tenants };
}

function policyOf(fields: Record<string, unknown>, base: RetentionPolicy, at: string): RetentionPolicy {
  const field = (key: string) => fields[key];
  const bool = (key: string, fallback: boolean): boolean => {
    const value = field(key);
    if (value === undefined) return fallback;
    if (typeof value !== 'boolean') throw new RetentionPolicyError(`${at}${key} must be true or false`);
    return value;
  };
  const texts = (key: string, fallback: readonly string[]): readonly string[] => {
    const value = field(key);
    if (value === undefined) return fallback;
    if (!Array.isArray(value) || value.some((item) => typeof item !== 'string' || item === '')) {
      throw new RetentionPolicyError(`${at}${key} must be a list of texts`);
    }
    return value as string[];
  };
  const settleText = field('settle');
  let settleNanos = base.settleNanos;
  if (settleText !== undefined) {
    if (typeof settleText !== 'string') throw new RetentionPolicyError(`${at}settle must be a duration such as 5m`);
    settleNanos = parseRetentionDuration(`${at}settle`, settleText);
  }
  const exemplars = field('exemplars') ?? base.exemplarsPerMinute;
  if (typeof exemplars !== 'number' || !Number.isInteger(exemplars) || exemplars < 0 || exemplars > 10_000) {
    throw new RetentionPolicyError(`${at}exemplars must be a whole number from 0 to 10000`);
  }
  const sample = field('sample') ?? base.sampleFraction;
  if (typeof sample !== 'number' || !(sample >= 0 && sample <= 1)) {
    throw new RetentionPolicyError(`${at}sample must be a fraction from 0 to 1`);
  }
  const traceql = texts('traceql', base.traceql);
  for (const [i, condition] of traceql.entries()) {
    try {
      compileTraceQL(condition);
    } catch (error) {
      throw new RetentionPolicyError(
        `${at}traceql[${i}]: ${error instanceof Error ? error.message : String(error)} in ${JSON.stringify(condition)}`,
      );
    }
  }
  return {
    settleNanos,
    errors: bool('errors', base.errors),
    slow: slowOf(field('slow'), base.slow, at),
    exemplarsPerMinute: exemplars,
    traceql,
    keepAttributes: texts('keepAttributes', base.keepAttributes),
    sampleFraction: sample,
  };
}

function slowOf(value: unknown, fallback: RetentionPolicy['slow'], at: string): RetentionPolicy['slow'] {
  if (value === undefined) return fallback;
  if (value === true) return 'root';
  if (value === false) return 'off';
  if (value === 'root' || value === 'any' || value === 'off') return value;
  throw new RetentionPolicyError(`${at}slow must be root, any, off (or true for root, false for off)`);
}

function objectOf(value: unknown, what: string): Record<string, unknown> {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    throw new RetentionPolicyError(`${what} must be a map of fields`);
  }
  return value as Record<string, unknown>;
}

const DAY_NANOS = 86_400_000_000_000n;

/** A Go duration, or a whole number of days (`30d`): retention is counted in days. */
export function parseRetentionDuration(name: string, text: string): bigint {
  const days = /^(\d+)d$/.exec(text.trim());
  let nanos: bigint;
  try {
    nanos = days === null ? parseGoDuration(text.trim()) : BigInt(days[1]!) * DAY_NANOS;
  } catch (error) {
    throw new RetentionPolicyError(`${name}: ${error instanceof Error ? error.message : String(error)}`);
  }
  if (nanos <= 0n) throw new RetentionPolicyError(`${name} must be a positive duration such as 5m or 30d`);
  return nanos;
}
