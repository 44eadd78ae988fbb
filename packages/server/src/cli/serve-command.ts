import { parseArgs } from 'node:util';
import { AriadneError, isAriadneError } from '@ariadne/protocol';
import { DEFAULT_SERVE_CONFIG, type PortSetting, type ServeConfig, type ServePorts } from '../app/serve-config.js';
import type { ServerRole } from '../app/server-role.js';
import { type RunningServer, startServer } from '../app/start-server.js';
import { readTenantLimitsFile, TenantLimitsFileError } from '../limits/tenant-limits-file.js';
import { parseGoDuration } from '../query/jaeger/go-duration.js';
import { STORE_KINDS, type StoreKind } from '../storage/open-store.js';
import {
  createLogger,
  defaultLogFormat,
  LOG_FORMATS,
  LOG_LEVELS,
  type LogFormat,
  type Logger,
  type LogLevel,
  messageOf,
} from '../telemetry/logger.js';
import { parseTenantId, type TenantId } from '../tenancy/tenant-id.js';
import { retentionTiersOfFlags } from './retention-flags.js';
import { readServeConfigFile } from './serve-config-file.js';
import { serveUsageError as usageError } from './serve-usage-error.js';

export const SERVE_HELP = `Usage: ariadne serve [--config <file>] [options]

Runs the all-in-one server: receivers, storage, query APIs and the web UI.

Config file:
  --config <file>                  a YAML or JSON file that sets any option below: the option's name without
                                   its dashes as the key (query-port: 16686, storage: embedded). Options given
                                   on the command line win; relative paths in the file are resolved from the
                                   file's folder

Storage:
  --storage <kind>                 embedded (default, persistent), memory or clickhouse
  --data-dir <path>                where the embedded store keeps its files (default ./data)
  --max-traces <n>                 memory store: traces kept before the oldest are evicted (default 100000)
  --retention <duration>           drop spans older than this, e.g. 72h or 30m (default: keep forever)
  --retention-kept <duration>      keep the traces a policy keeps this long, e.g. 30d: past
                                   --retention, embedded blocks are compacted to those traces, and
                                   ClickHouse copies them to kept tables before dropping a day
  --retention-policy <file>        which traces the kept tier keeps (YAML or JSON; default: errors,
                                   slower than p99, 1 exemplar per operation and minute, 1 %)
  --clickhouse-url <url>           ClickHouse HTTP interface (default http://127.0.0.1:8123);
                                   several nodes, comma-separated: the next when one is down
  --clickhouse-database <name>     database (default ariadne)
  --clickhouse-user <name>         user (default: ClickHouse's default user)
  --clickhouse-password <secret>   password
  --clickhouse-cluster <name>      cluster: local tables on every shard plus Distributed tables
  --clickhouse-insert-quorum <n>   replicated cluster: acknowledge once n replicas hold a batch
  --spool-dir <path>               ClickHouse: where batches wait, fsynced and acknowledged, while ClickHouse
                                   cannot take them; replayed in order once it can (default <data-dir>/spool)
  --spool-max-bytes <n>            ClickHouse: most bytes the spool may hold; past it writes are refused
                                   with 503 and Retry-After (default 1073741824, 1 GiB)

Ports (a number, 0 for a free port, or "off" to not listen at all):
  --host <address>                 interface to listen on (default 127.0.0.1; 0.0.0.0 exposes Ariadne)
  --query-port <port>              web UI, query APIs, /health, /metrics (default 16686; cannot be off)
  --otlp-grpc-port <port>          OTLP/gRPC receiver (default 4317)
  --otlp-http-port <port>          OTLP/HTTP receiver (default 4318)
  --jaeger-http-port <port>        Jaeger Thrift over HTTP, POST /api/traces (default 14268)
  --jaeger-grpc-port <port>        Jaeger gRPC, api_v2 CollectorService (default 14250)
  --jaeger-compact-port <port>     Jaeger agent, compact Thrift over UDP (default 6831)
  --jaeger-binary-port <port>      Jaeger agent, binary Thrift over UDP (default 6832)
  --zipkin-port <port>             Zipkin receiver and Zipkin query API /api/v2/... (default 9411)
  --sampling-port <port>           Jaeger remote sampling, GET /sampling?service= (default 5778)
  --tempo-port <port>              Tempo query API with TraceQL, for Grafana (default 3200)

Tenants:
  --multitenancy                   keep tenants apart: every request names its tenant in the X-Scope-OrgID
                                   header (gRPC metadata x-scope-orgid), as with Tempo; without it, 401
  --udp-tenant <id>                with --multitenancy or --auth: the tenant the Jaeger agent UDP ports write
                                   for (a datagram names no tenant and carries no token; without this they
                                   do not listen)
  --max-tenants <n>                tenants one process serves at once; new ones past it are refused (default 100)
  --limits <file>                  limits per tenant (YAML or JSON): ingest spans/s and bytes/s with a burst,
                                   concurrent searches, longest search window; "defaults:" for every tenant,
                                   "overrides:" per tenant. Over a limit, that tenant alone gets 429 with
                                   Retry-After (gRPC RESOURCE_EXHAUSTED). Re-read on SIGHUP

Remote sampling:
  --sampling-strategies <file>     Jaeger strategies file (JSON), re-read when it changes
  --sampling-adaptive-target <n>   adaptive: per-operation probabilities recomputed from the spans
                                   received to keep n traces per second per operation
  --sampling-adaptive-interval <d> adaptive: how often they are recomputed, e.g. 1m (default 1m). With
                                   ClickHouse, collectors share the counts and the answer through it

Queries:
  --query-timeout <duration>       longest a query may run, e.g. 30s or 2m; past it the query is stopped and
                                   answered 504 (default 30s)
  --cors-origin <origin>           an origin (https://grafana.example.com) whose pages may read the query
                                   port's answers; repeat it or separate with commas (default: none, no CORS)
  --max-search-window <duration>   longest time window a search, dependency or metrics query may cover, e.g.
                                   168h; a longer one is answered 400 (default 168h)

Access (see the README's "Authentication and TLS"):
  --auth <file>                    tokens by SHA-256 hash, with tenants and roles (make them with
                                   "ariadne token create"); then every HTTP and gRPC endpoint but /health
                                   needs Authorization: Bearer <token> (or Basic, the token as password),
                                   and a request's tenant is its token's: tenants are kept apart as with
                                   --multitenancy, X-Scope-OrgID picks one of a token's several.
                                   SIGHUP re-reads the file
  --tls-cert <file>                PEM certificate chain: every HTTP and gRPC listener serves TLS
  --tls-key <file>                 PEM private key of --tls-cert
  --tls-client-ca <file>           PEM CA certificates: the receivers (OTLP, Jaeger, Zipkin, sampling ports)
                                   require a client certificate it signed (mutual TLS). SIGHUP re-reads
                                   the certificate files, and open connections stay

Ingest limits:
  --max-body-bytes <n>             largest request body or gRPC message, after decompression (default 20971520)
  --max-in-flight-spans <n>        spans awaiting storage before receivers answer "retry later" (default 200000)
  --max-spans-per-request <n>      larger requests are refused whole: 413 / RESOURCE_EXHAUSTED (default 100000)
  --max-attributes-per-span <n>    attributes kept per span, event and link; the rest are dropped (default 1024)
  --max-attribute-value-length <n> longer string and bytes values are truncated (default 65536)

Logs (on stderr; no secret is ever written):
  --log-level <level>              error, warn, info (default) or debug
  --log-format <format>            json (one object a line) or text; default text on a terminal, json otherwise

  -h, --help                       show this help

The chosen ports are printed once the server is ready.
`;

/** Port flags and the `ServePorts` field each sets. */
export const PORT_FLAGS = {
  'query-port': 'query',
  'otlp-grpc-port': 'otlpGrpc',
  'otlp-http-port': 'otlpHttp',
  'jaeger-http-port': 'jaegerHttp',
  'jaeger-grpc-port': 'jaegerGrpc',
  'jaeger-compact-port': 'jaegerCompact',
  'jaeger-binary-port': 'jaegerBinary',
  'zipkin-port': 'zipkin',
  'sampling-port': 'sampling',
  'tempo-port': 'tempo',
} as const satisfies Record<string, keyof ServePorts>;

/** Every option of `ariadne serve` that takes a value; each may also be a key in a --config file. */
export const SERVE_FLAGS = [
  'storage',
  'data-dir',
  'max-traces',
  'retention',
  'retention-kept',
  'retention-policy',
  'clickhouse-url',
  'clickhouse-database',
  'clickhouse-user',
  'clickhouse-password',
  'clickhouse-cluster',
  'clickhouse-insert-quorum',
  'spool-dir',
  'spool-max-bytes',
  'host',
  'max-body-bytes',
  'max-in-flight-spans',
  'max-spans-per-request',
  'max-attributes-per-span',
  'max-attribute-value-length',
  'sampling-strategies',
  'sampling-adaptive-target',
  'udp-tenant',
  'max-tenants',
  'limits',
  'query-timeout',
  'auth',
  'tls-cert',
  'tls-key',
  'tls-client-ca',
  'max-search-window',
  'cors-origin',
  'sampling-adaptive-interval',
  'log-level',
  'log-format',
  ...(Object.keys(PORT_FLAGS) as (keyof typeof PORT_FLAGS)[]),
] as const;

export type ServeFlag = (typeof SERVE_FLAGS)[number];

/** Options that are on or off: a bare flag on the command line, true/false in a --config file. */
export const SERVE_SWITCHES = ['multitenancy'] as const;

export type ServeSwitch = (typeof SERVE_SWITCHES)[number];

/** Options whose value is a path: a config file's relative paths are resolved from the file's folder. */
export const PATH_FLAGS: readonly ServeFlag[] = [
  'data-dir',
  'spool-dir',
  'sampling-strategies',
  'auth',
  'tls-cert',
  'tls-key',
  'tls-client-ca',
  'limits',
  'retention-policy',
];

export function parseServeArgs(args: readonly string[], role: ServerRole = 'all'): ServeConfig | 'help' {
  if (role === 'all') return parseRoleArgs(args, role);
  try {
    return parseRoleArgs(args, role);
  } catch (error) {
    // Every role takes serve's options; its mistakes are named by the command the user typed.
    if (!isAriadneError(error)) throw error;
    const message = error.message
      .replace(/^ariadne serve: /, `ariadne ${role}: `)
      .replace(/\(see ariadne serve --help\)$/, `(see ariadne ${role} --help)`);
    throw new AriadneError(error.kind, message);
  }
}

function parseRoleArgs(args: readonly string[], role: ServerRole): ServeConfig | 'help' {
  const { values, positionals } = parseArgs({
    args: [...args],
    strict: true,
    allowPositionals: true,
    options: {
      ...Object.fromEntries(SERVE_FLAGS.map((flag) => [flag, { type: 'string' as const }])),
      ...Object.fromEntries(SERVE_SWITCHES.map((flag) => [flag, { type: 'boolean' as const }])),
      // Repeatable: each occurrence names more origins.
      'cors-origin': { type: 'string', multiple: true },
      config: { type: 'string' },
      help: { type: 'boolean', short: 'h' },
    },
  });
  const {
    help,
    config,
    multitenancy,
    'cors-origin': corsOrigin,
    ...single
  } = values as Partial<Record<ServeFlag | 'config', string>> & {
    help?: boolean;
    'cors-origin'?: string[];
  } & Partial<Record<ServeSwitch, boolean>>;
  const given: Partial<Record<ServeFlag, string>> = {
    ...single,
    ...(corsOrigin === undefined ? {} : { 'cors-origin': corsOrigin.join(',') }),
  };
  if (help) return 'help';
  if (positionals.length > 0) throw usageError(`unexpected argument "${positionals[0]}"`);
  // Flags win over the file; a value's name in messages says where it came from.
  const fromFile =
    config === undefined
      ? {}
      : readServeConfigFile(config, [...SERVE_FLAGS, ...SERVE_SWITCHES], PATH_FLAGS, SERVE_SWITCHES);
  const text: Partial<Record<ServeFlag | ServeSwitch, string>> = {
    ...fromFile,
    ...given,
    ...(multitenancy ? { multitenancy: 'true' } : {}),
  };
  const name = (flag: ServeFlag | ServeSwitch) =>
    flag in given || config === undefined ? `--${flag}` : `"${flag}" in ${JSON.stringify(config)}`;
  const defaults = DEFAULT_SERVE_CONFIG;
  const storage = text.storage ?? defaults.storage;
  if (!STORE_KINDS.includes(storage as StoreKind)) {
    throw usageError(`${name('storage')} must be one of ${STORE_KINDS.join(', ')}, not "${storage}"`);
  }
  if (role !== 'all' && storage !== 'clickhouse') throw usageError(roleNeedsClickHouse(name('storage'), storage));
  const clickhouseFlags = (Object.keys(text) as ServeFlag[]).filter(
    (flag) => flag.startsWith('clickhouse-') || flag.startsWith('spool-'),
  );
  if (storage !== 'clickhouse' && clickhouseFlags.length > 0) {
    throw usageError(`${name(clickhouseFlags[0]!)} needs --storage clickhouse`);
  }
  const ports = { ...defaults.ports } as Record<keyof ServePorts, PortSetting>;
  for (const [flag, key] of Object.entries(PORT_FLAGS) as [keyof typeof PORT_FLAGS, keyof ServePorts][]) {
    const value = text[flag];
    if (value !== undefined) ports[key] = port(name(flag), value);
  }
  if (ports.query === 'off') throw usageError(`${name('query-port')} cannot be off`);
  const tlsCert = text['tls-cert'];
  const tlsKey = text['tls-key'];
  const tlsClientCa = text['tls-client-ca'];
  if ((tlsCert === undefined) !== (tlsKey === undefined)) {
    throw usageError(`${name(tlsCert === undefined ? 'tls-key' : 'tls-cert')} needs --tls-cert and --tls-key together`);
  }
  if (tlsClientCa !== undefined && tlsCert === undefined) {
    throw usageError(`${name('tls-client-ca')} needs --tls-cert and --tls-key`);
  }
  const limits = defaults.limits;
  const integer = <T extends number | undefined>(flag: ServeFlag, fallback: T) =>
    positiveInteger(name(flag), text[flag], fallback);
  const retention = text.retention === undefined ? undefined : duration(name('retention'), text.retention);
  const tenancy = tenancyOf(text, name);
  const log = logOptionsOf(text, name);
  return {
    ...defaults,
    ...(role === 'all' ? {} : { role }),
    ...(log === undefined ? {} : { log }),
    storage: storage as StoreKind,
    dataDir: text['data-dir'] ?? defaults.dataDir,
    maxTraces: integer('max-traces', defaults.maxTraces),
    ...(retention === undefined ? {} : { retentionNanos: retention }),
    ...retentionTiersOfFlags(name, text['retention-kept'], text['retention-policy'], retention, storage as StoreKind),
    ...(storage === 'clickhouse'
      ? {
          clickhouse: {
            url: text['clickhouse-url'] ?? 'http://127.0.0.1:8123',
            database: text['clickhouse-database'] ?? 'ariadne',
            ...(text['clickhouse-user'] === undefined ? {} : { username: text['clickhouse-user'] }),
            ...(text['clickhouse-password'] === undefined ? {} : { password: text['clickhouse-password'] }),
            ...(text['clickhouse-cluster'] === undefined ? {} : { cluster: text['clickhouse-cluster'] }),
            ...(text['clickhouse-insert-quorum'] === undefined
              ? {}
              : { insertQuorum: integer('clickhouse-insert-quorum', undefined) }),
          },
          ...(text['spool-dir'] === undefined ? {} : { spoolDir: text['spool-dir'] }),
          ...(text['spool-max-bytes'] === undefined ? {} : { spoolMaxBytes: integer('spool-max-bytes', undefined) }),
        }
      : {}),
    host: text.host ?? defaults.host,
    ports: { ...ports, query: ports.query },
    ...(text['sampling-strategies'] === undefined ? {} : { samplingStrategiesFile: text['sampling-strategies'] }),
    ...(text['sampling-adaptive-target'] === undefined
      ? {}
      : {
          adaptiveSamplingTarget: positiveNumber(name('sampling-adaptive-target'), text['sampling-adaptive-target']),
        }),
    ...(text['sampling-adaptive-interval'] === undefined
      ? {}
      : {
          adaptiveSamplingIntervalMs: millis(
            name('sampling-adaptive-interval'),
            duration(name('sampling-adaptive-interval'), text['sampling-adaptive-interval'], '1m'),
          ),
        }),
    ...tenancy,
    ...(text.auth === undefined ? {} : { authFile: text.auth }),
    ...(tlsCert === undefined || tlsKey === undefined
      ? {}
      : {
          tls: {
            certFile: tlsCert,
            keyFile: tlsKey,
            ...(tlsClientCa === undefined ? {} : { clientCaFile: tlsClientCa }),
          },
        }),
    ...tenantLimitsOf(name('limits'), text.limits),
    maxBodyBytes: integer('max-body-bytes', defaults.maxBodyBytes),
    maxInFlightSpans: integer('max-in-flight-spans', defaults.maxInFlightSpans),
    queryTimeoutMs:
      text['query-timeout'] === undefined
        ? defaults.queryTimeoutMs
        : millis(name('query-timeout'), duration(name('query-timeout'), text['query-timeout'], '30s')),
    maxSearchWindowNanos:
      text['max-search-window'] === undefined
        ? defaults.maxSearchWindowNanos
        : duration(name('max-search-window'), text['max-search-window'], '168h'),
    ...(text['cors-origin'] === undefined ? {} : { corsOrigins: origins(name('cors-origin'), text['cors-origin']) }),
    limits: {
      maxSpansPerRequest: integer('max-spans-per-request', limits.maxSpansPerRequest),
      maxAttributesPerSpan: integer('max-attributes-per-span', limits.maxAttributesPerSpan),
      maxAttributeValueLength: integer('max-attribute-value-length', limits.maxAttributeValueLength),
    },
  };
}

/**
 * Why a collector or a query node needs ClickHouse. The embedded store is
 * one process's (its data folder is locked while open) and the memory store
 * lives inside one: a collector could write where no query node can read.
 * Jaeger's collector and query likewise need a shared backend; its
 * all-in-one is for one machine, as `ariadne serve` is.
 */
function roleNeedsClickHouse(where: string, storage: string): string {
  return `it needs --storage clickhouse, not ${storage} (${where}): collectors and query nodes share one ClickHouse, while the ${storage} store belongs to one process. On one machine, run ariadne serve`;
}

/** `--log-level` and `--log-format`, checked. */
function logOptionsOf(
  text: Partial<Record<ServeFlag | ServeSwitch, string>>,
  name: (flag: ServeFlag | ServeSwitch) => string,
): ServeConfig['log'] {
  const level = text['log-level'];
  const format = text['log-format'];
  if (level !== undefined && !LOG_LEVELS.includes(level as LogLevel)) {
    throw usageError(`${name('log-level')} must be one of ${LOG_LEVELS.join(', ')}, not "${level}"`);
  }
  if (format !== undefined && !LOG_FORMATS.includes(format as LogFormat)) {
    throw usageError(`${name('log-format')} must be one of ${LOG_FORMATS.join(', ')}, not "${format}"`);
  }
  if (level === undefined && format === undefined) return undefined;
  return {
    ...(level === undefined ? {} : { level: level as LogLevel }),
    ...(format === undefined ? {} : { format: format as LogFormat }),
  };
}

/**
 * `--multitenancy`, `--udp-tenant` and `--max-tenants`, checked together
 * with `--auth`, which keeps tenants apart too.
 */
function tenancyOf(
  text: Partial<Record<ServeFlag | ServeSwitch, string>>,
  name: (flag: ServeFlag | ServeSwitch) => string,
): Pick<ServeConfig, 'multitenancy' | 'udpTenant' | 'maxTenants'> {
  const switchText = text.multitenancy ?? 'false';
  if (switchText !== 'true' && switchText !== 'false') {
    throw usageError(`${name('multitenancy')} must be true or false, not "${switchText}"`);
  }
  const multitenancy = switchText === 'true';
  const apart = multitenancy || text.auth !== undefined;
  const udpTenantText = text['udp-tenant'];
  if (udpTenantText !== undefined && !apart) {
    throw usageError(`${name('udp-tenant')} needs --multitenancy or --auth (without either, everything is one tenant)`);
  }
  let udpTenant: TenantId | undefined;
  try {
    udpTenant = udpTenantText === undefined ? undefined : parseTenantId(udpTenantText);
  } catch (error) {
    throw usageError(`${name('udp-tenant')}: ${isAriadneError(error) ? error.message : String(error)}`);
  }
  if (apart && udpTenant === undefined) {
    // Asked for by name, a UDP port that would stay off is a mistake worth stopping for.
    for (const flag of ['jaeger-compact-port', 'jaeger-binary-port'] as const) {
      if (text[flag] !== undefined && text[flag] !== 'off') {
        throw usageError(
          `${name(flag)}: with ${multitenancy ? '--multitenancy' : '--auth'} the UDP receivers need --udp-tenant (a datagram names no tenant and carries no token)`,
        );
      }
    }
  }
  const maxTenants = positiveInteger(name('max-tenants'), text['max-tenants'], undefined);
  return {
    ...(multitenancy ? { multitenancy } : {}),
    ...(udpTenant === undefined ? {} : { udpTenant }),
    ...(maxTenants === undefined ? {} : { maxTenants }),
  };
}

/** Comma-separated origins, each a scheme, host and optional port exactly (no path, no wildcard). */
function origins(name: string, text: string): string[] {
  const list = text
    .split(',')
    .map((origin) => origin.trim())
    .filter((origin) => origin !== '');
  for (const origin of list) {
    let parsed: URL | undefined;
    try {
      parsed = new URL(origin);
    } catch {
      parsed = undefined;
    }
    if (parsed === undefined || !/^https?:$/.test(parsed.protocol) || parsed.origin !== origin) {
      throw usageError(`${name}: "${origin}" is not an origin such as https://grafana.example.com`);
    }
  }
  if (list.length === 0) throw usageError(`${name} needs at least one origin`);
  return list;
}

/** `--limits <file>`, read and checked now: a mistake in it stops the start with its line. */
function tenantLimitsOf(
  name: string,
  file: string | undefined,
): Pick<ServeConfig, 'tenantLimits' | 'tenantLimitsFile'> {
  if (file === undefined) return {};
  try {
    return { tenantLimits: readTenantLimitsFile(file), tenantLimitsFile: file };
  } catch (error) {
    if (error instanceof TenantLimitsFileError) throw usageError(`${name}: ${error.message}`);
    throw error;
  }
}

function positiveNumber(name: string, text: string): number {
  const value = Number(text);
  if (!Number.isFinite(value) || value <= 0) throw usageError(`${name} must be a positive number, not "${text}"`);
  return value;
}

function port(name: string, text: string): PortSetting {
  if (text === 'off') return 'off';
  const value = Number(text);
  if (text.trim() === '' || !Number.isInteger(value) || value < 0 || value > 65535) {
    throw usageError(`${name} must be a port 0-65535 or "off", not "${text}"`);
  }
  return value;
}

function positiveInteger<T extends number | undefined>(
  name: string,
  text: string | undefined,
  fallback: T,
): number | T {
  if (text === undefined) return fallback;
  const value = Number(text);
  if (text.trim() === '' || !Number.isSafeInteger(value) || value < 1) {
    throw usageError(`${name} must be a positive integer`);
  }
  return value;
}

function duration(name: string, text: string, example = '72h'): bigint {
  let nanos: bigint;
  try {
    nanos = parseGoDuration(text);
  } catch (error) {
    throw usageError(`${name}: ${isAriadneError(error) ? error.message : String(error)}`);
  }
  if (nanos <= 0n) throw usageError(`${name} must be a positive duration such as ${example}`);
  return nanos;
}

/** Whole milliseconds, at least one: timers count in them. */
function millis(name: string, nanos: bigint): number {
  if (nanos < 1_000_000n) throw usageError(`${name} must be at least 1ms`);
  return Number(nanos / 1_000_000n);
}

/** `ariadne serve`, `ariadne collector` or `ariadne query`: runs until SIGINT or SIGTERM, then closes cleanly (requests finish, the store flushes). */
export async function runServe(args: readonly string[], role: ServerRole = 'all'): Promise<number> {
  const config = parseServeArgs(args, role);
  if (config === 'help') {
    process.stdout.write(helpOfRole(role));
    return 0;
  }
  const logger = createLogger({
    level: config.log?.level ?? 'info',
    format: config.log?.format ?? defaultLogFormat(),
    secrets: [config.clickhouse?.password],
  });
  const log = (line: string) => logger.info(line);
  let server: RunningServer;
  try {
    server = await startServer(config, logger);
  } catch (error) {
    logger.error(
      { err: error, role: config.role ?? 'all', storage: config.storage },
      `cannot start: ${messageOf(error)}`,
    );
    throw error;
  }
  const where = config.storage === 'embedded' ? ` in ${config.dataDir}` : '';
  const tenants = config.multitenancy ? ', multitenancy: X-Scope-OrgID' : '';
  const what = role === 'all' ? '' : ` ${role}`;
  process.stdout.write(
    [
      `Ariadne${what} is ready (pid ${process.pid}, storage: ${config.storage}${where}${tenants})`,
      ...server.endpoints.map((entry) => `  ${entry.label.padEnd(22)} ${entry.endpoint}`),
      '',
    ].join('\n'),
  );
  logger.info(
    { role: config.role ?? 'all', storage: config.storage, endpoints: server.endpoints.map((entry) => entry.endpoint) },
    'ready',
  );
  // Only with something to reload: otherwise SIGHUP keeps its default (a closed terminal stops the server).
  const onHangup = () => void reloadOnSignal(server, logger);
  const reloads = config.authFile !== undefined || config.tls !== undefined || config.tenantLimitsFile !== undefined;
  if (reloads) process.on('SIGHUP', onHangup);
  await new Promise<void>((resolve) => {
    const stop = (signal: string) => {
      log(`${signal}: closing`);
      resolve();
    };
    process.once('SIGINT', () => stop('SIGINT'));
    process.once('SIGTERM', () => stop('SIGTERM'));
  });
  if (reloads) process.off('SIGHUP', onHangup);
  await server.close();
  logger.info('closed');
  return 0;
}

/** SIGHUP: re-read the auth file, the certificates and the limits file, one log line per part. */
async function reloadOnSignal(server: RunningServer, logger: Logger): Promise<void> {
  logger.info('SIGHUP: reloading');
  for (const outcome of await server.reload()) {
    if (outcome.ok) logger.info({ part: outcome.part }, outcome.message);
    else logger.error({ part: outcome.part }, outcome.message);
  }
}

/** The help of a role: `serve`'s options, which every role takes, under the role's own description. */
export function helpOfRole(role: ServerRole): string {
  if (role === 'all') return SERVE_HELP;
  const [, ...rest] = SERVE_HELP.split('\n\nConfig file:');
  const about =
    role === 'collector'
      ? `Usage: ariadne collector --storage clickhouse [--config <file>] [options]

Runs the receivers (OTLP, Jaeger, Zipkin), the ingest pipeline, the writer
and remote sampling: no web UI and no query API. Its --query-port serves
/health, /ready and /metrics only. Run any number of collectors, and query
nodes (ariadne query), against one ClickHouse. Adaptive sampling shares its
counts and answers through ClickHouse, so every collector answers alike.

It needs --storage clickhouse: the embedded store belongs to one process
(its data folder is locked while open) and the memory store lives inside
one, so nothing else could read what a collector wrote. On one machine,
run ariadne serve.`
      : `Usage: ariadne query --storage clickhouse [--config <file>] [options]

Runs the web UI and every query API (Jaeger, Tempo, Zipkin, live tail,
monitor, service map, archive): no receivers. Run any number of query
nodes, and collectors (ariadne collector), against one ClickHouse. Live tail
reads what collectors wrote from ClickHouse, about every second. The archive
lives in ClickHouse too (database <clickhouse-database>_archive).

It needs --storage clickhouse (the embedded and memory stores belong to one
process). On one machine, run ariadne serve.

It takes every option of ariadne serve; the receiver and sampling ports are ignored.`;
  return `${about}\n\nConfig file:${rest.join('\n\nConfig file:')}`;
}
