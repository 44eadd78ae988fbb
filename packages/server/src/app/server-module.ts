import type { Span } from '@ariadne/protocol';
import type { AccessControl } from '../auth/access-control.js';
import type { Listener } from '../http/listen.js';
import type { IngestPipeline } from '../pipeline/ingest-pipeline.js';
import type { IngestMetrics } from '../telemetry/ingest-metrics.js';
import type { Logger } from '../telemetry/logger.js';
import type { TenantId } from '../tenancy/tenant-id.js';
import type { ServerTls } from '../tls/server-tls.js';
import type { Readiness } from './readiness.js';
import type { ServeConfig, ServePorts } from './serve-config.js';
import type { TenantStorage } from './tenant-storage.js';

/** What every module gets when it starts: the shared core of the process. */
export interface ModuleContext {
  readonly config: ServeConfig;
  /**
   * A tenant's stores, opened on its first request (`openTenantStorage`);
   * refused with `Overloaded` past `maxTenants`. Modules reach data only
   * through this, with the tenant `resolveTenant` gave them.
   */
  readonly storageFor: (tenant: TenantId) => Promise<TenantStorage>;
  readonly pipeline: IngestPipeline;
  readonly metrics: IngestMetrics;
  /** The `--auth` tokens every listener checks; undefined when auth is off. */
  readonly access?: AccessControl;
  /** `--tls-cert`: the certificates every HTTP and gRPC listener serves; undefined without TLS. */
  readonly tls?: ServerTls;
  /** True once every module's listeners are up (for `/health`). */
  readonly isReady: () => boolean;
  /**
   * What `/ready` checks besides the start (`readiness.ts`): a module that
   * needs something to do its work (the store reachable, room in a spool)
   * registers a check here.
   */
  readonly readiness: Readiness;
  /**
   * Subscribes to batches the store acknowledged (live tail), each with its
   * tenant (a listener hands spans on to that tenant's subscribers alone);
   * returns the unsubscribe. `wantsSpans` says whether the listener needs a
   * tenant's spans right now (spans cross to the store's thread as bytes and
   * are decoded again on this one only for listeners that want them);
   * default always.
   */
  readonly onAccepted: (
    listener: (tenant: TenantId, spans: readonly Span[]) => void,
    wantsSpans?: (tenant: TenantId) => boolean,
  ) => () => void;
  /** Plain lines at info level; prefer `logger`, with the context as fields. */
  readonly log: (line: string) => void;
  /** The server's structured logger (`--log-level`, `--log-format`); secrets are scrubbed from every line. */
  readonly logger: Logger;
  /**
   * Registers what to release when the server closes (stores, timers, live
   * streams), run after every listener is closed, in reverse registration
   * order. State lives here, per server, never on the module object: one
   * process may run several servers (tests do).
   */
  readonly onStop: (cleanup: () => Promise<void> | void) => void;
}

/** One listener a module opened, and how the ready banner names it. */
export interface ModuleListener {
  /** The port setting it was opened for, also its key in `RunningServer.listeners`. */
  readonly port: keyof ServePorts;
  readonly listener: Listener;
  /** Banner label, e.g. "Zipkin receiver". */
  readonly label: string;
  /** What the banner prints: the listener's URL, plus the endpoint path where there is one. */
  readonly endpoint: string;
}

/**
 * A part of the server with its own listeners (after Tempo's module map).
 * `start` opens the listeners of the ports that are not `off`; the server
 * closes them, then runs the cleanups the module registered with `onStop`.
 */
export interface ServerModule {
  readonly name: string;
  start(context: ModuleContext): Promise<readonly ModuleListener[]>;
}
