import type { ClickHouseHttp } from './clickhouse-http.js';
import { DAY_PARTITIONED, type DdlRunner, type SchemaTarget } from './clickhouse-schema.js';
import { sqlIdentifier, sqlString } from './sql-literal.js';

const DAY_NANOS = 86_400_000_000_000n;

/**
 * Retention without rewriting: drops the UTC-day partitions whose every span
 * started before `cutoffNanos` (the day ends at or before the cutoff), from the
 * spans table and the tables fed from it. Resolves to the days dropped, sorted.
 */
export async function dropExpiredPartitions(
  http: ClickHouseHttp,
  ddl: DdlRunner,
  target: SchemaTarget,
  cutoffNanos: bigint,
): Promise<string[]> {
  const suffix = target.cluster === undefined ? '' : '_local';
  const tables = DAY_PARTITIONED.map((table) => `${table}${suffix}`);
  const rows = await http.query<{ table: string; partition: string }>(
    `SELECT DISTINCT table, partition FROM system.parts
     WHERE active AND database = ${sqlString(target.database)} AND table IN (${tables.map(sqlString).join(', ')})`,
  );
  const dropped = new Set<string>();
  // Spans first: a trace index row without spans reads as "not found", the reverse would hide spans.
  for (const table of tables) {
    for (const row of rows) {
      if (row.table !== table || !/^\d{4}-\d{2}-\d{2}$/.test(row.partition)) continue;
      // ClickHouse prints day 0 (1970-01-01) as 0000-00-00.
      const day = row.partition === '0000-00-00' ? '1970-01-01' : row.partition;
      const dayStart = BigInt(Date.parse(`${day}T00:00:00Z`)) * 1_000_000n;
      if (dayStart + DAY_NANOS > cutoffNanos) continue;
      await ddl.run(
        `ALTER TABLE ${sqlIdentifier(target.database)}.${sqlIdentifier(table)} ON_CLUSTER DROP PARTITION ${sqlString(row.partition)}`,
      );
      dropped.add(day);
    }
  }
  return [...dropped].sort();
}
