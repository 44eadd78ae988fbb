import type { ClickHouseHttp } from './clickhouse-http.js';
import {
  DAY_OF_START,
  localName,
  runWithLowCardinality,
  type SchemaTarget,
  SPANS,
  schemaV3Steps,
} from './clickhouse-schema.js';
import { SPAN_ROW_COLUMNS } from './span-row.js';
import { sqlIdentifier, sqlInteger, sqlString } from './sql-literal.js';

/**
 * Version 2 -> 3, on the node the store is connected to. Only the spans
 * table changes (its sort key, granules and string types); its columns keep
 * their names and meaning, so ClickHouse copies the rows itself (INSERT …
 * SELECT, converting String to LowCardinality) and no span passes through us.
 * The trace index and the operations keep their rows.
 *
 * The views are dropped first and created again after the copy: left in
 * place they would add every copied span to the derived tables a second
 * time. `spans` is renamed `spans_v2` and copied one day partition at a
 * time, each day dropped from `spans_v2` once copied. Interrupted, it
 * resumes with the first day not yet dropped (the spans of a day copied
 * before the interruption are then stored twice, which the SpanWriter
 * contract allows). Run one Ariadne process per node while it migrates.
 */
export async function migrateSpansV2(http: ClickHouseHttp, target: SchemaTarget): Promise<void> {
  const db = sqlIdentifier(target.database);
  const name = (table: string) => `${db}.${sqlIdentifier(localName(target, table))}`;
  const oldName = localName(target, `${SPANS}_v2`);
  const oldSpans = `${db}.${sqlIdentifier(oldName)}`;
  const tableExists = async (table: string) => {
    const [row] = await http.query<{ found: string }>(
      `SELECT count() AS found FROM system.tables WHERE database = ${sqlString(target.database)} AND name = ${sqlString(table)}`,
    );
    return row?.found !== '0';
  };
  // Local statements only: every node copies its own rows, when a store opens against it.
  const local = (sql: string) => runWithLowCardinality(http, sql.replace('ON_CLUSTER', ''));
  const steps = schemaV3Steps(target);

  if (!(await tableExists(oldName))) {
    for (const view of ['trace_index_mv', 'operations_mv']) await local(`DROP TABLE IF EXISTS ${db}.${view}`);
    // A Distributed table copies its columns' types from the local table: made again below.
    if (target.cluster !== undefined) await local(`DROP TABLE IF EXISTS ${db}.${sqlIdentifier(SPANS)}`);
    await local(`RENAME TABLE ${name(SPANS)} TO ${oldSpans}`);
  }
  for (const statement of steps.tables) await local(statement);

  const partitions = await http.query<{ partition_id: string }>(
    `SELECT DISTINCT partition_id FROM system.parts
     WHERE active AND database = ${sqlString(target.database)} AND table = ${sqlString(oldName)} ORDER BY partition_id`,
  );
  const columns = SPAN_ROW_COLUMNS.join(', ');
  for (const { partition_id: id } of partitions) {
    // Partition ids of a Date key are YYYYMMDD.
    await local(
      `INSERT INTO ${name(SPANS)} (${columns}) SELECT ${columns} FROM ${oldSpans}
       WHERE toYYYYMMDD(${DAY_OF_START}) = ${sqlInteger(BigInt(id))}`,
    );
    await local(`ALTER TABLE ${oldSpans} DROP PARTITION ID ${sqlString(id)}`);
  }
  await local(`DROP TABLE ${oldSpans}`);
  for (const statement of [...steps.views, ...steps.distributed]) await local(statement);
}
