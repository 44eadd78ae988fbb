import { type Context, type Sampler, SamplingDecision, type SamplingResult } from '@opentelemetry/api';
import { RateLimitingSampler } from './rate-limiting-sampler.js';
import { TraceIdRatioSampler } from './trace-id-ratio-sampler.js';

const SAMPLED: SamplingResult = Object.freeze({ decision: SamplingDecision.RECORD_AND_SAMPLED });

export interface PerOperationSamplerOptions {
  readonly defaultSamplingProbability: number;
  /** Each operation is sampled at least this often, whatever its probability (Jaeger's lower bound). */
  readonly defaultLowerBoundTracesPerSecond: number;
  readonly perOperation: readonly { readonly operation: string; readonly samplingRate: number }[];
  /** Operations tracked at most; later ones share the default probability without a lower bound. Default 2000. */
  readonly maxOperations?: number;
  /** Monotonic milliseconds for the rate limiters (tests). */
  readonly now?: () => number;
}

/**
 * Jaeger's per-operation ("guaranteed throughput") sampler: each span name
 * has its own probability, and a rate limiter guarantees every operation a
 * minimum of sampled traces per second so rare endpoints stay visible.
 */
export class PerOperationSampler implements Sampler {
  private readonly samplers = new Map<string, GuaranteedThroughputSampler>();
  private readonly fallback: TraceIdRatioSampler;
  private readonly maxOperations: number;

  constructor(private readonly options: PerOperationSamplerOptions) {
    this.maxOperations = options.maxOperations ?? 2000;
    this.fallback = new TraceIdRatioSampler(options.defaultSamplingProbability);
    for (const { operation, samplingRate } of options.perOperation) {
      this.samplers.set(operation, this.guaranteed(samplingRate));
    }
  }

  shouldSample(context: Context, traceId: string, spanName: string): SamplingResult {
    let sampler = this.samplers.get(spanName);
    if (sampler === undefined) {
      if (this.samplers.size >= this.maxOperations) {
        return this.fallback.shouldSample(context, traceId);
      }
      sampler = this.guaranteed(this.options.defaultSamplingProbability);
      this.samplers.set(spanName, sampler);
    }
    return sampler.shouldSample(context, traceId);
  }

  toString(): string {
    return `PerOperationSampler{default=${this.options.defaultSamplingProbability}, lowerBound=${this.options.defaultLowerBoundTracesPerSecond}, operations=${this.samplers.size}}`;
  }

  private guaranteed(probability: number): GuaranteedThroughputSampler {
    return new GuaranteedThroughputSampler(
      new TraceIdRatioSampler(probability),
      new RateLimitingSampler({
        spansPerSecond: this.options.defaultLowerBoundTracesPerSecond,
        ...(this.options.now ? { now: this.options.now } : {}),
      }),
    );
  }
}

class GuaranteedThroughputSampler implements Sampler {
  constructor(
    private readonly probabilistic: TraceIdRatioSampler,
    private readonly lowerBound: RateLimitingSampler,
  ) {}

  shouldSample(context: Context, traceId: string): SamplingResult {
    if (this.probabilistic.shouldSample(context, traceId).decision === SamplingDecision.RECORD_AND_SAMPLED) {
      // As in Jaeger: a probabilistically sampled trace still spends the limiter's credit.
      this.lowerBound.shouldSample();
      return SAMPLED;
    }
    return this.lowerBound.shouldSample();
  }
}
