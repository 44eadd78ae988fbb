import type { SpanTree } from './build-span-tree.js';
import { selfTimesOfRows } from './row-self-times.js';
import { servicesOfProcesses } from './service-index.js';

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

/**
 * Running sums per group in typed arrays, a group being a number: a million
 * spans add into them without an object or a string key each.
 */
class Sums {
  readonly count: Float64Array;
  readonly errors: Float64Array;
  readonly total: Float64Array;
  readonly self: Float64Array;
  readonly min: Float64Array;
  readonly max: Float64Array;
  constructor(groups: number) {
    this.count = new Float64Array(groups);
    this.errors = new Float64Array(groups);
    this.total = new Float64Array(groups);
    this.self = new Float64Array(groups);
    this.min = new Float64Array(groups).fill(Number.POSITIVE_INFINITY);
    this.max = new Float64Array(groups).fill(Number.NEGATIVE_INFINITY);
  }
  add(group: number, duration: number, self: number, failed: boolean): void {
    this.count[group] = (this.count[group] as number) + 1;
    if (failed) this.errors[group] = (this.errors[group] as number) + 1;
    this.total[group] = (this.total[group] as number) + duration;
    this.self[group] = (this.self[group] as number) + self;
    if (duration < (this.min[group] as number)) this.min[group] = duration;
    if (duration > (this.max[group] as number)) this.max[group] = duration;
  }
  row(group: number, serviceName: string, operationName: string, allSelf: number): StatisticsRow {
    const self = this.self[group] as number;
    return {
      serviceName,
      operationName,
      count: this.count[group] as number,
      errorCount: this.errors[group] as number,
      totalDuration: this.total[group] as number,
      totalSelfTime: self,
      minDuration: this.min[group] as number,
      maxDuration: this.max[group] as number,
      selfShare: allSelf > 0 ? self / allSelf : 0,
    };
  }
}

/**
 * Self time and span counts per service and per operation (Jaeger's "Trace
 * Statistics" view). O(n) over the tree's rows and the trace's columns (service
 * and operation numbers, typed arrays): exact for a million spans, with no
 * node or string key per span.
 */
export function traceStatistics(tree: SpanTree): TraceStatistics {
  const { columns } = tree;
  const { span: rowSpan } = tree.rows;
  const { serviceOf, names } = servicesOfProcesses(columns);
  const operationCount = columns.operationNames.length;
  const selfTimes = selfTimesOfRows(tree);
  const services = new Sums(names.length);
  // Pairs (service × operation) numbered as first met; a table of every pair when that is small.
  const keys = names.length * operationCount;
  const table = keys <= DENSE_PAIRS ? new Int32Array(keys).fill(-1) : undefined;
  const pairOf = new Map<number, number>();
  const pairs: number[] = [];
  let operations = new Sums(64);
  let allSelf = 0;
  for (let r = 0; r < rowSpan.length; r++) {
    const s = rowSpan[r] as number;
    const service = serviceOf[columns.processOf[s] as number] as number;
    const key = service * operationCount + (columns.operationOf[s] as number);
    let pair = table === undefined ? (pairOf.get(key) ?? -1) : (table[key] as number);
    if (pair < 0) {
      pair = pairs.length;
      pairs.push(key);
      if (table === undefined) pairOf.set(key, pair);
      else table[key] = pair;
      if (pair >= operations.count.length) operations = grown(operations);
    }
    const self = selfTimes[r] as number;
    const duration = columns.durations[s] as number;
    const failed = columns.failed[s] === 1;
    allSelf += self;
    services.add(service, duration, self, failed);
    operations.add(pair, duration, self, failed);
  }
  const serviceRows = names.map((name, i) => services.row(i, name, '', allSelf)).filter((row) => row.count > 0);
  const operationRows = pairs.map((key, pair) =>
    operations.row(
      pair,
      names[Math.floor(key / operationCount)] as string,
      columns.operationNames[key % operationCount] as string,
      allSelf,
    ),
  );
  return { services: sorted(serviceRows), operations: sorted(operationRows) };
}

/** Service × operation pairs up to this many are numbered through a table rather than a map. */
const DENSE_PAIRS = 1 << 20;

function grown(sums: Sums): Sums {
  const next = new Sums(sums.count.length * 2);
  for (const field of ['count', 'errors', 'total', 'self', 'min', 'max'] as const) next[field].set(sums[field]);
  return next;
}

function sorted(rows: StatisticsRow[]): StatisticsRow[] {
  return rows.sort(
    (a, b) =>
      b.totalSelfTime - a.totalSelfTime ||
      compare(a.serviceName, b.serviceName) ||
      compare(a.operationName, b.operationName),
  );
}

function compare(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}
