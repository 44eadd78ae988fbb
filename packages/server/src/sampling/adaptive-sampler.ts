import { type Span, serviceNameOf } from '@ariadne/protocol';
import type { SamplingStrategyResponse } from './sampling-strategies.js';

/** service -> operation -> a number (traces counted, or a probability). */
export type OperationValues = Map<string, Map<string, number>>;

export interface AdaptiveSamplingOptions {
  /** Traces per second to keep for each operation (Jaeger's `target-samples-per-second`). Default 1. */
  readonly targetTracesPerSecond?: number;
  /** Probability given to an operation before anything was observed. Default 0.001, as Jaeger. */
  readonly initialProbability?: number;
  /** Default 1e-5 (Jaeger's `min-sampling-probability`). */
  readonly minProbability?: number;
  /** Default 1. */
  readonly maxProbability?: number;
  /** Relative distance from the target within which a probability is left alone. Default 0.3, as Jaeger. */
  readonly deltaTolerance?: number;
  /** An operation's probability grows at most this factor per recomputation (Jaeger caps increases to damp swings). Default 2. */
  readonly maxIncreaseFactor?: number;
  /** Rate-limited floor every operation keeps (Jaeger's `min-samples-per-second`). Default 1/60. */
  readonly lowerBoundTracesPerSecond?: number;
}

/**
 * Adaptive sampling after Jaeger's (plugin/sampling/strategyprovider/adaptive):
 * counts the root spans (traces) received per service and operation, and at
 * each recomputation moves every operation's probability toward the one that
 * would keep `targetTracesPerSecond`: `p' = p * target / observed`, left alone
 * within `deltaTolerance`, increases capped at `maxIncreaseFactor`, bounded to
 * [minProbability, maxProbability]. Observed traffic was already sampled at
 * `p`, which is why the ratio is applied to `p` rather than computed afresh.
 */
export class AdaptiveSampler {
  private readonly target: number;
  private readonly initial: number;
  private readonly min: number;
  private readonly max: number;
  private readonly tolerance: number;
  private readonly maxIncrease: number;
  private readonly lowerBound: number;
  /** service -> operation -> traces counted since the last recomputation. */
  private readonly counts = new Map<string, Map<string, number>>();
  /** service -> operation -> current probability. */
  private readonly learned = new Map<string, Map<string, number>>();

  constructor(options: AdaptiveSamplingOptions = {}) {
    this.target = options.targetTracesPerSecond ?? 1;
    this.initial = options.initialProbability ?? 0.001;
    this.min = options.minProbability ?? 1e-5;
    this.max = options.maxProbability ?? 1;
    this.tolerance = options.deltaTolerance ?? 0.3;
    this.maxIncrease = options.maxIncreaseFactor ?? 2;
    this.lowerBound = options.lowerBoundTracesPerSecond ?? 1 / 60;
  }

  /** Counts the traces of a batch of accepted spans; cheap, called on the ingest path. */
  record(spans: readonly Span[]): void {
    for (const span of spans) {
      if (span.parentSpanId !== '') continue;
      const service = serviceNameOf(span.resource);
      let operations = this.counts.get(service);
      if (operations === undefined) {
        operations = new Map();
        this.counts.set(service, operations);
      }
      operations.set(span.name, (operations.get(span.name) ?? 0) + 1);
    }
  }

  /** Applies the traffic counted over the last `elapsedSeconds` and starts a new count. */
  recompute(elapsedSeconds: number): void {
    if (!(elapsedSeconds > 0)) return;
    for (const [service, operations] of this.counts) {
      let current = this.learned.get(service);
      if (current === undefined) {
        current = new Map();
        this.learned.set(service, current);
      }
      for (const [operation, count] of operations) {
        const p = current.get(operation) ?? this.initial;
        const observed = count / elapsedSeconds;
        if (Math.abs(observed - this.target) <= this.tolerance * this.target) {
          current.set(operation, p);
          continue;
        }
        let next = (p * this.target) / observed;
        if (next > p) next = Math.min(next, p * this.maxIncrease);
        current.set(operation, Math.min(this.max, Math.max(this.min, next)));
      }
    }
    this.counts.clear();
  }

  /**
   * The traces counted since the last recomputation, which this forgets
   * (a collector sharing its counts hands them to the shared state).
   */
  takeCounts(): OperationValues {
    const counts = new Map([...this.counts].map(([service, operations]) => [service, new Map(operations)]));
    this.counts.clear();
    return counts;
  }

  /** Adds counts to the ones since the last recomputation (every collector's, read from the shared state). */
  addCounts(counts: OperationValues): void {
    for (const [service, operations] of counts) {
      let mine = this.counts.get(service);
      if (mine === undefined) {
        mine = new Map();
        this.counts.set(service, mine);
      }
      for (const [operation, count] of operations) mine.set(operation, (mine.get(operation) ?? 0) + count);
    }
  }

  /** Every operation's probability now. */
  learnedProbabilities(): OperationValues {
    return new Map([...this.learned].map(([service, operations]) => [service, new Map(operations)]));
  }

  /** Replaces every probability (the shared state's answer, so that every collector gives the same). */
  loadProbabilities(probabilities: OperationValues): void {
    this.learned.clear();
    for (const [service, operations] of probabilities) this.learned.set(service, new Map(operations));
  }

  /** The probability of an operation now; `undefined` when it was never seen. */
  probabilityOf(service: string, operation: string): number | undefined {
    return this.learned.get(service)?.get(operation);
  }

  /** The strategy answer for a service, or `undefined` when nothing was learned about it yet. */
  strategyFor(service: string): SamplingStrategyResponse | undefined {
    const operations = this.learned.get(service);
    if (operations === undefined || operations.size === 0) return undefined;
    return {
      strategyType: 'PROBABILISTIC',
      probabilisticSampling: { samplingRate: this.initial },
      operationSampling: {
        defaultSamplingProbability: this.initial,
        defaultLowerBoundTracesPerSecond: this.lowerBound,
        perOperationStrategies: [...operations].map(([operation, samplingRate]) => ({
          operation,
          probabilisticSampling: { samplingRate },
        })),
        defaultUpperBoundTracesPerSecond: 0,
      },
    };
  }
}
