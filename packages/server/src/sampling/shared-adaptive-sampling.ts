import { AdaptiveSampler, type AdaptiveSamplingOptions, type OperationValues } from './adaptive-sampler.js';

/**
 * Where collectors meet to agree on adaptive sampling (ClickHouse:
 * `storage/clickhouse/clickhouse-sampling-state.ts`). Intervals are numbers:
 * wall-clock milliseconds divided by the interval's length, the same on
 * every collector.
 */
export interface SharedSamplingState {
  /** Adds one collector's trace counts for an interval. */
  writeCounts(interval: number, collector: string, counts: OperationValues): Promise<void>;
  /** Every collector's counts for an interval, summed. */
  readCounts(interval: number): Promise<OperationValues>;
  /** Records the probabilities computed for an interval. */
  writeProbabilities(interval: number, writer: string, probabilities: OperationValues): Promise<void>;
  /**
   * The probabilities of the latest interval computed; where several
   * collectors computed it, always the same one of their sets. Undefined
   * before any was computed.
   */
  readProbabilities(): Promise<{ interval: number; probabilities: OperationValues } | undefined>;
}

export interface SharedAdaptiveSamplingOptions extends AdaptiveSamplingOptions {
  readonly intervalMs: number;
  /** This collector's name in the shared state (unique per process). */
  readonly collectorId: string;
  /**
   * How long after an interval ends the probabilities are computed, so that
   * every collector's counts are in. Default a quarter of the interval, at most 5 s.
   */
  readonly settleMs?: number;
  /** Told when a step fails; the next interval tries again, and the answers in force stay. */
  readonly onError?: (error: unknown) => void;
}

export interface SharedAdaptiveSampling {
  /** What the timer runs at the end of interval `interval - 1` (tests call it). */
  step(interval: number): Promise<void>;
  /**
   * Reads the shared answer again (every collector does, mid-interval). A
   * collector that starts mid-interval calls it first, to answer what the
   * others do from its first answer.
   */
  refresh(): Promise<void>;
  stop(): void;
}

/**
 * Adaptive sampling across collectors, after Jaeger's (its collectors write
 * throughput to the shared storage and one of them, elected, computes the
 * probabilities that all of them then read). Here no election: at the end
 * of each interval every collector writes its counts, waits `settleMs` for
 * the others', and the first to find the interval not yet computed computes
 * it from every collector's counts and the previous answer; all then load
 * the answer the state names (the set written first, when two computed at
 * once). `sampler` answers `/sampling` from what was loaded: the same on
 * every collector once each has read the latest interval.
 */
export function shareAdaptiveSampling(
  sampler: AdaptiveSampler,
  state: SharedSamplingState,
  options: SharedAdaptiveSamplingOptions,
): SharedAdaptiveSampling {
  const { intervalMs, collectorId } = options;
  const settleMs = options.settleMs ?? Math.min(intervalMs / 4, 5_000);
  let stopped = false;
  const timers = new Set<NodeJS.Timeout>();
  const later = (ms: number, action: () => Promise<void>) => {
    if (stopped) return;
    const timer = setTimeout(() => {
      timers.delete(timer);
      action().catch((error: unknown) => options.onError?.(error));
    }, ms);
    timer.unref();
    timers.add(timer);
  };

  const refresh = async () => {
    const latest = await state.readProbabilities();
    if (latest !== undefined) sampler.loadProbabilities(latest.probabilities);
  };

  const step = async (interval: number) => {
    await state.writeCounts(interval - 1, collectorId, sampler.takeCounts());
    if (settleMs > 0) await new Promise((resolve) => setTimeout(resolve, settleMs));
    const latest = await state.readProbabilities();
    if (latest === undefined || latest.interval < interval) {
      // A calculator of its own: counts recorded meanwhile stay in `sampler` for the next interval.
      const calculator = new AdaptiveSampler(options);
      calculator.loadProbabilities(latest?.probabilities ?? new Map());
      calculator.addCounts(await state.readCounts(interval - 1));
      calculator.recompute(intervalMs / 1000);
      await state.writeProbabilities(interval, collectorId, calculator.learnedProbabilities());
    }
    await refresh();
  };

  const schedule = () => {
    const now = Date.now();
    const interval = Math.floor(now / intervalMs) + 1;
    later(interval * intervalMs - now, async () => {
      schedule();
      await step(interval);
      later(intervalMs / 2 - settleMs, refresh);
    });
  };
  schedule();

  return {
    step,
    refresh,
    stop: () => {
      stopped = true;
      for (const timer of timers) clearTimeout(timer);
      timers.clear();
    },
  };
}
