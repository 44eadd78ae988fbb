import { getRequestListener } from '@hono/node-server';
import { type Listener, listenHttp } from '../http/listen.js';
import { createIngestPipeline } from '../pipeline/ingest-pipeline.js';
import { createOtlpHttpReceiver } from '../receivers/otlp-http/otlp-http-receiver.js';
import { openStore } from '../storage/open-store.js';
import type { SpanStore } from '../storage/span-store.js';
import { IngestMetrics } from '../telemetry/ingest-metrics.js';
import { defaultUiDir } from '../ui/static-ui.js';
import { createQueryHttpApp } from './query-http-app.js';
import type { ServeConfig } from './serve-config.js';

export interface RunningServer {
  readonly listeners: { readonly query: Listener; readonly otlpHttp: Listener };
  readonly store: SpanStore;
  /** Stops accepting, lets requests in flight finish, flushes and closes the store. */
  close(): Promise<void>;
}

/**
 * The all-in-one server: receivers -> pipeline -> store <- query APIs + UI,
 * every module in one process (Tempo's "single binary" target).
 */
export async function startServer(config: ServeConfig, log: (line: string) => void = () => {}): Promise<RunningServer> {
  const store = await openStore({ storage: config.storage, dataDir: config.dataDir, maxTraces: config.maxTraces });
  const metrics = new IngestMetrics();
  const pipeline = createIngestPipeline(store, { maxInFlightSpans: config.maxInFlightSpans, metrics });
  let ready = false;
  const opened: Listener[] = [];
  try {
    const queryApp = createQueryHttpApp({
      reader: store,
      uiDir: config.uiDir ?? defaultUiDir(),
      metrics: metrics.registry,
      isReady: () => ready,
    });
    const query = await listenHttp('query', config.host, config.ports.query, getRequestListener(queryApp.fetch));
    opened.push(query);
    const otlpHttp = await listenHttp(
      'otlp-http',
      config.host,
      config.ports.otlpHttp,
      createOtlpHttpReceiver({
        pipeline,
        metrics,
        maxBodyBytes: config.maxBodyBytes,
        onInternalError: (error) => log(`otlp-http: ${error instanceof Error ? error.message : String(error)}`),
      }),
    );
    opened.push(otlpHttp);
    ready = true;
    let closing: Promise<void> | undefined;
    return {
      listeners: { query, otlpHttp },
      store,
      close: () => {
        closing ??= (async () => {
          ready = false;
          await Promise.all(opened.map((listener) => listener.close()));
          await pipeline.close();
          await store.close();
        })();
        return closing;
      },
    };
  } catch (error) {
    await Promise.all(opened.map((listener) => listener.close()));
    await store.close();
    throw error;
  }
}
