import { type Sampler, SamplingDecision, type SamplingResult } from '@opentelemetry/api';

const SAMPLED: SamplingResult = Object.freeze({ decision: SamplingDecision.RECORD_AND_SAMPLED });
const DROPPED: SamplingResult = Object.freeze({ decision: SamplingDecision.NOT_RECORD });

export interface RateLimitingSamplerOptions {
  /** Sustained rate. 0 samples nothing. */
  readonly spansPerSecond: number;
  /** Largest burst; default max(spansPerSecond, 1) like Jaeger's rate limiter. */
  readonly burst?: number;
  /** Milliseconds from a monotonic clock; default `performance.now`. Replaceable for tests. */
  readonly now?: () => number;
}

/**
 * A token bucket (Jaeger's rate-limiting sampler): each sampled span costs
 * one token, tokens come back at `spansPerSecond`, and the bucket starts
 * full. Usually the root of a ParentBasedSampler so whole traces are kept.
 */
export class RateLimitingSampler implements Sampler {
  readonly spansPerSecond: number;
  private readonly capacity: number;
  private readonly now: () => number;
  private balance: number;
  private last: number;

  constructor(options: RateLimitingSamplerOptions) {
    const rate = options.spansPerSecond;
    this.spansPerSecond = Number.isFinite(rate) && rate > 0 ? rate : 0;
    this.capacity = options.burst !== undefined && options.burst > 0 ? options.burst : Math.max(this.spansPerSecond, 1);
    this.now = options.now ?? (() => performance.now());
    this.balance = this.spansPerSecond > 0 ? this.capacity : 0;
    this.last = this.now();
  }

  shouldSample(): SamplingResult {
    if (this.spansPerSecond === 0) return DROPPED;
    const now = this.now();
    const elapsed = now - this.last;
    if (elapsed > 0) {
      this.balance = Math.min(this.capacity, this.balance + (elapsed / 1000) * this.spansPerSecond);
      this.last = now;
    }
    if (this.balance < 1) return DROPPED;
    this.balance -= 1;
    return SAMPLED;
  }

  toString(): string {
    return `RateLimitingSampler{${this.spansPerSecond}}`;
  }
}
