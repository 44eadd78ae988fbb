import { ClickHouseError, type ClickHouseHttp } from './clickhouse-http.js';
import { KEPT_DAY_COLUMNS, KEPT_DAY_TABLES } from './kept-tier-schema.js';
import { sqlIdentifier, sqlString } from './sql-literal.js';

/**
 * The kept tier's tables hold each copied day in the partition of its week
 * (the Monday, `toMonday(day)`): a day's kept spans are a small part, and
 * parts only merge within a partition, so a partition per day left every
 * day a small part of its own that compressed poorly (138 bytes a span,
 * against about 96 for the full tier, in the 30-day retention bench). Once
 * all of a week's days are copied, the week is merged into one part.
 *
 * The day stays the unit of a copy: a copy redone after a crash deletes
 * what the interrupted one left of its day with `ALTER … DELETE WHERE` (a
 * mutation, waited for), leaving the week's other days alone. The week is
 * the unit of expiry: it is dropped once its last day is past
 * `--retention-kept`, as the embedded store drops a merged week of kept
 * blocks, so the tier holds its oldest days up to six days longer.
 *
 * Tables made before weeks (a partition per day) keep working: their days
 * are dropped and expired by partition, as they were.
 */

const DAY_MS = 86_400_000;
const WEEK_MS = 7 * DAY_MS;
/** A mutation or merge waited for that has not finished in this long is reported; the pass is done again an hour later. */
const WAIT_TIMEOUT_MS = 10 * 60_000;
const POLL_MS = 50;
/** ClickHouse's code for an OPTIMIZE that found nothing it could merge now. */
const CANNOT_ASSIGN_OPTIMIZE = 388;
const MERGE_ATTEMPTS = 5;
/** A finished week above this many bytes is not merged into one part by force. */
const MAX_MERGED_WEEK_BYTES = 10 * 1024 ** 3;

export type KeptPartitioning = 'day' | 'week';

export interface KeptTables {
  readonly http: ClickHouseHttp;
  readonly database: string;
  /**
   * Cluster mode: `_local`, the kept tables of the connected node's shard
   * (what a pass changes; each shard's pass changes its own). Default: none.
   */
  readonly localSuffix?: string;
}

/** The kept table `table` of the connected node (its local table in cluster mode), quoted. */
export function keptLocalTable(tables: KeptTables, table: string): string {
  return `${sqlIdentifier(tables.database)}.${sqlIdentifier(`${table}${tables.localSuffix ?? ''}`)}`;
}

/** Names of the connected node's kept tables, and back to the tier's names. */
function localNames(tables: KeptTables): { names: string[]; tierName: (name: string) => string } {
  const suffix = tables.localSuffix ?? '';
  return {
    names: KEPT_DAY_TABLES.map((table) => `${table}${suffix}`),
    tierName: (name) => (suffix !== '' && name.endsWith(suffix) ? name.slice(0, -suffix.length) : name),
  };
}

/** `YYYY-MM-DD` of a day partition (ClickHouse prints day 0 as 0000-00-00). */
export function dayOfPartition(partition: string): string | undefined {
  if (!/^\d{4}-\d{2}-\d{2}$/.test(partition)) return undefined;
  return partition === '0000-00-00' ? '1970-01-01' : partition;
}

/** How each kept table is partitioned, from its partition key (`kept_day` alone: a table made before weeks). */
export async function keptPartitioning(tables: KeptTables): Promise<Map<string, KeptPartitioning>> {
  const { names, tierName } = localNames(tables);
  const rows = await tables.http.query<{ name: string; partition_key: string }>(
    `SELECT name, partition_key FROM system.tables WHERE database = ${sqlString(tables.database)}
     AND name IN (${names.map(sqlString).join(', ')})`,
  );
  return new Map(
    rows.map((row) => {
      const table = tierName(row.name);
      return [table, row.partition_key === KEPT_DAY_COLUMNS[table] ? 'day' : 'week'] as const;
    }),
  );
}

/** Removes one day from every kept table: what an interrupted copy of it left, before the copy is made again. */
export async function deleteKeptDay(tables: KeptTables, day: string): Promise<void> {
  const partitioning = await keptPartitioning(tables);
  const parts = await activePartitions(tables);
  for (const [table, column] of Object.entries(KEPT_DAY_COLUMNS)) {
    const name = keptLocalTable(tables, table);
    if (partitioning.get(table) === 'day') {
      for (const part of parts) {
        if (part.table === table && dayOfPartition(part.partition) === day) {
          await tables.http.command(`ALTER TABLE ${name} DROP PARTITION ${sqlString(part.partition)}`);
        }
      }
      continue;
    }
    const where = `${sqlIdentifier(column)} = toDate(${sqlString(day)})`;
    const [row] = await tables.http.query<{ n: string }>(`SELECT count() AS n FROM ${name} WHERE ${where}`);
    // The usual case: nothing left of the day, and no mutation to rewrite the week's parts for nothing.
    if (row === undefined || row.n === '0') continue;
    await tables.http.command(`ALTER TABLE ${name} DELETE WHERE ${where}`);
    await waitForMutations(tables, `${table}${tables.localSuffix ?? ''}`);
  }
}

/** Drops what is past `--retention-kept`: a day partition once its day ends before the cutoff, a week once its last day does. */
export async function dropExpiredKept(tables: KeptTables, cutoffMs: number): Promise<void> {
  const partitioning = await keptPartitioning(tables);
  for (const part of await activePartitions(tables)) {
    const first = dayOfPartition(part.partition);
    if (first === undefined) continue;
    const length = partitioning.get(part.table) === 'day' ? DAY_MS : WEEK_MS;
    if (Date.parse(`${first}T00:00:00Z`) + length > cutoffMs) continue;
    await tables.http.command(
      `ALTER TABLE ${keptLocalTable(tables, part.table)} DROP PARTITION ${sqlString(part.partition)}`,
    );
  }
}

/**
 * Merges each finished week (its last day before `beforeMs`: every day of
 * it copied) into one part, once: background merges leave a week in a few
 * parts, and a kept tier is small enough that its parts are small, which
 * LowCardinality columns store poorly. Weeks past `MAX_MERGED_WEEK_BYTES`
 * are left to background merges: their parts are large already.
 */
export async function mergeFinishedWeeks(tables: KeptTables, beforeMs: number): Promise<void> {
  const partitioning = await keptPartitioning(tables);
  const { names, tierName } = localNames(tables);
  const weeks = await tables.http.query<{ table: string; partition: string; parts: string; bytes: string }>(
    `SELECT table, partition, count() AS parts, sum(bytes_on_disk) AS bytes FROM system.parts
     WHERE active AND database = ${sqlString(tables.database)}
     AND table IN (${names.map(sqlString).join(', ')}) GROUP BY table, partition`,
  );
  for (const row of weeks) {
    const week = { ...row, table: tierName(row.table) };
    const monday = dayOfPartition(week.partition);
    if (monday === undefined || partitioning.get(week.table) !== 'week') continue;
    if (week.parts === '1' || Number(week.bytes) > MAX_MERGED_WEEK_BYTES) continue;
    if (Date.parse(`${monday}T00:00:00Z`) + WEEK_MS > beforeMs) continue;
    await mergePartition(tables, week.table, week.partition);
  }
}

/**
 * Merges a partition into one part. OPTIMIZE does nothing, silently, while a
 * background merge holds some of the partition's parts: it is told to say so
 * (`optimize_throw_if_noop`), and tried again once that merge is over.
 */
export async function mergePartition(tables: KeptTables, table: string, partition: string): Promise<void> {
  const name = keptLocalTable(tables, table);
  const local = `${table}${tables.localSuffix ?? ''}`;
  for (let attempt = 1; ; attempt++) {
    try {
      await tables.http.command(`OPTIMIZE TABLE ${name} PARTITION ${sqlString(partition)} FINAL`, {
        optimize_throw_if_noop: '1',
      });
      return;
    } catch (error) {
      if (!(error instanceof ClickHouseError && error.code === CANNOT_ASSIGN_OPTIMIZE) || attempt === MERGE_ATTEMPTS) {
        throw error;
      }
    }
    await waitUntilNone(
      tables,
      `SELECT count() AS n FROM system.merges WHERE database = ${sqlString(tables.database)} AND table = ${sqlString(local)}`,
      `${tables.database}.${local}: a background merge`,
    );
  }
}

async function activePartitions(tables: KeptTables): Promise<{ table: string; partition: string }[]> {
  const { names, tierName } = localNames(tables);
  const rows = await tables.http.query<{ table: string; partition: string }>(
    `SELECT DISTINCT table, partition FROM system.parts WHERE active AND database = ${sqlString(tables.database)}
     AND table IN (${names.map(sqlString).join(', ')})`,
  );
  return rows.map((row) => ({ ...row, table: tierName(row.table) }));
}

/** Waits until the table has no unfinished mutation (18.16 has no synchronous mutations). */
function waitForMutations(tables: KeptTables, table: string): Promise<void> {
  return waitUntilNone(
    tables,
    `SELECT count() AS n FROM system.mutations WHERE database = ${sqlString(tables.database)}
     AND table = ${sqlString(table)} AND is_done = 0`,
    `${tables.database}.${table}: a mutation deleting a day of the kept tier`,
  );
}

/** Polls a `count() AS n` query until it is 0, for at most WAIT_TIMEOUT_MS. */
async function waitUntilNone(tables: KeptTables, countSql: string, what: string): Promise<void> {
  const deadline = Date.now() + WAIT_TIMEOUT_MS;
  for (;;) {
    const [row] = await tables.http.query<{ n: string }>(countSql);
    if (row === undefined || row.n === '0') return;
    if (Date.now() > deadline) {
      throw new Error(
        `${what} has not finished in ${WAIT_TIMEOUT_MS / 60_000} minutes (see system.mutations and system.merges)`,
      );
    }
    await new Promise((resolve) => setTimeout(resolve, POLL_MS));
  }
}
