import type { Span } from '@ariadne/protocol';
import { AccessControl } from '../auth/access-control.js';
import type { Listener } from '../http/listen.js';
import { limitSearches } from '../limits/limit-searches.js';
import { TenantLimiter } from '../limits/tenant-limiter.js';
import { readTenantLimitsFile } from '../limits/tenant-limits-file.js';
import { INLINE_DECODE_POOL } from '../pipeline/decode-pool.js';
import { createIngestPipeline } from '../pipeline/ingest-pipeline.js';
import type { SpanStore } from '../storage/span-store.js';
import { DEFAULT_SPOOL_MAX_BYTES, SpoolGroup } from '../storage/spool/spool-group.js';
import { IngestMetrics } from '../telemetry/ingest-metrics.js';
import { createLogger, type Logger, messageOf, silentLogger } from '../telemetry/logger.js';
import { hasRetentionStats, trackRetention } from '../telemetry/retention-metrics.js';
import { SINGLE_TENANT, type TenantId } from '../tenancy/tenant-id.js';
import { TenantMap } from '../tenancy/tenant-map.js';
import { ServerTls } from '../tls/server-tls.js';
import { Readiness } from './readiness.js';
import { DEFAULT_MAX_TENANTS, type ServeConfig, type ServePorts } from './serve-config.js';
import type { ModuleContext, ModuleListener, ServerModule } from './server-module.js';
import { modulesOfRole } from './server-roles.js';
import { storeOrSpoolCheck, storeReadinessCheck } from './store-readiness.js';
import { tenantsWithSpool } from './tenant-spool.js';
import { closeTenantStorage, openTenantStorage, type TenantStorage } from './tenant-storage.js';

interface AcceptedListener {
  readonly listener: (tenant: TenantId, spans: readonly Span[]) => void;
  readonly wantsSpans: (tenant: TenantId) => boolean;
}

export interface RunningServer {
  /** Open listeners by port name; a port that is `off` has none. */
  readonly listeners: Readonly<Partial<Record<keyof ServePorts, Listener>>> & { readonly query: Listener };
  /** Every open listener in start order, with its banner label and endpoint. */
  readonly endpoints: readonly ModuleListener[];
  /** The `single-tenant` store: everything's without multitenancy. */
  readonly store: SpanStore;
  /** Any tenant's stores (opened on first use, as a request for that tenant would). */
  readonly storageFor: (tenant: TenantId) => Promise<TenantStorage>;
  readonly metrics: IngestMetrics;
  /**
   * ClickHouse only: the spools of every tenant's store, their byte budget
   * and metrics. `spool.canAcceptWrites` is false while the spool is full
   * (writes are then refused whenever ClickHouse is away): a seam for `/ready`.
   */
  readonly spool?: SpoolGroup;
  /**
   * Re-reads what SIGHUP re-reads (the `--auth` file, the TLS files, the
   * `--limits` file), without a restart or a dropped connection. Each part
   * that fails keeps what it had and says why; the others still reload.
   */
  reload(): Promise<readonly ReloadOutcome[]>;
  /** Stops listening, drains the pipeline, flushes and closes the store. */
  close(): Promise<void>;
}

/** What one part made of a reload. */
export interface ReloadOutcome {
  readonly part: 'auth' | 'tls' | 'limits';
  readonly ok: boolean;
  /** For the log: what was loaded, or why the old one stays. */
  readonly message: string;
}

/**
 * The all-in-one server: receivers -> pipeline -> store <- query APIs + UI,
 * every module of `modules` in one process (Tempo's "single binary" target).
 */
export async function startServer(
  config: ServeConfig,
  logTo: Logger | ((line: string) => void) = silentLogger(),
  modules: readonly ServerModule[] = modulesOfRole(config.role ?? 'all'),
): Promise<RunningServer> {
  const logger = typeof logTo === 'function' ? createLogger({ format: 'text', write: logTo }) : logTo;
  const log = (line: string) => logger.info(line);
  const metrics = new IngestMetrics();
  // Read before anything opens: a wrong auth or TLS file stops the start, costing nothing.
  const access = config.authFile === undefined ? undefined : new AccessControl(config.authFile, metrics.registry);
  const tls = config.tls === undefined ? undefined : new ServerTls(config.tls);
  const spool =
    config.storage === 'clickhouse'
      ? new SpoolGroup(config.spoolMaxBytes ?? DEFAULT_SPOOL_MAX_BYTES, metrics.registry)
      : undefined;
  const retentionTrackers = new Map<TenantStorage, () => void>();
  const storage = new TenantMap<TenantStorage>({
    create: async (tenant) => {
      const opened = await openTenantStorage(config, tenant, {
        spools: spool,
        log,
        onBackgroundError: (error, what) =>
          logger.error({ err: error, tenant }, `${what} failed, it runs again later: ${messageOf(error)}`),
      });
      // The kept tier's counts on /metrics (a store with retention tiers only).
      if (config.retentionKeptNanos !== undefined && hasRetentionStats(opened.store)) {
        retentionTrackers.set(opened, trackRetention(metrics, tenant, opened.store).stop);
      }
      return opened;
    },
    release: (released) => {
      retentionTrackers.get(released)?.();
      retentionTrackers.delete(released);
      return closeTenantStorage(released);
    },
    maxTenants: config.maxTenants ?? DEFAULT_MAX_TENANTS,
  });
  // Opened at start in every mode: a store that cannot open (a locked data
  // folder or spool folder, wrong ClickHouse credentials) stops the start, and
  // the data folder stays this process's while it runs. An unreachable
  // ClickHouse does not: the spool takes writes until it opens (tenant-spool.ts).
  let store: SpanStore;
  try {
    ({ store } = await storage.get(SINGLE_TENANT));
  } catch (error) {
    await storage.close();
    throw error;
  }
  if (spool !== undefined) {
    // Spools other tenants left behind replay now, not on those tenants' next request.
    for (const tenant of await tenantsWithSpool(config)) {
      storage.get(tenant).catch((error: unknown) => log(`spool: cannot open ${tenant}'s store: ${String(error)}`));
    }
  }
  const limiter = config.tenantLimits === undefined ? undefined : new TenantLimiter(config.tenantLimits, { metrics });
  // What modules read through: a tenant's searches count against its limits (the pipeline writes to the stores themselves).
  const storageFor = async (tenant: TenantId): Promise<TenantStorage> => {
    const held = await storage.get(tenant);
    return limiter === undefined ? held : { ...held, store: limitSearches(held.store, tenant, limiter) };
  };
  const acceptedListeners = new Set<AcceptedListener>();
  const pipeline = createIngestPipeline(async (tenant) => (await storage.get(tenant)).store, {
    maxInFlightSpans: config.maxInFlightSpans,
    answerWithinMs: config.ingestAnswerMs ?? (config.storage === 'embedded' ? 750 : 10_000),
    metrics,
    limits: config.limits,
    // A query node runs no receiver: it has nothing to decode, and starts no decode threads.
    ...(config.role === 'query' ? { decodePool: INLINE_DECODE_POOL } : {}),
    ...(limiter === undefined ? {} : { tenantLimiter: limiter }),
    onAccepted: (batch) => {
      for (const { listener, wantsSpans } of acceptedListeners) {
        if (!wantsSpans(batch.tenant)) continue;
        try {
          listener(batch.tenant, batch.spans());
        } catch (error) {
          logger.error({ err: error, tenant: batch.tenant }, `accepted-spans listener failed: ${messageOf(error)}`);
        }
      }
    },
    onWriteFailed: logAtMostEvery(10_000, (error, context, failuresSince) =>
      logger.error(
        { err: error, ...context, failuresSince },
        `store write failed, the client is told to retry: ${messageOf(error)}`,
      ),
    ),
    wantsSpans: (tenant) => {
      for (const { wantsSpans } of acceptedListeners) if (wantsSpans(tenant)) return true;
      return false;
    },
  });
  let ready = false;
  const readiness = new Readiness();
  const storeCheck = storeReadinessCheck(config);
  if (storeCheck !== undefined) {
    // A query node needs ClickHouse itself; a process that writes can still
    // take spans while the spool has room, so it is ready until both fail.
    const writes = spool !== undefined && config.role !== 'query';
    readiness.add('store', writes ? storeOrSpoolCheck(storeCheck, spool) : storeCheck);
  }
  const cleanups: (() => Promise<void> | void)[] = [];
  const context: ModuleContext = {
    config,
    storageFor,
    pipeline,
    metrics,
    ...(access ? { access } : {}),
    ...(tls ? { tls } : {}),
    isReady: () => ready,
    readiness,
    onAccepted: (listener, wantsSpans = () => true) => {
      const entry = { listener, wantsSpans };
      acceptedListeners.add(entry);
      return () => acceptedListeners.delete(entry);
    },
    log,
    logger,
    onStop: (cleanup) => {
      cleanups.push(cleanup);
    },
  };
  const started: { module: ServerModule; listeners: readonly ModuleListener[] }[] = [];
  const stopModules = async () => {
    // Listeners first (no new work), in reverse start order, then what modules hold.
    for (const { listeners } of [...started].reverse()) {
      await Promise.all(listeners.map((entry) => entry.listener.close()));
    }
    for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
  };
  try {
    // Decode workers load their code first: requests are then answered at full speed from the first one.
    await pipeline.ready();
    for (const module of modules) started.push({ module, listeners: await module.start(context) });
  } catch (error) {
    await stopModules();
    await pipeline.close();
    await storage.close();
    throw error;
  }
  const endpoints = started.flatMap((entry) => entry.listeners);
  const byPort = Object.fromEntries(endpoints.map((entry) => [entry.port, entry.listener]));
  if (!byPort.query) {
    await stopModules();
    await pipeline.close();
    await storage.close();
    throw new Error('no module opened the query listener');
  }
  ready = true;
  let closing: Promise<void> | undefined;
  return {
    listeners: byPort as RunningServer['listeners'],
    endpoints,
    store,
    storageFor,
    metrics,
    ...(spool === undefined ? {} : { spool }),
    reload: async () => {
      const outcomes: ReloadOutcome[] = [];
      if (access) outcomes.push(reloadPart('auth', () => `${access.reload().tokens} tokens from ${access.file}`));
      if (tls) {
        outcomes.push(
          reloadPart('tls', () => {
            tls.reload();
            return `certificates from ${tls.files.certFile}`;
          }),
        );
      }
      if (limiter !== undefined && config.tenantLimitsFile !== undefined) {
        const file = config.tenantLimitsFile;
        outcomes.push(
          reloadPart('limits', () => {
            limiter.reload(readTenantLimitsFile(file));
            return `limits from ${file}`;
          }),
        );
      }
      return outcomes;
    },
    close: () => {
      closing ??= (async () => {
        ready = false;
        await stopModules();
        await pipeline.close();
        await storage.close();
      })();
      return closing;
    },
  };
}

function reloadPart(part: ReloadOutcome['part'], reload: () => string): ReloadOutcome {
  try {
    return { part, ok: true, message: `${part}: reloaded ${reload()}` };
  } catch (error) {
    return { part, ok: false, message: `${part}: reload failed, the previous one stays: ${(error as Error).message}` };
  }
}

/**
 * A failing store fails every batch: one line per interval (the first at
 * once) with how many failed since the last line, rather than a line per batch.
 */
function logAtMostEvery<Context>(
  intervalMs: number,
  log: (error: unknown, context: Context, failuresSince: number) => void,
): (error: unknown, context: Context) => void {
  let last = Number.NEGATIVE_INFINITY;
  let failures = 0;
  return (error, context) => {
    failures++;
    const now = performance.now();
    if (now - last < intervalMs) return;
    last = now;
    log(error, context, failures);
    failures = 0;
  };
}
