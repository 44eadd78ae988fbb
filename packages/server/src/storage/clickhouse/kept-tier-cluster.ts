import { AriadneError } from '@ariadne/protocol';
import type { ClickHouseHttp } from './clickhouse-http.js';
import { DAY_NANOS, dayStartNanos } from './kept-tier-copy.js';
import { dayOfPartition } from './kept-tier-weeks.js';
import { sqlString } from './sql-literal.js';

/**
 * The kept tier in cluster mode. A trace lives whole on one shard (spans are
 * sharded by trace id), so each shard copies what it keeps of a day on its
 * own local tables (`INSERT … SELECT` on the node, no span through another
 * node); the policy's cluster-wide input, the p99 per operation, is read
 * through the Distributed tables (kept-tier-copy.ts). `kept_days` says which
 * shards copied a day. A day leaves the full tier (on every shard, `ON
 * CLUSTER` like any expired day) only once every shard copied it and the
 * days before; until then reads take it from the full tables, so RED and
 * dependencies never miss or double a shard's spans.
 *
 * Who runs a shard's pass: every Ariadne process with `--retention-kept`
 * tries, at open and hourly, as every process with `--retention` drops
 * expired days, for the shard of the node it is connected to, and only on
 * that shard's first replica as `remote_servers` lists it: the mutations,
 * merges and partition drops of replicated tables reach the shard's other
 * replicas through ZooKeeper (a replica down meanwhile catches up when it
 * returns), so each shard gets them once. Processes connected to one node
 * take turns by a lease (kept-tier-lease.ts). A shard that no process
 * connects to (through its first replica) copies nothing, and its days
 * stay in the full tier everywhere, so connect at least one process to
 * each shard's first replica, as a cluster without distributed DDL needs
 * one process per shard already (README.md).
 */

/** The connected node's place in the cluster (`is_local` in system.clusters). */
export async function connectedNode(
  http: ClickHouseHttp,
  cluster: string,
): Promise<{ shard: number; replica: number }> {
  const [row] = await http.query<{ shard: number; replica: number }>(
    `SELECT shard_num AS shard, replica_num AS replica FROM system.clusters
     WHERE cluster = ${sqlString(cluster)} AND is_local ORDER BY shard, replica LIMIT 1`,
  );
  if (row === undefined) {
    throw new AriadneError(
      'StorageFailure',
      `the kept retention tier runs per shard, and the connected ClickHouse node is not in cluster ${cluster} (system.clusters has no is_local row)`,
    );
  }
  return { shard: Number(row.shard), replica: Number(row.replica) };
}

/**
 * The first of the comma-separated `urls` that answers, with a client of its
 * own (no moving on to another node) and its place in the cluster.
 */
export async function firstAnsweringNode(
  urls: string,
  clientOf: (url: string) => ClickHouseHttp,
  cluster: string,
): Promise<{ http: ClickHouseHttp; shard: number; replica: number }> {
  let failure: unknown = new AriadneError('StorageFailure', 'no ClickHouse URL given');
  for (const url of urls.split(',').map((part) => part.trim())) {
    if (url === '') continue;
    const http = clientOf(url);
    try {
      return { http, ...(await connectedNode(http, cluster)) };
    } catch (error) {
      failure = error;
    }
  }
  throw failure;
}

export async function shardCount(http: ClickHouseHttp, cluster: string): Promise<number> {
  const [row] = await http.query<{ n: string }>(
    `SELECT uniqExact(shard_num) AS n FROM system.clusters WHERE cluster = ${sqlString(cluster)}`,
  );
  return Number(row?.n ?? 0);
}

/** The days the full tier holds on any shard (from the Distributed `operations`, a row per operation and day), oldest first. */
export async function clusterDays(http: ClickHouseHttp, operations: string): Promise<string[]> {
  const rows = await http.query<{ day: string }>(`SELECT DISTINCT toString(day) AS day FROM ${operations}`);
  return rows
    .map((row) => dayOfPartition(row.day))
    .filter((day): day is string => day !== undefined)
    .sort();
}

/** How many shards copied a day (the Distributed `kept_days`). */
export async function shardsThatCopied(http: ClickHouseHttp, keptDays: string, day: string): Promise<number> {
  const [row] = await http.query<{ n: string }>(
    `SELECT uniqExact(shard) AS n FROM ${keptDays} WHERE day = toDate(${sqlString(day)})`,
  );
  return Number(row?.n ?? 0);
}

/** Start of the day after the last one every shard copied (0 when none): where reads of the full tier begin. */
export async function dayAfterEveryShardCopied(
  http: ClickHouseHttp,
  keptDays: string,
  shards: number,
): Promise<bigint> {
  const [row] = await http.query<{ day: string }>(
    `SELECT toString(day) AS day FROM ${keptDays} GROUP BY day HAVING uniqExact(shard) >= ${shards}
     ORDER BY day DESC LIMIT 1`,
  );
  return row === undefined ? 0n : dayStartNanos(row.day) + DAY_NANOS;
}
