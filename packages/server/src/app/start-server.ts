import type { Span } from '@ariadne/protocol';
import { AccessControl } from '../auth/access-control.js';
import type { Listener } from '../http/listen.js';
import { limitSearches } from '../limits/limit-searches.js';
import { TenantLimiter } from '../limits/tenant-limiter.js';
import { readTenantLimitsFile } from '../limits/tenant-limits-file.js';
import { createIngestPipeline } from '../pipeline/ingest-pipeline.js';
import type { SpanStore } from '../storage/span-store.js';
import { IngestMetrics } from '../telemetry/ingest-metrics.js';
import { hasRetentionStats, trackRetention } from '../telemetry/retention-metrics.js';
import { SINGLE_TENANT, type TenantId } from '../tenancy/tenant-id.js';
import { TenantMap } from '../tenancy/tenant-map.js';
import { ServerTls } from '../tls/server-tls.js';
import { DEFAULT_MAX_TENANTS, type ServeConfig, type ServePorts } from './serve-config.js';
import type { ModuleContext, ModuleListener, ServerModule } from './server-module.js';
import { SERVER_MODULES } from './server-modules.js';
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
  log: (line: string) => void = () => {},
  modules: readonly ServerModule[] = SERVER_MODULES,
): Promise<RunningServer> {
  const metrics = new IngestMetrics();
  // Read before anything opens: a wrong auth or TLS file stops the start, costing nothing.
  const access = config.authFile === undefined ? undefined : new AccessControl(config.authFile, metrics.registry);
  const tls = config.tls === undefined ? undefined : new ServerTls(config.tls);
  const retentionTrackers = new Map<TenantStorage, () => void>();
  const storage = new TenantMap<TenantStorage>({
    create: async (tenant) => {
      const opened = await openTenantStorage(config, tenant);
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
  // folder, an unreachable ClickHouse) stops the start, and the data folder
  // stays this process's while it runs.
  let store: SpanStore;
  try {
    ({ store } = await storage.get(SINGLE_TENANT));
  } catch (error) {
    await storage.close();
    throw error;
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
    ...(limiter === undefined ? {} : { tenantLimiter: limiter }),
    onAccepted: (batch) => {
      for (const { listener, wantsSpans } of acceptedListeners) {
        if (!wantsSpans(batch.tenant)) continue;
        try {
          listener(batch.tenant, batch.spans());
        } catch (error) {
          log(`live tail: ${error instanceof Error ? error.message : String(error)}`);
        }
      }
    },
    wantsSpans: (tenant) => {
      for (const { wantsSpans } of acceptedListeners) if (wantsSpans(tenant)) return true;
      return false;
    },
  });
  let ready = false;
  const cleanups: (() => Promise<void> | void)[] = [];
  const context: ModuleContext = {
    config,
    storageFor,
    pipeline,
    metrics,
    ...(access ? { access } : {}),
    ...(tls ? { tls } : {}),
    isReady: () => ready,
    onAccepted: (listener, wantsSpans = () => true) => {
      const entry = { listener, wantsSpans };
      acceptedListeners.add(entry);
      return () => acceptedListeners.delete(entry);
    },
    log,
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
