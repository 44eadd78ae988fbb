import type { OperationValues } from '../../sampling/adaptive-sampler.js';
import type { SharedSamplingState } from '../../sampling/shared-adaptive-sampling.js';
import type { ClickHouseConfig } from '../open-store.js';
import { ClickHouseHttp, type Settings } from './clickhouse-http.js';
import { DdlRunner, localTable, queryTable, type SchemaTarget } from './clickhouse-schema.js';
import { sqlIdentifier, sqlInteger, sqlString } from './sql-literal.js';

const COUNTS = 'sampling_counts';
const PROBABILITIES = 'sampling_probabilities';

/**
 * Adaptive sampling's shared state, two small tables beside the spans (in
 * the tenant's database), so that every collector answers alike:
 *
 * - `sampling_counts`: traces each collector counted per operation and
 *   interval (`period`: wall-clock milliseconds divided by the interval's length);
 * - `sampling_probabilities`: the probabilities computed for an interval, by
 *   whichever collector computed them. Two may compute the same interval at
 *   once; readers take the set written first (smallest `written_ns`, then
 *   writer), so every collector reads the same answer.
 *
 * Partitioned by the UTC day of the interval's start, so that days older
 * than the last two are dropped whole (`dropOldDays`). In cluster mode the
 * tables are `_local` on each shard with Distributed tables over them, as the
 * spans are: collectors connected to different shards read one state.
 */
export async function openClickHouseSamplingState(
  config: ClickHouseConfig,
  intervalMs: number,
): Promise<SharedSamplingState & { dropOldDays(nowMs?: number): Promise<void> }> {
  const http = new ClickHouseHttp({
    url: config.url,
    ...(config.username === undefined ? {} : { username: config.username }),
    ...(config.password === undefined ? {} : { password: config.password }),
    timeoutMs: 30_000,
  });
  const target: SchemaTarget =
    config.cluster === undefined
      ? { database: config.database }
      : { database: config.database, cluster: config.cluster };
  const ddl = new DdlRunner(http, target);
  const day = 'toDate(toUInt16(intDiv(period * interval_ms, 86400000)))';
  await ddl.run(`CREATE DATABASE IF NOT EXISTS ${sqlIdentifier(config.database)} ON_CLUSTER`);
  await ddl.run(
    `CREATE TABLE IF NOT EXISTS ${localTable(target, COUNTS)} ON_CLUSTER (
      interval_ms UInt64, period UInt64, collector String, service String, operation String, traces UInt64
    ) ENGINE = MergeTree PARTITION BY ${day} ORDER BY (interval_ms, period)`,
  );
  await ddl.run(
    `CREATE TABLE IF NOT EXISTS ${localTable(target, PROBABILITIES)} ON_CLUSTER (
      interval_ms UInt64, period UInt64, written_ns UInt64, writer String, service String, operation String, probability Float64
    ) ENGINE = MergeTree PARTITION BY ${day} ORDER BY (interval_ms, period)`,
  );
  if (config.cluster !== undefined) {
    const db = sqlIdentifier(config.database);
    const cluster = sqlIdentifier(config.cluster);
    for (const table of [COUNTS, PROBABILITIES]) {
      await ddl.run(
        `CREATE TABLE IF NOT EXISTS ${queryTable(target, table)} ON_CLUSTER AS ${localTable(target, table)}
          ENGINE = Distributed(${cluster}, ${db}, ${sqlIdentifier(`${table}_local`)}, rand())`,
      );
    }
  }
  const counts = queryTable(target, COUNTS);
  const probabilities = queryTable(target, PROBABILITIES);
  // Every write is whole before it is acknowledged, on every shard: a collector reads what another just wrote.
  const insertSettings: Settings = config.cluster === undefined ? {} : { insert_distributed_sync: 1 };
  const forThisLength = `interval_ms = ${sqlInteger(intervalMs)}`;

  const insertRows = async (table: string, columns: string[], rows: string[]) => {
    if (rows.length === 0) return;
    await http.command(`INSERT INTO ${table} (${columns.join(', ')}) VALUES ${rows.join(', ')}`, insertSettings);
  };
  const rowsOf = (values: OperationValues, prefix: string) =>
    [...values].flatMap(([service, operations]) =>
      [...operations].map(
        ([operation, value]) => `(${prefix}, ${sqlString(service)}, ${sqlString(operation)}, ${value})`,
      ),
    );
  const valuesOf = (rows: readonly { service: string; operation: string; value: number | string }[]) => {
    const values: OperationValues = new Map();
    for (const row of rows) {
      let operations = values.get(row.service);
      if (operations === undefined) {
        operations = new Map();
        values.set(row.service, operations);
      }
      operations.set(row.operation, Number(row.value));
    }
    return values;
  };

  return {
    writeCounts: (interval, collector, values) =>
      insertRows(
        counts,
        ['interval_ms', 'period', 'collector', 'service', 'operation', 'traces'],
        rowsOf(values, `${sqlInteger(intervalMs)}, ${sqlInteger(interval)}, ${sqlString(collector)}`),
      ),

    readCounts: async (interval) =>
      valuesOf(
        await http.query<{ service: string; operation: string; value: string }>(
          `SELECT service, operation, sum(traces) AS value FROM ${counts}
           WHERE ${forThisLength} AND period = ${sqlInteger(interval)} GROUP BY service, operation`,
        ),
      ),

    writeProbabilities: (interval, writer, values) =>
      insertRows(
        probabilities,
        ['interval_ms', 'period', 'written_ns', 'writer', 'service', 'operation', 'probability'],
        rowsOf(
          values,
          `${sqlInteger(intervalMs)}, ${sqlInteger(interval)}, ${sqlInteger(BigInt(Date.now()) * 1_000_000n)}, ${sqlString(writer)}`,
        ),
      ),

    readProbabilities: async () => {
      // The latest interval computed, and in it the set written first.
      const [first] = await http.query<{ period: string; written_ns: string; writer: string }>(
        `SELECT period, written_ns, writer FROM ${probabilities} WHERE ${forThisLength}
         ORDER BY period DESC, written_ns, writer LIMIT 1`,
      );
      if (first === undefined) return undefined;
      const rows = await http.query<{ service: string; operation: string; value: number }>(
        `SELECT service, operation, probability AS value FROM ${probabilities}
         WHERE ${forThisLength} AND period = ${sqlInteger(BigInt(first.period))}
           AND written_ns = ${sqlInteger(BigInt(first.written_ns))} AND writer = ${sqlString(first.writer)}`,
      );
      return { interval: Number(first.period), probabilities: valuesOf(rows) };
    },

    dropOldDays: async (nowMs = Date.now()) => {
      const keepFrom = Math.floor(nowMs / 86_400_000) - 2;
      for (const table of [COUNTS, PROBABILITIES]) {
        const parts = await http.query<{ partition: string }>(
          `SELECT DISTINCT partition FROM system.parts WHERE active AND database = ${sqlString(config.database)}
           AND table = ${sqlString(config.cluster === undefined ? table : `${table}_local`)}`,
        );
        for (const { partition } of parts) {
          const dayNumber = Math.floor(Date.parse(`${partition.replace(/^'|'$/g, '')}T00:00:00Z`) / 86_400_000);
          if (Number.isFinite(dayNumber) && dayNumber < keepFrom) {
            await ddl.run(
              `ALTER TABLE ${localTable(target, table)} ON_CLUSTER DROP PARTITION ${sqlString(partition.replace(/^'|'$/g, ''))}`,
            );
          }
        }
      }
    },
  };
}
