import type { ReplicaNode, ReplicatedTestCluster } from './replicated-test-cluster.js';
import type { IngestBooks } from './sustained-ingest.js';

export interface ReplicaAudit {
  /** Per replica number: acknowledged spans that this replica set (one replica of every shard) lacks. */
  readonly missing: Record<number, number>;
  /** Per replica number: rows stored more than once for one span id. */
  readonly duplicated: Record<number, number>;
  /**
   * Per replica number: active parts that ZooKeeper never recorded, left
   * uncounted (see `unrecordedParts`).
   */
  readonly unrecorded: Record<number, string[]>;
  readonly acknowledgedSpans: number;
}

/**
 * Checks, after replication caught up (`SYSTEM SYNC REPLICA` on every node),
 * that each replica set holds every acknowledged span once: for replica r,
 * the local tables of (shard 1, r), (shard 2, r)... together. So losing any
 * single node afterwards would still lose nothing.
 */
export async function auditReplicas(
  cluster: ReplicatedTestCluster,
  database: string,
  books: IngestBooks,
  table = 'spans_local',
): Promise<ReplicaAudit> {
  for (const node of cluster.nodes) await cluster.sql(node, `SYSTEM SYNC REPLICA ${database}.${table}`);
  const replicas = [...new Set(cluster.nodes.map((node) => node.replica))];
  const missing: Record<number, number> = {};
  const duplicated: Record<number, number> = {};
  const unrecorded: Record<number, string[]> = {};
  let acknowledgedSpans = 0;
  for (const count of books.acknowledged.values()) acknowledgedSpans += count;
  for (const replica of replicas) {
    const held = new Map<string, number>();
    let duplicates = 0;
    unrecorded[replica] = [];
    for (const node of cluster.nodes.filter((candidate) => candidate.replica === replica)) {
      const skipped = await unrecordedParts(cluster, node, database, table);
      unrecorded[replica]!.push(...skipped);
      const rows = await cluster.sql(
        node,
        `SELECT name, uniqExact(span_id), count() FROM ${database}.${table}
         ${skipped.length === 0 ? '' : `WHERE _part NOT IN (${skipped.map((part) => `'${part}'`).join(', ')})`}
         GROUP BY name FORMAT TSV`,
      );
      for (const line of rows.split('\n').filter(Boolean)) {
        const [name = '', unique = '0', count = '0'] = line.split('\t');
        held.set(name, (held.get(name) ?? 0) + Number(unique));
        duplicates += Number(count) - Number(unique);
      }
    }
    let lacking = 0;
    for (const [name, spans] of books.acknowledged) lacking += Math.max(0, spans - (held.get(name) ?? 0));
    missing[replica] = lacking;
    duplicated[replica] = duplicates;
  }
  return { missing, duplicated, unrecorded, acknowledgedSpans };
}

/**
 * A node's active parts that ZooKeeper has no record of. An insert whose
 * commit ZooKeeper's loss cut (UNKNOWN_STATUS_OF_INSERT) leaves its part on
 * the node's disk, visible, though no other replica will ever fetch it; the
 * node's part check detaches it minutes later. The insert, sent again
 * (`retried-insert.ts`), wrote the spans in a recorded part. What stays is the
 * recorded copy, so that is what the audit counts. (Listed from ZooKeeper
 * before and after the node's parts, so that a merge in between does not make
 * a recorded part look unrecorded.)
 */
async function unrecordedParts(
  cluster: ReplicatedTestCluster,
  node: ReplicaNode,
  database: string,
  table: string,
): Promise<string[]> {
  const replicaPath = await cluster.sql(
    node,
    `SELECT replica_path FROM system.replicas WHERE database = '${database}' AND table = '${table}'`,
  );
  const recorded = async () =>
    (await cluster.sql(node, `SELECT name FROM system.zookeeper WHERE path = '${replicaPath}/parts'`))
      .split('\n')
      .filter(Boolean);
  const before = await recorded();
  const active = (
    await cluster.sql(
      node,
      `SELECT name FROM system.parts WHERE database = '${database}' AND table = '${table}' AND active`,
    )
  )
    .split('\n')
    .filter(Boolean);
  const known = new Set([...before, ...(await recorded())]);
  return active.filter((part) => !known.has(part));
}
