import type { Span } from '@ariadne/protocol';
import type { Listener } from '../http/listen.js';
import { limitSearches } from '../limits/limit-searches.js';
import { TenantLimiter } from '../limits/tenant-limiter.js';
import { readTenantLimitsFile } from '../limits/tenant-limits-file.js';
import { createIngestPipeline } from '../pipeline/ingest-pipeline.js';
import type { SpanStore } from '../storage/span-store.js';
import { IngestMetrics } from '../telemetry/ingest-metrics.js';
import { SINGLE_TENANT, type TenantId } from '../tenancy/tenant-id.js';
import { TenantMap } from '../tenancy/tenant-map.js';
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
   * Reads the `--limits` file again and applies it from now on (SIGHUP).
   * Throws, keeping the limits in force, when the file is unreadable or
   * wrong; does nothing when the server was started without one.
   */
  reloadLimits(): void;
  /** Stops listening, drains the pipeline, flushes and closes the store. */
  close(): Promise<void>;
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
  const storage = new TenantMap<TenantStorage>({
    create: (tenant) => openTenantStorage(config, tenant),
    release: closeTenantStorage,
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
  const metrics = new IngestMetrics();
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
    reloadLimits: () => {
      if (limiter === undefined || config.tenantLimitsFile === undefined) return;
      limiter.reload(readTenantLimitsFile(config.tenantLimitsFile));
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
