import type { TenantLimitsConfig } from '../limits/tenant-limits.js';
import type { SpanLimits } from '../pipeline/span-limits.js';
import { DEFAULT_MAX_SEARCH_WINDOW_NANOS } from '../query/query-caps.js';
import type { RetentionPolicies } from '../retention/retention-policy.js';
import type { ClickHouseConfig, StoreKind } from '../storage/open-store.js';
import type { LogFormat, LogLevel } from '../telemetry/logger.js';
import type { TenancyConfig } from '../tenancy/resolve-tenant.js';
import type { TenantId } from '../tenancy/tenant-id.js';
import type { TlsFiles } from '../tls/server-tls.js';
import type { ServerRole } from './server-role.js';

/** A listener's port: a number (0 picks a free one) or `off` (the listener does not start). */
export type PortSetting = number | 'off';

export interface ServePorts {
  /** Query APIs, health, metrics and the web UI (Jaeger's 16686). */
  readonly query: number;
  /** OTLP/HTTP receiver (4318). */
  readonly otlpHttp: PortSetting;
  /** OTLP/gRPC receiver (4317). */
  readonly otlpGrpc: PortSetting;
  /** Jaeger collector, Thrift over HTTP (14268). */
  readonly jaegerHttp: PortSetting;
  /** Jaeger collector, gRPC `api_v2` (14250). */
  readonly jaegerGrpc: PortSetting;
  /** Jaeger agent, compact Thrift over UDP (6831). */
  readonly jaegerCompact: PortSetting;
  /** Jaeger agent, binary Thrift over UDP (6832). */
  readonly jaegerBinary: PortSetting;
  /** Zipkin collector and Zipkin query API (9411). */
  readonly zipkin: PortSetting;
  /** Jaeger remote sampling, `GET /sampling?service=` (5778). */
  readonly sampling: PortSetting;
  /** Tempo's query API with TraceQL, for Grafana's Tempo data source (3200). */
  readonly tempo: PortSetting;
}

/** Everything `ariadne serve` (and `collector`, `query`) can be told. */
export interface ServeConfig extends TenancyConfig {
  /**
   * Which modules this process runs (`server-roles.ts`): `all` (`ariadne
   * serve`, the default), `collector` or `query`. Collectors and query nodes
   * share one ClickHouse.
   */
  readonly role?: ServerRole;
  /** `--log-level` and `--log-format`; absent: info, and text on a terminal, JSON otherwise. */
  readonly log?: { readonly level?: LogLevel; readonly format?: LogFormat };
  /** Interface every listener binds to; 127.0.0.1 keeps Ariadne private to the machine. */
  readonly host: string;
  readonly storage: StoreKind;
  readonly dataDir: string;
  /** Memory store only: how many traces it keeps before evicting the oldest. */
  readonly maxTraces: number;
  /** Embedded and ClickHouse stores: spans older than this are dropped. Absent: kept forever. */
  readonly retentionNanos?: bigint;
  /** Embedded store: the kept tier (`--retention-kept`); needs `retentionNanos`, shorter. */
  readonly retentionKeptNanos?: bigint;
  /** Which traces the kept tier keeps, per tenant (`--retention-policy`). */
  readonly retentionPolicies?: RetentionPolicies;
  /** ClickHouse store only. */
  readonly clickhouse?: ClickHouseConfig;
  /**
   * ClickHouse store only: where batches wait, fsynced and acknowledged, while
   * ClickHouse cannot take them (storage/spool/). Default `<dataDir>/spool`.
   */
  readonly spoolDir?: string;
  /** ClickHouse store only: most bytes the spool's files may take; past it writes are refused (503). Default 1 GiB. */
  readonly spoolMaxBytes?: number;
  readonly ports: ServePorts;
  /** Largest request body (or gRPC message) a receiver accepts, after decompression. */
  readonly maxBodyBytes: number;
  /** Spans accepted but not yet stored before receivers answer "retry later". */
  readonly maxInFlightSpans: number;
  /**
   * Longest a client waits for the store to acknowledge its spans before it
   * is told to retry (the write goes on), counted from when the request
   * reached the pipeline. Default: 750 ms for the embedded store (a local WAL
   * append; the margin keeps the whole request, body read and answer
   * included, under a second), 10 s for the others (a ClickHouse insert is a
   * round trip its server may hold for seconds under load).
   */
  readonly ingestAnswerMs?: number;
  /**
   * Longest a query API request may work (`--query-timeout`): past it the
   * query is stopped and answered 504 (`query/query-deadline.ts`).
   */
  readonly queryTimeoutMs: number;
  /**
   * Longest time window a search, dependency or metrics query may cover
   * (`--max-search-window`): a longer one is a 400 naming the maximum
   * (`query/query-caps.ts`).
   */
  readonly maxSearchWindowNanos: bigint;
  /**
   * Origins (`https://grafana.example.com`) whose pages may read the query
   * port's answers (`--cors-origin`): CORS headers for them alone. Absent: no CORS.
   */
  readonly corsOrigins?: readonly string[];
  /** Applied by the pipeline to spans from every receiver. */
  readonly limits: SpanLimits;
  /** Built UI folder; defaults to @ariadne/ui's dist. */
  readonly uiDir?: string;
  /** Remote sampling: a Jaeger strategies file (re-read when it changes). */
  readonly samplingStrategiesFile?: string;
  /** Remote sampling: learn per-operation probabilities to reach this many traces per second per operation. */
  readonly adaptiveSamplingTarget?: number;
  /** Adaptive sampling: how often probabilities are recomputed, ms (`--sampling-adaptive-interval`). Default 60,000. */
  readonly adaptiveSamplingIntervalMs?: number;
  /**
   * With multitenancy or `authFile`: the tenant the Jaeger agent UDP
   * receivers write for (a datagram can name no tenant and carry no token).
   * Absent: those receivers do not listen.
   */
  readonly udpTenant?: TenantId;
  /** Most tenants one process serves (stores open at once); new ones past it are refused. Default 100. */
  readonly maxTenants?: number;
  /**
   * `--tls-cert`, `--tls-key`, `--tls-client-ca`: every HTTP and gRPC
   * listener serves TLS; with a client CA the receivers require client
   * certificates. SIGHUP re-reads the files.
   */
  readonly tls?: TlsFiles;
  /**
   * Each tenant's own limits (`--limits`): ingest rates, concurrent searches,
   * longest search window. Absent: none. Without multitenancy the defaults
   * apply to the one tenant.
   */
  readonly tenantLimits?: TenantLimitsConfig;
  /** Where `tenantLimits` was read from: `RunningServer.reload()` (SIGHUP) reads it again. */
  readonly tenantLimitsFile?: string;
}

export const DEFAULT_MAX_TENANTS = 100;

/** The ports Jaeger, Zipkin and the OpenTelemetry Collector use. */
export const DEFAULT_PORTS: ServePorts = {
  query: 16686,
  otlpHttp: 4318,
  otlpGrpc: 4317,
  jaegerHttp: 14268,
  jaegerGrpc: 14250,
  jaegerCompact: 6831,
  jaegerBinary: 6832,
  zipkin: 9411,
  sampling: 5778,
  tempo: 3200,
};

export const DEFAULT_SERVE_CONFIG: ServeConfig = {
  host: '127.0.0.1',
  storage: 'embedded',
  dataDir: './data',
  maxTraces: 100_000,
  ports: DEFAULT_PORTS,
  maxBodyBytes: 20 * 1024 * 1024,
  maxInFlightSpans: 200_000,
  queryTimeoutMs: 30_000,
  maxSearchWindowNanos: DEFAULT_MAX_SEARCH_WINDOW_NANOS,
  limits: {
    maxSpansPerRequest: 100_000,
    // OTel SDKs keep 128 by default; the server is a backstop, not a second SDK limit.
    maxAttributesPerSpan: 1_024,
    maxAttributeValueLength: 64 * 1024,
  },
};
