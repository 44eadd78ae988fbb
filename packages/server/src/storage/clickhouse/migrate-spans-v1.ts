import { decodeOtlpTraceRequestProto, type Span } from '@ariadne/protocol';
import type { ClickHouseHttp } from './clickhouse-http.js';
import {
  localName,
  OPERATIONS,
  runWithLowCardinality,
  type SchemaTarget,
  SPANS,
  schemaV3,
  TRACE_INDEX,
} from './clickhouse-schema.js';
import { sqlIdentifier, sqlInteger, sqlString } from './sql-literal.js';

const MINUTE_NANOS = 60_000_000_000n;
const MINUTES_PER_DAY = 1440n;
/** Rows read from version 1 per query (decoded, re-encoded, inserted), so memory stays bounded. */
const ROWS_PER_COPY = 100_000;

/**
 * Version 1 -> 3, on the node the store is connected to: version 1 kept each
 * span twice (attribute arrays and `otlp`, base64 OTLP protobuf). The spans
 * table is renamed `spans_v1`, the derived tables and views are dropped, the
 * version 3 tables created, and every span decoded from `otlp` and written
 * again through `write` (into this node's table: the rows are already on
 * the shard their trace belongs to), one day partition at a time, each day
 * dropped from `spans_v1` once copied. The trace index and the operations are
 * rebuilt by their views as the rows go in.
 *
 * Resumable: interrupted, it starts again with the first day not yet dropped
 * (spans of that day copied before the interruption are then stored twice,
 * which the SpanWriter contract allows). Run one Ariadne process per node
 * while it migrates.
 */
export async function migrateSpansV1(
  http: ClickHouseHttp,
  target: SchemaTarget,
  write: (spans: Span[]) => Promise<void>,
): Promise<void> {
  const db = sqlIdentifier(target.database);
  const name = (table: string) => `${db}.${sqlIdentifier(localName(target, table))}`;
  const oldSpans = name(`${SPANS}_v1`);
  const has = async (table: string, column?: string) => {
    const [row] = await http.query<{ found: string }>(
      `SELECT count() AS found FROM system.${column === undefined ? 'tables' : 'columns'}
       WHERE database = ${sqlString(target.database)} AND ${column === undefined ? 'name' : 'table'} = ${sqlString(
         localName(target, table),
       )}${column === undefined ? '' : ` AND name = ${sqlString(column)}`}`,
    );
    return row?.found !== '0';
  };
  // Local statements only: every node copies its own rows, when a store opens against it.
  const local = (sql: string) => runWithLowCardinality(http, sql.replace('ON_CLUSTER', ''));

  if (!(await has(`${SPANS}_v1`)) && (await has(SPANS, 'otlp'))) {
    for (const view of ['trace_index_mv', 'operations_mv']) await local(`DROP TABLE IF EXISTS ${db}.${view}`);
    await local(`RENAME TABLE ${name(SPANS)} TO ${oldSpans}`);
    for (const table of [TRACE_INDEX, OPERATIONS]) await local(`DROP TABLE IF EXISTS ${name(table)}`);
    if (target.cluster !== undefined) {
      for (const table of [SPANS, TRACE_INDEX, OPERATIONS]) {
        await local(`DROP TABLE IF EXISTS ${db}.${sqlIdentifier(table)}`);
      }
    }
  }
  for (const statement of schemaV3(target)) await local(statement);
  if (!(await has(`${SPANS}_v1`))) return;

  const minutes = await http.query<{ minute: string; rows: string }>(
    `SELECT intDiv(start_ns, ${MINUTE_NANOS}) AS minute, count() AS rows FROM ${oldSpans} GROUP BY minute ORDER BY minute`,
  );
  const partitions = await http.query<{ partition: string }>(
    `SELECT DISTINCT partition FROM system.parts
     WHERE active AND database = ${sqlString(target.database)} AND table = ${sqlString(localName(target, `${SPANS}_v1`))}`,
  );
  let index = 0;
  while (index < minutes.length) {
    const day = BigInt(minutes[index]!.minute) / MINUTES_PER_DAY;
    // Chunks of whole minutes within the day.
    while (index < minutes.length && BigInt(minutes[index]!.minute) / MINUTES_PER_DAY === day) {
      const from = BigInt(minutes[index]!.minute);
      let rows = 0;
      let to = from;
      while (
        index < minutes.length &&
        BigInt(minutes[index]!.minute) / MINUTES_PER_DAY === day &&
        (rows === 0 || rows + Number(minutes[index]!.rows) <= ROWS_PER_COPY)
      ) {
        rows += Number(minutes[index]!.rows);
        to = BigInt(minutes[index]!.minute);
        index++;
      }
      const copied = await http.query<{ otlp: string }>(
        `SELECT otlp FROM ${oldSpans} WHERE start_ns >= ${sqlInteger(from * MINUTE_NANOS)} AND start_ns < ${sqlInteger(
          (to + 1n) * MINUTE_NANOS,
        )}`,
      );
      await write(copied.map((row) => spanOfOtlp(row.otlp)));
    }
    const dayText = new Date(Number(day) * 86_400_000).toISOString().slice(0, 10);
    // ClickHouse prints day 0 (1970-01-01) as 0000-00-00.
    const partition = partitions.find((row) => row.partition === (day === 0n ? '0000-00-00' : dayText));
    if (partition !== undefined) {
      await local(`ALTER TABLE ${oldSpans} DROP PARTITION ${sqlString(partition.partition)}`);
    }
  }
  await local(`DROP TABLE ${oldSpans}`);
}

function spanOfOtlp(base64: string): Span {
  const decoded = decodeOtlpTraceRequestProto(Buffer.from(base64, 'base64'));
  const span = decoded.spans[0];
  if (decoded.spans.length !== 1 || span === undefined) {
    throw new RangeError(`a version 1 span decoded to ${decoded.spans.length} spans: ${decoded.errorMessage}`);
  }
  return span;
}
