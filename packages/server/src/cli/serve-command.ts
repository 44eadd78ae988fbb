import { parseArgs } from 'node:util';
import { AriadneError, isAriadneError } from '@ariadne/protocol';
import { DEFAULT_SERVE_CONFIG, type PortSetting, type ServeConfig, type ServePorts } from '../app/serve-config.js';
import { startServer } from '../app/start-server.js';
import { parseGoDuration } from '../query/jaeger/go-duration.js';
import { STORE_KINDS, type StoreKind } from '../storage/open-store.js';

export const SERVE_HELP = `Usage: ariadne serve [options]

Runs the all-in-one server: receivers, storage, query APIs and the web UI.

Storage:
  --storage <kind>                 embedded (default, persistent), memory or clickhouse
  --data-dir <path>                where the embedded store keeps its files (default ./data)
  --max-traces <n>                 memory store: traces kept before the oldest are evicted (default 100000)
  --retention <duration>           drop spans older than this, e.g. 72h or 30m (default: keep forever)
  --clickhouse-url <url>           ClickHouse HTTP interface (default http://127.0.0.1:8123)
  --clickhouse-database <name>     database (default ariadne)
  --clickhouse-user <name>         user (default: ClickHouse's default user)
  --clickhouse-password <secret>   password
  --clickhouse-cluster <name>      cluster: local tables on every shard plus Distributed tables

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

Remote sampling:
  --sampling-strategies <file>     Jaeger strategies file (JSON), re-read when it changes
  --sampling-adaptive-target <n>   adaptive: per-operation probabilities recomputed from the spans
                                   received to keep n traces per second per operation

Ingest limits:
  --max-body-bytes <n>             largest request body or gRPC message, after decompression (default 20971520)
  --max-in-flight-spans <n>        spans awaiting storage before receivers answer "retry later" (default 200000)
  --max-spans-per-request <n>      larger requests are refused whole: 413 / RESOURCE_EXHAUSTED (default 100000)
  --max-attributes-per-span <n>    attributes kept per span, event and link; the rest are dropped (default 1024)
  --max-attribute-value-length <n> longer string and bytes values are truncated (default 65536)

  -h, --help                       show this help

The chosen ports are printed once the server is ready.
`;

/** Port flags and the `ServePorts` field each sets. */
const PORT_FLAGS = {
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

const STRING_FLAGS = [
  'storage',
  'data-dir',
  'max-traces',
  'retention',
  'clickhouse-url',
  'clickhouse-database',
  'clickhouse-user',
  'clickhouse-password',
  'clickhouse-cluster',
  'host',
  'max-body-bytes',
  'max-in-flight-spans',
  'max-spans-per-request',
  'max-attributes-per-span',
  'max-attribute-value-length',
  'sampling-strategies',
  'sampling-adaptive-target',
  ...Object.keys(PORT_FLAGS),
] as const;

export function parseServeArgs(args: readonly string[]): ServeConfig | 'help' {
  const { values, positionals } = parseArgs({
    args: [...args],
    strict: true,
    allowPositionals: true,
    options: {
      ...Object.fromEntries(STRING_FLAGS.map((flag) => [flag, { type: 'string' as const }])),
      help: { type: 'boolean', short: 'h' },
    },
  });
  const text = values as Partial<Record<(typeof STRING_FLAGS)[number], string>> & { help?: boolean };
  if (text.help) return 'help';
  if (positionals.length > 0) throw usageError(`unexpected argument "${positionals[0]}"`);
  const defaults = DEFAULT_SERVE_CONFIG;
  const storage = text.storage ?? defaults.storage;
  if (!STORE_KINDS.includes(storage as StoreKind)) {
    throw usageError(`--storage must be one of ${STORE_KINDS.join(', ')}, not "${storage}"`);
  }
  const clickhouseFlags = Object.keys(text).filter((flag) => flag.startsWith('clickhouse-'));
  if (storage !== 'clickhouse' && clickhouseFlags.length > 0) {
    throw usageError(`--${clickhouseFlags[0]} needs --storage clickhouse`);
  }
  const ports = { ...defaults.ports } as Record<keyof ServePorts, PortSetting>;
  for (const [flag, key] of Object.entries(PORT_FLAGS)) {
    const value = text[flag as keyof typeof PORT_FLAGS];
    if (value !== undefined) ports[key] = port(flag, value);
  }
  if (ports.query === 'off') throw usageError('--query-port cannot be off');
  const limits = defaults.limits;
  const retention = text.retention === undefined ? undefined : duration('retention', text.retention);
  return {
    ...defaults,
    storage: storage as StoreKind,
    dataDir: text['data-dir'] ?? defaults.dataDir,
    maxTraces: positiveInteger('max-traces', text['max-traces'], defaults.maxTraces),
    ...(retention === undefined ? {} : { retentionNanos: retention }),
    ...(storage === 'clickhouse'
      ? {
          clickhouse: {
            url: text['clickhouse-url'] ?? 'http://127.0.0.1:8123',
            database: text['clickhouse-database'] ?? 'ariadne',
            ...(text['clickhouse-user'] === undefined ? {} : { username: text['clickhouse-user'] }),
            ...(text['clickhouse-password'] === undefined ? {} : { password: text['clickhouse-password'] }),
            ...(text['clickhouse-cluster'] === undefined ? {} : { cluster: text['clickhouse-cluster'] }),
          },
        }
      : {}),
    host: text.host ?? defaults.host,
    ports: { ...ports, query: ports.query },
    ...(text['sampling-strategies'] === undefined ? {} : { samplingStrategiesFile: text['sampling-strategies'] }),
    ...(text['sampling-adaptive-target'] === undefined
      ? {}
      : { adaptiveSamplingTarget: positiveNumber('sampling-adaptive-target', text['sampling-adaptive-target']) }),
    maxBodyBytes: positiveInteger('max-body-bytes', text['max-body-bytes'], defaults.maxBodyBytes),
    maxInFlightSpans: positiveInteger('max-in-flight-spans', text['max-in-flight-spans'], defaults.maxInFlightSpans),
    limits: {
      maxSpansPerRequest: positiveInteger(
        'max-spans-per-request',
        text['max-spans-per-request'],
        limits.maxSpansPerRequest,
      ),
      maxAttributesPerSpan: positiveInteger(
        'max-attributes-per-span',
        text['max-attributes-per-span'],
        limits.maxAttributesPerSpan,
      ),
      maxAttributeValueLength: positiveInteger(
        'max-attribute-value-length',
        text['max-attribute-value-length'],
        limits.maxAttributeValueLength,
      ),
    },
  };
}

function positiveNumber(flag: string, text: string): number {
  const value = Number(text);
  if (!Number.isFinite(value) || value <= 0) throw usageError(`--${flag} must be a positive number, not "${text}"`);
  return value;
}

function port(flag: string, text: string): PortSetting {
  if (text === 'off') return 'off';
  const value = Number(text);
  if (text.trim() === '' || !Number.isInteger(value) || value < 0 || value > 65535) {
    throw usageError(`--${flag} must be a port 0-65535 or "off", not "${text}"`);
  }
  return value;
}

function positiveInteger<T extends number | undefined>(
  flag: string,
  text: string | undefined,
  fallback: T,
): number | T {
  if (text === undefined) return fallback;
  const value = Number(text);
  if (text.trim() === '' || !Number.isSafeInteger(value) || value < 1) {
    throw usageError(`--${flag} must be a positive integer`);
  }
  return value;
}

function duration(flag: string, text: string): bigint {
  let nanos: bigint;
  try {
    nanos = parseGoDuration(text);
  } catch (error) {
    throw usageError(`--${flag}: ${isAriadneError(error) ? error.message : String(error)}`);
  }
  if (nanos <= 0n) throw usageError(`--${flag} must be a positive duration such as 72h`);
  return nanos;
}

function usageError(message: string): AriadneError {
  return new AriadneError('InvalidQuery', `ariadne serve: ${message} (see ariadne serve --help)`);
}

/** Runs until SIGINT or SIGTERM, then closes cleanly (requests finish, the store flushes). */
export async function runServe(args: readonly string[]): Promise<number> {
  const config = parseServeArgs(args);
  if (config === 'help') {
    process.stdout.write(SERVE_HELP);
    return 0;
  }
  const log = (line: string) => process.stderr.write(`${line}\n`);
  const server = await startServer(config, log);
  const where = config.storage === 'embedded' ? ` in ${config.dataDir}` : '';
  process.stdout.write(
    [
      `Ariadne is ready (pid ${process.pid}, storage: ${config.storage}${where})`,
      ...server.endpoints.map((entry) => `  ${entry.label.padEnd(22)} ${entry.endpoint}`),
      '',
    ].join('\n'),
  );
  await new Promise<void>((resolve) => {
    const stop = (signal: string) => {
      log(`${signal}: closing`);
      resolve();
    };
    process.once('SIGINT', () => stop('SIGINT'));
    process.once('SIGTERM', () => stop('SIGTERM'));
  });
  await server.close();
  return 0;
}
