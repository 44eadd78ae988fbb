import { sqlString } from './sql-literal.js';

/**
 * The replicated form of a MergeTree-family engine clause, with the table's
 * ZooKeeper path built from the `{shard}` macro and the replica named by the
 * `{replica}` macro of each node:
 *
 *   MergeTree PARTITION BY day ORDER BY x
 *     -> ReplicatedMergeTree('/clickhouse/tables/{shard}/db/t', '{replica}') PARTITION BY day ORDER BY x
 *   SummingMergeTree(spans) ... -> ReplicatedSummingMergeTree('…', '{replica}', spans) ...
 *
 * The rest of the clause (partition, order, settings) is kept as written, so
 * the schema's own clauses and a live table's `engine_full` both convert. A
 * clause already replicated, or not of the MergeTree family, is an error: the
 * caller meant to convert something else.
 */
export function replicatedEngine(clause: string, zooKeeperPath: string): string {
  const match = /^\s*(\w*MergeTree)(?:\s*\(([^)]*)\))?([\s\S]*)$/.exec(clause);
  if (match === null || match[1]!.startsWith('Replicated')) {
    throw new Error(`not an unreplicated MergeTree engine clause: ${clause}`);
  }
  const [, engine, args, rest] = match;
  const parameters = [sqlString(zooKeeperPath), `'{replica}'`];
  if (args !== undefined && args.trim() !== '') parameters.push(args.trim());
  return `Replicated${engine}(${parameters.join(', ')})${rest}`;
}

/** Where a local table's replicas meet in ZooKeeper: one path per shard, database and table. */
export function zooKeeperPath(database: string, table: string): string {
  return `/clickhouse/tables/{shard}/${database}/${table}`;
}
