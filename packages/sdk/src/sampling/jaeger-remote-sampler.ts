import {
  type Attributes,
  type Context,
  context as contextApi,
  diag,
  type Link,
  type Sampler,
  type SamplingResult,
  type SpanKind,
} from '@opentelemetry/api';
import { type JaegerSamplingStrategy, parseJaegerSamplingStrategy } from './jaeger-sampling-strategy.js';
import { PerOperationSampler } from './per-operation-sampler.js';
import { RateLimitingSampler } from './rate-limiting-sampler.js';
import { TraceIdRatioSampler } from './trace-id-ratio-sampler.js';

/** OpenTelemetry's suppressTracing() key: the sampler's own polling must not be traced. */
const SUPPRESS_TRACING_KEY = Symbol.for('OpenTelemetry SDK Context Key SUPPRESS_TRACING');

export interface JaegerRemoteSamplerOptions {
  /** Whose strategy to ask for (`?service=`). */
  readonly serviceName: string;
  /** The agent's or collector's sampling endpoint base; `/sampling` is appended. Default http://localhost:5778. */
  readonly endpoint?: string;
  /** Default 60000 ms. */
  readonly pollingIntervalMillis?: number;
  /** Used until the first strategy arrives; default a trace-id ratio of `initialSamplingRate`. */
  readonly initialSampler?: Sampler;
  /** Default 0.001, OpenTelemetry's default for jaeger_remote. */
  readonly initialSamplingRate?: number;
  /** Per-request timeout; default 5000 ms. */
  readonly requestTimeoutMillis?: number;
  /** Monotonic milliseconds for rate limiters (tests). */
  readonly now?: () => number;
}

/**
 * Jaeger remote sampling: polls `GET {endpoint}/sampling?service=NAME` and
 * samples with what it answers (probabilistic, rate limiting or per
 * operation), with a fallback sampler until the first answer. A failed or
 * unreadable poll keeps the current sampler; an unchanged strategy keeps the
 * current sampler too, so rate limiters keep their state across polls.
 * The timer is unref'd: polling never keeps a process alive.
 */
export class JaegerRemoteSampler implements Sampler {
  readonly url: string;
  private current: Sampler;
  private currentKey = '';
  private readonly timer: NodeJS.Timeout;
  private readonly requestTimeout: number;
  private polling: Promise<void> | undefined;

  constructor(private readonly options: JaegerRemoteSamplerOptions) {
    const base = (options.endpoint ?? 'http://localhost:5778').replace(/\/+$/, '');
    const path = base.endsWith('/sampling') ? base : `${base}/sampling`;
    this.url = `${path}?service=${encodeURIComponent(options.serviceName)}`;
    this.current = options.initialSampler ?? new TraceIdRatioSampler(options.initialSamplingRate ?? 0.001);
    this.requestTimeout = options.requestTimeoutMillis ?? 5000;
    this.timer = setInterval(() => void this.poll(), Math.max(1, options.pollingIntervalMillis ?? 60_000));
    this.timer.unref();
    void this.poll();
  }

  /** The sampler in use now. */
  get sampler(): Sampler {
    return this.current;
  }

  shouldSample(
    context: Context,
    traceId: string,
    spanName: string,
    spanKind: SpanKind,
    attributes: Attributes,
    links: Link[],
  ): SamplingResult {
    return this.current.shouldSample(context, traceId, spanName, spanKind, attributes, links);
  }

  /** Fetches the strategy now; resolves when it is applied (or the poll failed). One poll at a time. */
  poll(): Promise<void> {
    this.polling ??= this.fetchStrategy().finally(() => {
      this.polling = undefined;
    });
    return this.polling;
  }

  /** Stops polling. */
  close(): void {
    clearInterval(this.timer);
  }

  toString(): string {
    return `JaegerRemoteSampler{${this.current.toString()}}`;
  }

  private async fetchStrategy(): Promise<void> {
    try {
      const response = await contextApi.with(contextApi.active().setValue(SUPPRESS_TRACING_KEY, true), () =>
        fetch(this.url, { signal: AbortSignal.timeout(this.requestTimeout) }),
      );
      const text = await response.text();
      if (!response.ok) throw new Error(`HTTP ${response.status}: ${text.slice(0, 200)}`);
      const strategy = parseJaegerSamplingStrategy(JSON.parse(text));
      const key = JSON.stringify(strategy);
      if (key === this.currentKey) return;
      this.current = this.samplerFor(strategy);
      this.currentKey = key;
    } catch (error) {
      diag.warn(`jaeger remote sampler: ${this.url}: keeping ${this.current.toString()}`, error);
    }
  }

  private samplerFor(strategy: JaegerSamplingStrategy): Sampler {
    const now = this.options.now ? { now: this.options.now } : {};
    switch (strategy.type) {
      case 'probabilistic':
        return new TraceIdRatioSampler(strategy.samplingRate);
      case 'ratelimiting':
        return new RateLimitingSampler({ spansPerSecond: strategy.maxTracesPerSecond, ...now });
      case 'peroperation':
        return new PerOperationSampler({ ...strategy, ...now });
    }
  }
}
