import type { ClickHouseHttp } from './clickhouse-http.js';
import { localName, type SchemaTarget } from './clickhouse-schema.js';
import { replicatedEngine, zooKeeperPath } from './replicated-engine.js';
import { sqlIdentifier, sqlString } from './sql-literal.js';

/**
 * Replication in cluster mode. A cluster whose shards list more than one
 * replica in `remote_servers` (system.clusters) gets Replicated*MergeTree local
 * tables (clickhouse-schema.ts, `localEngine`); a Distributed insert with
 * `internal_replication` writes one replica per shard and ZooKeeper carries the
 * parts to the others.
 */
export async function clusterHasReplicas(http: ClickHouseHttp, cluster: string): Promise<boolean> {
  const [row] = await http.query<{ replicas: number | string }>(
    `SELECT max(replica_num) AS replicas FROM system.clusters WHERE cluster = ${sqlString(cluster)}`,
  );
  return Number(row?.replicas ?? 0) > 1;
}

/**
 * Turns the connected node's unreplicated local tables (a cluster that had
 * one replica per shard and was given more) into replicated ones, keeping
 * their data; resolves to the tables converted. For each table: a replicated
 * copy is created from the live table's own engine clause (`engine_full`, so
 * whatever partitioning, order and settings it has are kept), every partition
 * is attached to it (hard links, no rewrite), and the two are swapped by one
 * RENAME; the old table is then dropped. Materialized views keep feeding the
 * table by its name. The other replicas of the shard fetch the parts through
 * ZooKeeper once their own table exists (the schema creates it `ON CLUSTER`).
 *
 * Runs per node, like the version 1 migration: each node that held data is
 * converted by an Ariadne process opening it. Spans written to this node
 * between the attach and the swap would stay in the old table, so convert
 * with ingest stopped (docs/operating.md).
 */
export async function replicateLocalTables(
  http: ClickHouseHttp,
  target: SchemaTarget,
  tables: readonly string[],
): Promise<string[]> {
  const names = tables.map((table) => localName(target, table));
  const rows = await http.query<{ name: string; engine: string; engine_full: string }>(
    `SELECT name, engine, engine_full FROM system.tables
     WHERE database = ${sqlString(target.database)} AND name IN (${names.map(sqlString).join(', ')})`,
  );
  const converted: string[] = [];
  const db = sqlIdentifier(target.database);
  for (const row of rows) {
    if (row.engine.startsWith('Replicated')) continue;
    const table = `${db}.${sqlIdentifier(row.name)}`;
    const copy = `${db}.${sqlIdentifier(`${row.name}_replicated`)}`;
    const old = `${db}.${sqlIdentifier(`${row.name}_unreplicated`)}`;
    // A run interrupted before the swap left a copy: start it again.
    await http.command(`DROP TABLE IF EXISTS ${copy}`);
    await http.command(
      `CREATE TABLE ${copy} AS ${table} ENGINE = ${replicatedEngine(row.engine_full, zooKeeperPath(target.database, row.name))}`,
    );
    const partitions = await http.query<{ partition: string }>(
      `SELECT DISTINCT partition FROM system.parts
       WHERE database = ${sqlString(target.database)} AND table = ${sqlString(row.name)} AND active`,
    );
    for (const { partition } of partitions) {
      await http.command(`ALTER TABLE ${copy} ATTACH PARTITION ${partitionLiteral(partition)} FROM ${table}`);
    }
    await http.command(`RENAME TABLE ${table} TO ${old}, ${copy} TO ${table}`);
    await http.command(`DROP TABLE ${old}`);
    converted.push(row.name);
  }
  return converted;
}

/** system.parts shows a Date partition as 2030-01-10 and a tuple as (…): as an expression. */
function partitionLiteral(partition: string): string {
  return partition.startsWith('(') || /^-?\d+$/.test(partition) ? partition : sqlString(partition);
}
