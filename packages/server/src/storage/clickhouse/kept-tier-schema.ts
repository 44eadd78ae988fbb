import type { ClickHouseHttp } from './clickhouse-http.js';
import {
  type DdlRunner,
  localEngine,
  localName,
  localTable,
  queryTable,
  type SchemaTarget,
  SPANS,
} from './clickhouse-schema.js';
import { sqlIdentifier, sqlString } from './sql-literal.js';

/**
 * The kept tier's tables (`--retention-kept` with ClickHouse), beside the
 * full tables and never changing them. Every table says which UTC day's full
 * partition each row was filled from (`kept_day`, `day`) and is partitioned
 * by that day's week, so a week's days merge into a few parts: a copy of a
 * day is replaced by deleting its rows, and the tier ages out past
 * `--retention-kept` a week at a time (kept-tier-weeks.ts).
 *
 * - `spans_kept`: the spans of kept traces, whole, with the columns the full
 *   `spans` table had when the tier was created (read from `system.columns`,
 *   so it follows the spans schema of its time), ordered by (service, start)
 *   in granules of 8,192 rows: `npm run bench retention/kept-layouts` has a
 *   week of kept spans, merged, at 90.0 bytes a span so, 120.2 in granules
 *   of 1,024 (LowCardinality keys past the part's dictionary are written
 *   again per granule), 110.0 ordered like `spans` by (minute, trace id),
 *   and 138.7 as the tier was first made (a part per day, granules of 1,024).
 * - `kept_traces`: the kept tier's trace index (the columns `trace_index` has,
 *   so the same search code reads it) plus the policy that kept each trace.
 * - `kept_late`: traces decided with a day whose spans go on into the next
 *   day, so the next day's copy leaves them alone (decided once, never half).
 * - `kept_days`: the days copied; a row goes in only after the copy, so a day
 *   without a row is copied again (its partitions dropped first).
 * - `red_seconds`, `dependency_seconds`, `operations_kept`: RED cells, calls
 *   between services and span counts per operation, computed from every span
 *   of a day before its full partition is dropped.
 * - `kept_parents`: the service of each span of a dropped day that is the
 *   parent of a span of a later day (written apart from it): the later
 *   child's call is still counted, whichever tier its day is in.
 */
export const SPANS_KEPT = 'spans_kept';
export const KEPT_TRACES = 'kept_traces';
export const KEPT_LATE = 'kept_late';
export const KEPT_DAYS = 'kept_days';
export const RED_SECONDS = 'red_seconds';
export const DEPENDENCY_SECONDS = 'dependency_seconds';
export const OPERATIONS_KEPT = 'operations_kept';
export const KEPT_PARENTS = 'kept_parents';

/** Tables holding a day's copy, by their day column (each partitioned by that day's week: kept-tier-weeks.ts). */
export const KEPT_DAY_COLUMNS: Readonly<Record<string, string>> = {
  [SPANS_KEPT]: 'kept_day',
  [KEPT_TRACES]: 'kept_day',
  [KEPT_LATE]: 'kept_day',
  [RED_SECONDS]: 'day',
  [DEPENDENCY_SECONDS]: 'day',
  [OPERATIONS_KEPT]: 'day',
  [KEPT_PARENTS]: 'day',
};
export const KEPT_DAY_TABLES = Object.keys(KEPT_DAY_COLUMNS);

/** A column name from system.columns (Nested ones are dotted: `attr.key`), quoted. */
export function sqlColumn(name: string): string {
  if (!/^[A-Za-z_][A-Za-z0-9_.]*$/.test(name)) throw new RangeError(`"${name}" is not a plain column name`);
  return `\`${name}\``;
}

/** Kept tables read through a Distributed table sharded by trace id: a kept trace lives on the shard of its spans. */
const BY_TRACE = new Set([SPANS_KEPT, KEPT_TRACES, KEPT_LATE, KEPT_PARENTS]);

/**
 * Creates the kept tier's tables when missing. In cluster mode they are
 * `_local` tables on every shard (replicated when the cluster has replicas)
 * with Distributed tables of the plain names over them for reads, created
 * like the full tier's (`ON CLUSTER` when the cluster has distributed DDL);
 * `kept_days` then also says which shard copied a day.
 */
export async function createKeptTierTables(http: ClickHouseHttp, target: SchemaTarget, ddl: DdlRunner): Promise<void> {
  const db = sqlIdentifier(target.database);
  const spansColumns = await http.query<{ name: string; type: string }>(
    `SELECT name, type FROM system.columns WHERE database = ${sqlString(target.database)} AND table = ${sqlString(SPANS)}`,
  );
  if (spansColumns.length === 0) throw new Error(`${target.database}.${SPANS} has no columns: the schema is missing`);
  const columns = spansColumns.map((column) => `${sqlColumn(column.name)} ${column.type}`).join(', ');
  const shard = target.cluster === undefined ? '' : ', shard UInt32';
  const tables: [string, string, string][] = [
    [
      SPANS_KEPT,
      `(kept_day Date, ${columns})`,
      'MergeTree PARTITION BY toMonday(kept_day) ORDER BY (service, start_ns)',
    ],
    [
      KEPT_TRACES,
      `(
      kept_day Date, trace_hi UInt64, trace_lo UInt64, kept_by String,
      min_start_ns UInt64, max_start_ns UInt64, max_end_ns UInt64, services Array(String)
    )`,
      'MergeTree PARTITION BY toMonday(kept_day) ORDER BY (trace_hi, trace_lo) SETTINGS index_granularity = 1024',
    ],
    [
      KEPT_LATE,
      '(kept_day Date, trace_hi UInt64, trace_lo UInt64)',
      'MergeTree PARTITION BY toMonday(kept_day) ORDER BY (trace_hi, trace_lo)',
    ],
    [
      KEPT_DAYS,
      `(day Date, copied_ns UInt64, kept_traces UInt64, dropped_traces UInt64${shard})`,
      'MergeTree ORDER BY day',
    ],
    [
      RED_SECONDS,
      '(day Date, service String, name String, kind UInt8, second UInt32, bin UInt16, calls UInt64, errors UInt64)',
      'SummingMergeTree((calls, errors)) PARTITION BY toMonday(day) ORDER BY (service, name, kind, second, bin)',
    ],
    [
      DEPENDENCY_SECONDS,
      '(day Date, parent String, child String, second UInt32, calls UInt64, errors UInt64)',
      'SummingMergeTree((calls, errors)) PARTITION BY toMonday(day) ORDER BY (parent, child, second)',
    ],
    [
      OPERATIONS_KEPT,
      '(service String, name String, kind UInt8, day Date, spans UInt64)',
      'SummingMergeTree(spans) PARTITION BY toMonday(day) ORDER BY (service, name, kind, day)',
    ],
    [
      KEPT_PARENTS,
      '(day Date, trace_hi UInt64, trace_lo UInt64, span_id UInt64, service String)',
      'MergeTree PARTITION BY toMonday(day) ORDER BY (trace_hi, trace_lo, span_id)',
    ],
  ];
  for (const [table, body, engine] of tables) {
    // Single node: spans_kept copies the spans table's LowCardinality columns too (DdlRunner sends the setting).
    await ddl.run(
      `CREATE TABLE IF NOT EXISTS ${localTable(target, table)} ON_CLUSTER ${body} ENGINE = ${localEngine(target, table, engine)}`,
    );
  }
  if (target.cluster === undefined) return;
  const cluster = sqlIdentifier(target.cluster);
  for (const [table] of tables) {
    const key = BY_TRACE.has(table) ? ', cityHash64(trace_hi, trace_lo)' : '';
    await ddl.run(
      `CREATE TABLE IF NOT EXISTS ${queryTable(target, table)} ON_CLUSTER AS ${localTable(target, table)}
        ENGINE = Distributed(${cluster}, ${db}, ${sqlIdentifier(localName(target, table))}${key})`,
    );
  }
}

/** The column names of `spans_kept` but `kept_day`: what a copy selects from the full `spans`. */
export async function keptSpanColumns(http: ClickHouseHttp, database: string): Promise<string[]> {
  // The same columns as its local tables in cluster mode.
  const rows = await http.query<{ name: string }>(
    `SELECT name FROM system.columns WHERE database = ${sqlString(database)} AND table = ${sqlString(SPANS_KEPT)}`,
  );
  return rows.map((row) => row.name).filter((name) => name !== 'kept_day');
}
