import { readFileSync, statSync } from 'node:fs';
import { isAriadneError, type Span } from '@ariadne/protocol';
import { type Context, Hono } from 'hono';
import { AdaptiveSampler, type AdaptiveSamplingOptions } from './adaptive-sampler.js';
import {
  DEFAULT_STRATEGIES,
  parseStrategiesFile,
  resolveStrategy,
  type SamplingStrategyResponse,
  type StrategiesConfig,
  toLegacySamplingJson,
} from './sampling-strategies.js';

export interface SamplingApiOptions {
  /** A Jaeger strategies file, re-read when it changes. Without it, Jaeger's default (probabilistic 0.001). */
  readonly strategiesFile?: string;
  /**
   * Learn per-operation probabilities from the spans given to `record`.
   * Services the adaptive sampler knows get its answer; others the file's.
   */
  readonly adaptive?: AdaptiveSamplingOptions & {
    /** How often probabilities are recomputed, ms; 0 leaves it to `recompute()`. Default 60,000. */
    readonly intervalMs?: number;
    /**
     * The sampler to answer from, when someone else drives it (a collector
     * sharing its state through ClickHouse, `shared-adaptive-sampling.ts`,
     * with `intervalMs: 0`). Default: one of its own, from these options.
     */
    readonly sampler?: AdaptiveSampler;
  };
  /** Told when the strategies file cannot be read or parsed (the last good strategies stay in force). */
  readonly onError?: (error: unknown) => void;
}

export type SamplingApi = Hono & {
  /** Feeds accepted spans to the adaptive sampler; does nothing without `adaptive`. */
  record(spans: readonly Span[]): void;
  /** Recomputes adaptive probabilities from what was recorded over `elapsedSeconds` (default: since the last call). */
  recompute(elapsedSeconds?: number): void;
  /** Stops the recomputation timer. */
  close(): void;
};

/**
 * Jaeger's remote sampling endpoint (port 5778), routed as Jaeger routes it:
 * `GET /sampling?service=NAME` answers api_v2 protobuf JSON, whose enums are
 * names (`"strategyType":"PROBABILISTIC"` or `"RATE_LIMITING"`), with
 * `operationSampling` when there are per-operation strategies: what
 * jaeger-client-node, the other Jaeger clients of today and OpenTelemetry's
 * Jaeger remote samplers read. `GET /?service=NAME` is Jaeger's legacy route
 * for clients built on Thrift 0.9.2, which read enums as numbers
 * (`"strategyType":0`); `GET /api/sampling` is the collector's name for
 * `/sampling`. 400 unless `service` is given exactly once; 500 when the
 * strategies file never loaded.
 */
export function createSamplingApi(options: SamplingApiOptions = {}): SamplingApi {
  const app = new Hono();
  const adaptive =
    options.adaptive === undefined ? undefined : (options.adaptive.sampler ?? new AdaptiveSampler(options.adaptive));
  let config: StrategiesConfig = DEFAULT_STRATEGIES;
  let loadedVersion = '';
  let loadError: unknown;

  /** Re-reads the file when its modification time, size or inode changed; cheap enough per request. */
  const currentConfig = (): StrategiesConfig => {
    const file = options.strategiesFile;
    if (file === undefined) return config;
    try {
      const stat = statSync(file, { bigint: true });
      const version = `${stat.mtimeNs}:${stat.size}:${stat.ino}`;
      if (version !== loadedVersion) {
        config = parseStrategiesFile(readFileSync(file, 'utf8'));
        loadedVersion = version;
        loadError = undefined;
      }
    } catch (error) {
      if (loadedVersion === '') loadError = error;
      options.onError?.(error);
    }
    if (loadError !== undefined) throw loadError;
    return config;
  };
  // Fail early on a bad file rather than on the first client.
  if (options.strategiesFile !== undefined) {
    try {
      currentConfig();
    } catch {
      // reported through onError; requests answer 500 until the file is fixed
    }
  }

  const answer = (legacy: boolean) => (c: Context) => {
    // As Jaeger: one `service`, not none and not several (which of them would be meant?).
    const services = c.req.queries('service') ?? [];
    const service = services.length === 1 ? (services[0] ?? '') : '';
    if (service === '') return c.text("'service' parameter must be provided once", 400);
    let strategy: SamplingStrategyResponse;
    try {
      strategy = adaptive?.strategyFor(service) ?? resolveStrategy(currentConfig(), service);
    } catch (error) {
      const message = isAriadneError(error) ? error.message : String(error);
      return c.text(`cannot read sampling strategies: ${message}`, 500);
    }
    return c.json(legacy ? toLegacySamplingJson(strategy) : strategy);
  };
  app.get('/sampling', answer(false));
  app.get('/api/sampling', answer(false));
  app.get('/', answer(true));

  let last = performance.now();
  const recompute = (elapsedSeconds?: number): void => {
    const at = performance.now();
    adaptive?.recompute(elapsedSeconds ?? (at - last) / 1000);
    last = at;
  };
  const intervalMs = options.adaptive?.intervalMs ?? 60_000;
  const timer = adaptive !== undefined && intervalMs > 0 ? setInterval(() => recompute(), intervalMs) : undefined;
  timer?.unref();

  return Object.assign(app, {
    record: (spans: readonly Span[]) => adaptive?.record(spans),
    recompute,
    close: () => clearInterval(timer),
  });
}
