import { type Span, StatusCode, serviceNameOf } from '@ariadne/protocol';
import { RetentionDecider } from '../../retention/keep-decision.js';
import type { RetentionPolicy } from '../../retention/retention-policy.js';
import { type DurationCells, SlowThresholds } from '../../retention/slow-thresholds.js';
import type { RetentionStats } from '../embedded/compactor.js';
import { DAY_OF_START, OPERATIONS, SPANS, TRACE_INDEX } from './clickhouse-schema.js';
import {
  DEPENDENCY_SECONDS,
  KEPT_DAYS,
  KEPT_LATE,
  KEPT_PARENTS,
  KEPT_TRACES,
  OPERATIONS_KEPT,
  RED_SECONDS,
  SPANS_KEPT,
  sqlColumn,
} from './kept-tier-schema.js';
import { deleteKeptDay, type KeptTables, keptLocalTable, keptPartitioning } from './kept-tier-weeks.js';
import { DURATION_BIN_SQL } from './red-metrics-sql.js';
import { RowBinaryReader } from './row-binary.js';
import { SPAN_CONTENT_HASH, SPAN_ROW_COLUMNS, SpanRowDecoder } from './span-row.js';
import { sqlIdentifier, sqlInteger, sqlString, traceIdHalves } from './sql-literal.js';

export const DAY_NANOS = 86_400_000_000_000n;
/** Traces decided together: bounds the spans a copy holds in memory (a day is read in hash buckets of about this many). */
const TRACES_PER_BATCH = 20_000;

/**
 * A copy's tables. In cluster mode (`localSuffix` `_local`) a copy is one
 * shard's: it reads and writes the connected node's local tables (a trace is
 * whole on its shard, so its decision, its parents and its spans are all
 * there), and reads what the policy needs cluster-wide (the p99 of each
 * operation) through the Distributed tables.
 */
export interface KeptTierContext extends KeptTables {
  readonly policy: RetentionPolicy;
  /** Cluster mode: the connected node's shard, written with the day's row in `kept_days`. */
  readonly shard?: number;
  /** Columns of spans_kept but kept_day. */
  readonly spanColumns: readonly string[];
  /** Told after each step of a copy (`aggregated`, `decided`, `copied`, `recorded`): the crash test stops there. */
  readonly onStep?: (step: string, day: string) => void;
}

/** Counts of this process's copies, for `/metrics` (the embedded store's shape). */
export class KeptTierCounts {
  compactions = 0;
  readonly kept = new Map<string, { traces: number; spans: number; bytes: number }>();
  readonly dropped = { traces: 0, spans: 0, bytes: 0 };

  stats(): RetentionStats {
    return {
      compactions: this.compactions,
      kept: Object.fromEntries([...this.kept].map(([policy, counts]) => [policy, { ...counts }])),
      dropped: { ...this.dropped },
    };
  }
}

export function dayStartNanos(day: string): bigint {
  return BigInt(Date.parse(`${day}T00:00:00Z`)) * 1_000_000n;
}

/** Whether a day was copied already (its row goes in last). */
export async function dayCopied(context: KeptTierContext, day: string): Promise<boolean> {
  const [row] = await context.http.query<{ n: string }>(
    `SELECT count() AS n FROM ${local(context, KEPT_DAYS)} WHERE day = toDate(${sqlString(day)})`,
  );
  return row !== undefined && row.n !== '0';
}

/**
 * Copies into the kept tier what it keeps of one day of the full tables,
 * before that day is dropped: the aggregates of every span, then the kept
 * traces (decided whole), and last the row that says the day is done. Run
 * again after a crash (no row), it first deletes whatever an earlier run left
 * of the day: nothing is kept twice.
 */
export async function copyDay(context: KeptTierContext, day: string, counts: KeptTierCounts): Promise<void> {
  const { http } = context;
  // Not deduplicated: a replicated table remembers the hashes of its last blocks and drops a block
  // equal to one of them, even after a mutation deleted its rows, so a copy redone after a crash
  // (which deletes the interrupted one's rows, then inserts the same blocks) would leave the day empty.
  const insert = (sql: string) => http.command(sql, { insert_deduplicate: 0 });
  const start = dayStartNanos(day);
  const end = start + DAY_NANOS;
  const dayLiteral = `toDate(${sqlString(day)})`;
  const spans = local(context, SPANS);
  const inDay = `start_ns >= ${sqlInteger(start)} AND start_ns < ${sqlInteger(end)}`;
  await deleteKeptDay(context, day);

  // Aggregates from every span of the day.
  const second = 'toUInt32(intDiv(start_ns, 1000000000))';
  const errors = `countIf(status_code = ${StatusCode.Error})`;
  await insert(
    `INSERT INTO ${local(context, RED_SECONDS)} (day, service, name, kind, second, bin, calls, errors)
     SELECT ${dayLiteral}, service, name, kind, ${second} AS second, ${DURATION_BIN_SQL} AS bin, count(), ${errors}
     FROM ${spans} WHERE ${inDay} GROUP BY service, name, kind, second, bin`,
  );
  await insert(
    `INSERT INTO ${local(context, OPERATIONS_KEPT)} (service, name, kind, day, spans)
     SELECT service, name, kind, day, sum(spans) FROM ${local(context, OPERATIONS)}
     WHERE day = ${dayLiteral} GROUP BY service, name, kind, day`,
  );
  const dependencies = `${local(context, DEPENDENCY_SECONDS)} (day, parent, child, second, calls, errors)`;
  // As getDependencies counts: children that know their parent's service, and the others joined with their parents.
  await insert(
    `INSERT INTO ${dependencies}
     SELECT ${dayLiteral}, parent_service AS parent, service AS child, ${second} AS second, count(), ${errors}
     FROM ${spans} PREWHERE parent_service != '' WHERE ${inDay} AND parent_service != service
     GROUP BY parent, child, second`,
  );
  const unresolved = `${inDay} AND parent_span_id != 0 AND parent_service = ''`;
  await insert(
    `INSERT INTO ${dependencies}
     SELECT ${dayLiteral}, parent_service AS parent, service AS child, second, count(), ${errors}
     FROM (SELECT trace_hi, trace_lo, parent_span_id, CAST(service AS String) AS service, status_code, ${second} AS second
       FROM ${spans} WHERE ${unresolved})
     ANY INNER JOIN (
       SELECT trace_hi, trace_lo, span_id AS parent_span_id, CAST(service AS String) AS parent_service FROM ${spans}
       WHERE (trace_hi, trace_lo) IN (SELECT trace_hi, trace_lo FROM ${spans} WHERE ${unresolved})
       UNION ALL
       SELECT trace_hi, trace_lo, span_id AS parent_span_id, service AS parent_service FROM ${local(context, KEPT_PARENTS)}
       WHERE (trace_hi, trace_lo) IN (SELECT trace_hi, trace_lo FROM ${spans} WHERE ${unresolved})
     ) USING (trace_hi, trace_lo, parent_span_id)
     WHERE parent_service != service GROUP BY parent, child, second`,
  );
  // Parents of later children: this day's spans go, their services stay for those children's calls.
  await insert(
    `INSERT INTO ${local(context, KEPT_PARENTS)} (day, trace_hi, trace_lo, span_id, service)
     SELECT ${dayLiteral}, trace_hi, trace_lo, span_id, any(service) FROM ${spans}
     WHERE ${inDay} AND (trace_hi, trace_lo, span_id) IN (
       SELECT trace_hi, trace_lo, parent_span_id FROM ${spans}
       WHERE start_ns >= ${sqlInteger(end)} AND parent_span_id != 0 AND parent_service = '')
     GROUP BY trace_hi, trace_lo, span_id`,
  );

  context.onStep?.('aggregated', day);

  // The traces this day decides: in its trace index, and not decided with an earlier day.
  const owned = `SELECT trace_hi, trace_lo FROM ${local(context, TRACE_INDEX)} WHERE day = ${dayLiteral}
    AND (trace_hi, trace_lo) NOT IN (SELECT trace_hi, trace_lo FROM ${local(context, KEPT_LATE)})`;
  const [total] = await http.query<{ n: string }>(`SELECT uniqExact(trace_hi, trace_lo) AS n FROM (${owned})`);
  const batches = Math.max(1, Math.ceil(Number(total?.n ?? 0) / TRACES_PER_BATCH));
  const decider = new RetentionDecider(context.policy, await slowThresholds(context, start, end));
  let keptTraces = 0;
  let droppedTraces = 0;
  const keptSpans = new Map<string, number>();
  let droppedSpans = 0;
  for (let batch = 0; batch < batches; batch++) {
    const rows = await http.queryBinary(
      `SELECT ${SPAN_ROW_COLUMNS.join(', ')} FROM ${spans}
       PREWHERE (trace_hi, trace_lo) IN (${owned} AND cityHash64(trace_hi, trace_lo) % ${batches} = ${batch})
       LIMIT 1 BY trace_hi, trace_lo, span_id, ${SPAN_CONTENT_HASH}`,
    );
    const traces = new Map<string, Span[]>();
    for (const span of new SpanRowDecoder().decodeAll(new RowBinaryReader(rows))) {
      let trace = traces.get(span.traceId);
      if (trace === undefined) {
        trace = [];
        traces.set(span.traceId, trace);
      }
      trace.push(span);
    }
    const kept: string[] = [];
    const late: string[] = [];
    for (const [traceId, policy] of decider.decideAll(traces)) {
      const trace = traces.get(traceId)!;
      const [hi, lo] = traceIdHalves(traceId);
      const bounds = boundsOf(trace);
      if (bounds.maxStart >= end) late.push(`(${dayLiteral}, ${sqlInteger(hi)}, ${sqlInteger(lo)})`);
      if (policy === null) {
        droppedTraces++;
        droppedSpans += trace.length;
        continue;
      }
      keptTraces++;
      keptSpans.set(policy, (keptSpans.get(policy) ?? 0) + trace.length);
      const services = `[${bounds.services.map(sqlString).join(', ')}]`;
      kept.push(
        `(${dayLiteral}, ${sqlInteger(hi)}, ${sqlInteger(lo)}, ${sqlString(policy)}, ${sqlInteger(bounds.minStart)}, ${sqlInteger(bounds.maxStart)}, ${sqlInteger(bounds.maxEnd)}, ${services})`,
      );
      const policyCounts = counts.kept.get(policy) ?? { traces: 0, spans: 0, bytes: 0 };
      policyCounts.traces++;
      counts.kept.set(policy, policyCounts);
    }
    if (kept.length > 0) {
      await insert(
        `INSERT INTO ${local(context, KEPT_TRACES)} (kept_day, trace_hi, trace_lo, kept_by, min_start_ns, max_start_ns, max_end_ns, services) VALUES ${kept.join(', ')}`,
      );
    }
    if (late.length > 0) {
      await insert(`INSERT INTO ${local(context, KEPT_LATE)} (kept_day, trace_hi, trace_lo) VALUES ${late.join(', ')}`);
    }
  }
  context.onStep?.('decided', day);
  // The kept traces' spans, whole (their later days too), each span once.
  const columns = context.spanColumns.map(sqlColumn).join(', ');
  await insert(
    `INSERT INTO ${local(context, SPANS_KEPT)} (kept_day, ${columns})
     SELECT ${dayLiteral}, ${columns} FROM ${spans}
     PREWHERE (trace_hi, trace_lo) IN (SELECT trace_hi, trace_lo FROM ${local(context, KEPT_TRACES)} WHERE kept_day = ${dayLiteral})
     LIMIT 1 BY trace_hi, trace_lo, span_id, ${SPAN_CONTENT_HASH}`,
  );
  context.onStep?.('copied', day);
  const shardColumn = context.shard === undefined ? '' : ', shard';
  const shardValue = context.shard === undefined ? '' : `, ${sqlInteger(context.shard)}`;
  await insert(
    `INSERT INTO ${local(context, KEPT_DAYS)} (day, copied_ns, kept_traces, dropped_traces${shardColumn})
     VALUES (${dayLiteral}, ${sqlInteger(BigInt(Date.now()) * 1_000_000n)}, ${sqlInteger(keptTraces)}, ${sqlInteger(droppedTraces)}${shardValue})`,
  );

  context.onStep?.('recorded', day);

  // Bytes on disk: the day's full spans against its kept spans. The kept spans share their week's
  // partition with the week's other days (merged or about to be): their share is by rows.
  const byDay = (await keptPartitioning(context)).get(SPANS_KEPT) === 'day';
  const suffix = context.localSuffix ?? '';
  const [full] = await http.query<{ bytes: string }>(
    `SELECT sum(bytes_on_disk) AS bytes FROM system.parts WHERE active AND database = ${sqlString(context.database)}
     AND table = ${sqlString(SPANS + suffix)} AND partition = ${sqlString(day)}`,
  );
  const [week] = await http.query<{ bytes: string; rows: string }>(
    `SELECT sum(bytes_on_disk) AS bytes, sum(rows) AS rows FROM system.parts WHERE active
     AND database = ${sqlString(context.database)} AND table = ${sqlString(SPANS_KEPT + suffix)}
     AND partition = ${byDay ? sqlString(day) : `toString(toMonday(${dayLiteral}))`}`,
  );
  const fullBytes = Number(full?.bytes ?? 0);
  const weekRows = Number(week?.rows ?? 0);
  const allKeptSpans = [...keptSpans.values()].reduce((sum, n) => sum + n, 0);
  const keptBytes =
    weekRows === 0 ? 0 : Math.round((Number(week?.bytes ?? 0) * Math.min(allKeptSpans, weekRows)) / weekRows);
  for (const [policy, spanCount] of keptSpans) {
    const policyCounts = counts.kept.get(policy)!;
    policyCounts.spans += spanCount;
    policyCounts.bytes += allKeptSpans === 0 ? 0 : Math.round((keptBytes * spanCount) / allKeptSpans);
  }
  counts.dropped.traces += droppedTraces;
  counts.dropped.spans += droppedSpans;
  counts.dropped.bytes += Math.max(0, fullBytes - keptBytes);
  counts.compactions++;
}

function boundsOf(trace: readonly Span[]) {
  let minStart = trace[0]!.startTimeUnixNano;
  let maxStart = minStart;
  let maxEnd = trace[0]!.endTimeUnixNano;
  const services = new Set<string>();
  for (const span of trace) {
    if (span.startTimeUnixNano < minStart) minStart = span.startTimeUnixNano;
    if (span.startTimeUnixNano > maxStart) maxStart = span.startTimeUnixNano;
    if (span.endTimeUnixNano > maxEnd) maxEnd = span.endTimeUnixNano;
    services.add(serviceNameOf(span.resource));
  }
  return { minStart, maxStart, maxEnd: maxEnd < maxStart ? maxStart : maxEnd, services: [...services] };
}

/**
 * The p99 per operation and minute, as the embedded store takes it from its
 * aggregates: the hour before the day from the aggregates of days already
 * copied (and from the spans where that day is not copied yet), the day (and
 * the hour after it, for traces that go on) from its spans. Cluster-wide, in
 * cluster mode: through the Distributed tables, each shard counting each span
 * once (`NOT IN kept_days` is that shard's own, `distributed_product_mode =
 * 'local'`), so every shard decides its traces by the same thresholds.
 */
async function slowThresholds(context: KeptTierContext, start: bigint, end: bigint): Promise<SlowThresholds> {
  const fromSecond = Number(start / 1_000_000_000n) - 3600;
  const toNanos = end + 3_600_000_000_000n;
  const rows = await context.http.query<{
    service: string;
    name: string;
    kind: number;
    minute: string;
    bin: number;
    calls: string;
  }>(
    `SELECT service, name, kind, minute, bin, sum(calls) AS calls FROM (
       SELECT service, name, kind, intDiv(second, 60) AS minute, bin, calls FROM ${table(context, RED_SECONDS)}
       WHERE second >= ${sqlInteger(fromSecond)} AND second < ${sqlInteger(Number(start / 1_000_000_000n))}
       UNION ALL
       SELECT CAST(service AS String) AS service, CAST(name AS String) AS name, kind,
         intDiv(start_ns, 60000000000) AS minute, ${DURATION_BIN_SQL} AS bin, toUInt64(1) AS calls
       FROM ${table(context, SPANS)} WHERE start_ns >= ${sqlInteger(start)} AND start_ns < ${sqlInteger(toNanos)}
       UNION ALL
       SELECT CAST(service AS String) AS service, CAST(name AS String) AS name, kind,
         intDiv(start_ns, 60000000000) AS minute, ${DURATION_BIN_SQL} AS bin, toUInt64(1) AS calls
       FROM ${table(context, SPANS)} WHERE start_ns >= ${sqlInteger(BigInt(fromSecond) * 1_000_000_000n)}
         AND start_ns < ${sqlInteger(start)} AND ${DAY_OF_START} NOT IN (SELECT day FROM ${table(context, KEPT_DAYS)})
     ) GROUP BY service, name, kind, minute, bin ORDER BY minute`,
    // In cluster mode `kept_days` in the IN is each shard's own (a no-op on one node).
    { distributed_product_mode: 'local' },
  );
  const services: string[] = [];
  const serviceIndex = new Map<string, number>();
  const series: { service: number; name: string; kind: number }[] = [];
  const seriesIndex = new Map<string, number>();
  const cellSecond: number[] = [];
  const cellSeries: number[] = [];
  const binStart: number[] = [];
  const bins: number[] = [];
  const binCounts: number[] = [];
  // One cell per row: a cell may hold one bin, SlowThresholds adds cells of a minute up.
  for (const row of rows) {
    let service = serviceIndex.get(row.service);
    if (service === undefined) {
      service = services.length;
      services.push(row.service);
      serviceIndex.set(row.service, service);
    }
    const key = `${service}\u0000${row.name}\u0000${row.kind}`;
    let index = seriesIndex.get(key);
    if (index === undefined) {
      index = series.length;
      series.push({ service, name: row.name, kind: Number(row.kind) });
      seriesIndex.set(key, index);
    }
    cellSecond.push(Number(row.minute) * 60);
    cellSeries.push(index);
    binStart.push(bins.length);
    bins.push(Number(row.bin));
    binCounts.push(Number(row.calls));
  }
  binStart.push(bins.length);
  const cells: DurationCells = {
    services,
    series,
    cellSecond: Float64Array.from(cellSecond),
    cellSeries: Uint32Array.from(cellSeries),
    binStart: Uint32Array.from(binStart),
    bins: Uint16Array.from(bins),
    binCounts: Uint32Array.from(binCounts),
  };
  const thresholds = new SlowThresholds();
  thresholds.add(cells);
  return thresholds;
}

/** A table as every shard sees it (the Distributed one in cluster mode). */
function table(context: KeptTierContext, name: string): string {
  return `${sqlIdentifier(context.database)}.${sqlIdentifier(name)}`;
}

/** The connected node's table (its shard's local one in cluster mode): what a copy reads and changes. */
function local(context: KeptTierContext, name: string): string {
  return keptLocalTable(context, name);
}
