import { isAriadneError, type Span, StatusCode, serviceNameOf } from '@ariadne/protocol';
import { exemplarKey } from '../../packages/server/src/retention/keep-decision.js';
import { crossServiceCalls, DependencyCounter } from '../../packages/server/src/storage/query/dependency-links.js';
import {
  DURATION_BINS,
  durationBin,
  histogramQuantile,
} from '../../packages/server/src/storage/query/duration-histogram.js';
import { RedAccumulator } from '../../packages/server/src/storage/query/red-metrics.js';
import type { RedMetricsQuery } from '../../packages/server/src/storage/span-store.js';
import { WORKLOAD_SERVICES } from '../workload/standard-workload.js';
import { DAY, DAYS, T0 } from './simulated-days.js';

interface TraceTruth {
  readonly spans: number;
  readonly error: boolean;
  readonly rootOperation: string;
  readonly rootStart: bigint;
  readonly rootDuration: number;
}

const operationKey = (span: Span) => `${serviceNameOf(span.resource)}\u0000${span.name}\u0000${span.kind}`;
const minuteOf = (nanos: bigint) => Number(nanos / 60_000_000_000n);

/**
 * What the retention benchmarks check a store against, computed here from
 * every span written and not from any store: which traces are errors, which
 * roots are slower than their operation's p99 over the hour before them,
 * the (service, operation, status, minute) exemplar cells, RED metrics and
 * dependencies. Both stores' benchmarks use it, so that their figures mean
 * the same.
 */
export class RetentionTruth {
  readonly traces = new Map<string, TraceTruth>();
  /** Traces per exemplar cell. */
  readonly cells = new Map<string, number>();
  readonly redQuery: RedMetricsQuery = {
    services: [...WORKLOAD_SERVICES],
    groupByOperation: true,
    spanKinds: [],
    timeRange: { startNanos: T0, endNanos: T0 + BigInt(DAYS) * DAY },
    stepNanos: DAY,
    quantiles: [0.5, 0.99],
  };
  readonly red = new RedAccumulator(this.redQuery);
  readonly dependencies = new DependencyCounter();
  /** Per (service, name, kind), per minute: the duration histogram of every span. */
  readonly #durations = new Map<string, Map<number, Float64Array>>();

  remember(spans: readonly Span[], error: boolean): void {
    const root = spans[0]!;
    this.traces.set(root.traceId, {
      spans: spans.length,
      error,
      rootOperation: operationKey(root),
      rootStart: root.startTimeUnixNano,
      rootDuration: Number(root.endTimeUnixNano - root.startTimeUnixNano),
    });
    for (const key of new Set(spans.map(exemplarKey))) this.cells.set(key, (this.cells.get(key) ?? 0) + 1);
    for (const span of spans) {
      this.red.addSpan(span);
      let minutes = this.#durations.get(operationKey(span));
      if (minutes === undefined) {
        minutes = new Map();
        this.#durations.set(operationKey(span), minutes);
      }
      const minute = minuteOf(span.startTimeUnixNano);
      let histogram = minutes.get(minute);
      if (histogram === undefined) {
        histogram = new Float64Array(DURATION_BINS);
        minutes.set(minute, histogram);
      }
      histogram[durationBin(Number(span.endTimeUnixNano - span.startTimeUnixNano))]! += 1;
    }
    for (const call of crossServiceCalls(spans)) {
      this.dependencies.add(
        call.parentService,
        call.childService,
        1,
        call.child.status.code === StatusCode.Error ? 1 : 0,
      );
    }
  }

  /** The operation's p99 over the 60 minutes ending with this one, from every span written. */
  p99Before(operation: string, start: bigint): number {
    const minutes = this.#durations.get(operation)!;
    const merged = new Float64Array(DURATION_BINS);
    let total = 0;
    const last = minuteOf(start);
    for (let minute = last - 59; minute <= last; minute++) {
      const histogram = minutes.get(minute);
      if (histogram === undefined) continue;
      for (let bin = 0; bin < DURATION_BINS; bin++) merged[bin]! += histogram[bin]!;
      for (const count of histogram) total += count;
    }
    return histogramQuantile(merged, total, 0.99);
  }

  /** Error traces and slow ones (root slower than its p99), and how many of each the store still opens whole. */
  async openable(store: { getTrace(traceId: string): Promise<Span[]> }) {
    const counts = { errorTraces: 0, errorKept: 0, slowTraces: 0, slowKept: 0, slowMissed: [] as string[] };
    for (const [traceId, trace] of this.traces) {
      const p99 = this.p99Before(trace.rootOperation, trace.rootStart);
      const slow = trace.rootDuration > p99;
      if (!trace.error && !slow) continue;
      let found = 0;
      try {
        found = (await store.getTrace(traceId)).length;
      } catch (error) {
        if (!(isAriadneError(error) && error.kind === 'TraceNotFound')) throw error;
      }
      const openable = found === trace.spans;
      if (trace.error) {
        counts.errorTraces++;
        if (openable) counts.errorKept++;
      }
      if (slow) {
        counts.slowTraces++;
        if (openable) counts.slowKept++;
        else {
          counts.slowMissed.push(
            `${trace.rootStart} ${traceId} ${trace.rootOperation.replaceAll('\u0000', ' ')} root ${trace.rootDuration} ns, p99 ${p99}, ${found} of ${trace.spans} spans found`,
          );
        }
      }
    }
    return counts;
  }

  /** Exemplar cells that hold at least `perMinute` kept traces (or all the traces they had), given the kept traces' spans. */
  cellsCovered(keptTraces: Iterable<readonly Span[]>, perMinute: number): number {
    const keptCells = new Map<string, number>();
    for (const spans of keptTraces) {
      for (const key of new Set(spans.map(exemplarKey))) keptCells.set(key, (keptCells.get(key) ?? 0) + 1);
    }
    let covered = 0;
    for (const [key, count] of this.cells) if ((keptCells.get(key) ?? 0) >= Math.min(count, perMinute)) covered++;
    return covered;
  }
}
