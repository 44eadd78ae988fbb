import type { ReplicatedTestCluster } from './replicated-test-cluster.js';
import type { IngestBooks } from './sustained-ingest.js';

export interface ReplicaAudit {
  /** Per replica number: acknowledged spans that this replica set (one replica of every shard) lacks. */
  readonly missing: Record<number, number>;
  /** Per replica number: rows stored more than once for one span id. */
  readonly duplicated: Record<number, number>;
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
  let acknowledgedSpans = 0;
  for (const count of books.acknowledged.values()) acknowledgedSpans += count;
  for (const replica of replicas) {
    const held = new Map<string, number>();
    let duplicates = 0;
    for (const node of cluster.nodes.filter((candidate) => candidate.replica === replica)) {
      const rows = await cluster.sql(
        node,
        `SELECT name, uniqExact(span_id), count() FROM ${database}.${table} GROUP BY name FORMAT TSV`,
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
  return { missing, duplicated, acknowledgedSpans };
}
