import type { SpanTree } from './build-span-tree.js';
import { selfTime } from './self-time.js';

export interface StatisticsRow {
  readonly serviceName: string;
  /** '' in a per-service row. */
  readonly operationName: string;
  readonly count: number;
  readonly errorCount: number;
  /** Microseconds, summed over the spans. */
  readonly totalDuration: number;
  readonly totalSelfTime: number;
  readonly minDuration: number;
  readonly maxDuration: number;
  /** Share of the trace's summed self time, 0 to 1. */
  readonly selfShare: number;
}

export interface TraceStatistics {
  /** One row per service, most self time first. */
  readonly services: readonly StatisticsRow[];
  /** One row per service and operation, most self time first. */
  readonly operations: readonly StatisticsRow[];
}

interface Accumulator {
  serviceName: string;
  operationName: string;
  count: number;
  errorCount: number;
  totalDuration: number;
  totalSelfTime: number;
  minDuration: number;
  maxDuration: number;
}

/** Self time and span counts per service and per operation (Jaeger's "Trace Statistics" view). O(n). */
export function traceStatistics(tree: SpanTree): TraceStatistics {
  const services = new Map<string, Accumulator>();
  const operations = new Map<string, Accumulator>();
  let allSelf = 0;
  for (const node of tree.nodes) {
    const self = selfTime(node);
    allSelf += self;
    const { serviceName } = node;
    const operationName = node.span.operationName;
    add(services, serviceName, serviceName, '', node.span.duration, self, node.hasError);
    add(
      operations,
      `${serviceName}\u0000${operationName}`,
      serviceName,
      operationName,
      node.span.duration,
      self,
      node.hasError,
    );
  }
  return { services: finish(services, allSelf), operations: finish(operations, allSelf) };
}

function add(
  map: Map<string, Accumulator>,
  key: string,
  serviceName: string,
  operationName: string,
  duration: number,
  self: number,
  error: boolean,
): void {
  let row = map.get(key);
  if (row === undefined) {
    row = {
      serviceName,
      operationName,
      count: 0,
      errorCount: 0,
      totalDuration: 0,
      totalSelfTime: 0,
      minDuration: duration,
      maxDuration: duration,
    };
    map.set(key, row);
  }
  row.count++;
  if (error) row.errorCount++;
  row.totalDuration += duration;
  row.totalSelfTime += self;
  if (duration < row.minDuration) row.minDuration = duration;
  if (duration > row.maxDuration) row.maxDuration = duration;
}

function finish(map: Map<string, Accumulator>, allSelf: number): StatisticsRow[] {
  return [...map.values()]
    .map((row) => ({ ...row, selfShare: allSelf > 0 ? row.totalSelfTime / allSelf : 0 }))
    .sort(
      (a, b) =>
        b.totalSelfTime - a.totalSelfTime ||
        compare(a.serviceName, b.serviceName) ||
        compare(a.operationName, b.operationName),
    );
}

function compare(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}
