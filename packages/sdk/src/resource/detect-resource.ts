import { arch, hostname, type as osType, platform, release } from 'node:os';
import { basename } from 'node:path';
import type { KeyValue, Resource } from '@ariadne/protocol';
import { type Env, stringFromEnv } from '../trace/env.js';
import { SDK_NAME, SDK_VERSION } from './sdk-info.js';

type ResourceValue = string | number | boolean | readonly string[];

/** OpenTelemetry's `os.type` values for Node's platform names. */
const OS_TYPES: Readonly<Record<string, string>> = { win32: 'windows', sunos: 'solaris' };
/** OpenTelemetry's `host.arch` values for Node's architecture names. */
const ARCHES: Readonly<Record<string, string>> = { arm: 'arm32', ppc: 'ppc32', x64: 'amd64' };

/** A resource from plain values; later keys replace earlier ones. */
export function resourceFromAttributes(attributes: Readonly<Record<string, ResourceValue | undefined>>): Resource {
  const out: KeyValue[] = [];
  for (const [key, value] of Object.entries(attributes)) {
    if (value === undefined || key === '') continue;
    out.push({ key, value: toValue(value) });
  }
  return Object.freeze({ attributes: Object.freeze(out), droppedAttributesCount: 0 });
}

function toValue(value: ResourceValue): KeyValue['value'] {
  if (typeof value === 'string') return { type: 'string', value };
  if (typeof value === 'boolean') return { type: 'bool', value };
  if (typeof value === 'number') {
    return Number.isSafeInteger(value) ? { type: 'int', value: BigInt(value) } : { type: 'double', value };
  }
  return { type: 'array', value: value.map((v) => ({ type: 'string', value: v })) };
}

/**
 * OTEL_RESOURCE_ATTRIBUTES: `key=value` pairs separated by commas, values
 * percent-encoded (W3C Baggage octets). Like the OTel SDK, a malformed
 * variable contributes nothing rather than half of itself.
 */
export function parseResourceAttributesEnv(raw: string | undefined): Record<string, string> {
  const out: Record<string, string> = {};
  if (raw === undefined || raw.trim() === '') return out;
  for (const pair of raw.split(',')) {
    if (pair.trim() === '') continue;
    const eq = pair.indexOf('=');
    if (eq <= 0) return {};
    const key = pair.slice(0, eq).trim();
    let value: string;
    try {
      value = decodeURIComponent(pair.slice(eq + 1).trim());
    } catch {
      return {};
    }
    if (key === '' || key.length > 255 || value.length > 255) return {};
    out[key] = value;
  }
  return out;
}

export interface DetectResourceOptions {
  /** Wins over `attributes['service.name']`, which wins over OTEL_SERVICE_NAME and OTEL_RESOURCE_ATTRIBUTES. */
  readonly serviceName?: string;
  /** Merged last: wins over everything detected. */
  readonly attributes?: Readonly<Record<string, ResourceValue | undefined>>;
  readonly env?: Env;
}

/**
 * The process's resource: host, OS, process and runtime facts, the SDK's own
 * identity, OTEL_RESOURCE_ATTRIBUTES, and `service.name` (OTEL_SERVICE_NAME,
 * else OTEL_RESOURCE_ATTRIBUTES' `service.name`, else
 * `unknown_service:<executable>` as the specification asks).
 */
export function detectResource(options: DetectResourceOptions = {}): Resource {
  const env = options.env ?? process.env;
  const fromEnv = parseResourceAttributesEnv(env.OTEL_RESOURCE_ATTRIBUTES);
  const executable = basename(process.execPath);
  const serviceName =
    options.serviceName ??
    asString(options.attributes?.['service.name']) ??
    stringFromEnv(env, 'OTEL_SERVICE_NAME') ??
    fromEnv['service.name'] ??
    `unknown_service:${executable}`;
  return resourceFromAttributes({
    'host.name': hostname(),
    'host.arch': ARCHES[arch()] ?? arch(),
    'os.type': OS_TYPES[platform()] ?? platform(),
    'os.description': `${osType()} ${release()}`,
    'os.version': release(),
    'process.pid': process.pid,
    'process.executable.name': executable,
    'process.executable.path': process.execPath,
    'process.command_args': [process.argv0, ...process.execArgv, ...process.argv.slice(1)],
    'process.runtime.name': 'nodejs',
    'process.runtime.version': process.versions.node,
    'process.runtime.description': 'Node.js',
    'telemetry.sdk.name': SDK_NAME,
    'telemetry.sdk.language': 'nodejs',
    'telemetry.sdk.version': SDK_VERSION,
    ...fromEnv,
    ...options.attributes,
    'service.name': serviceName,
  });
}

function asString(value: ResourceValue | undefined): string | undefined {
  return typeof value === 'string' ? value : undefined;
}
