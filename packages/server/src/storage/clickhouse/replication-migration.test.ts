import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { openClickHouseStore } from './clickhouse-store.js';
import { auditReplicas } from './testing/replica-books.js';
import { type ReplicatedTestCluster, startReplicatedCluster } from './testing/replicated-test-cluster.js';
import { startSustainedIngest } from './testing/sustained-ingest.js';

// An unreplicated cluster (one replica per shard in remote_servers) given a second replica
// per shard: opening the store against each old node converts its local tables to
// Replicated*MergeTree in place, and the new replicas receive every span written before.
const CLUSTER = 'ariadne_migration';
const DATABASE = 'ariadne_migration';
const LOCAL_TABLES = ['spans_local', 'trace_index_local', 'operations_local'];

let cluster: ReplicatedTestCluster;
before(async () => {
  cluster = await startReplicatedCluster({ name: CLUSTER, listedReplicas: 1 });
});
after(async () => {
  await cluster?.stop();
});

const open = (shard: number, replica: number) =>
  openClickHouseStore({ url: cluster.node(shard, replica).url, database: DATABASE, cluster: CLUSTER });

const engines = (shard: number, replica: number) =>
  cluster.sql(
    cluster.node(shard, replica),
    `SELECT groupArray(engine) FROM (SELECT engine FROM system.tables WHERE database = '${DATABASE}' AND name LIKE '%_local' ORDER BY name)`,
  );

/** Rows per local table on a node, e.g. `spans_local=800 trace_index_local=200 ...`. */
const rowCounts = async (shard: number, replica: number) => {
  const counts: string[] = [];
  for (const table of LOCAL_TABLES) {
    counts.push(
      `${table}=${await cluster.sql(cluster.node(shard, replica), `SELECT count() FROM ${DATABASE}.${table}`)}`,
    );
  }
  return counts.join(' ');
};

test('an unreplicated cluster schema becomes replicated with its data kept', async () => {
  const started = Date.now();
  const before = await open(1, 1);
  const ingest = startSustainedIngest(before, { prefix: 'before' });
  await ingest.acknowledgedMore(8);
  const written = await ingest.stop();
  await before.close();
  assert.equal(await engines(1, 1), `['SummingMergeTree','MergeTree','MergeTree']`);
  const countsBefore = [await rowCounts(1, 1), await rowCounts(2, 1)];

  await cluster.listReplicas(2);
  // Each old node is converted by a store opening it; the first also creates the new replicas' tables.
  await (await open(1, 1)).close();
  await (await open(2, 1)).close();
  for (const node of cluster.nodes) {
    assert.equal(
      await engines(node.shard, node.replica),
      `['ReplicatedSummingMergeTree','ReplicatedMergeTree','ReplicatedMergeTree']`,
      `engines on shard ${node.shard} replica ${node.replica}`,
    );
  }
  for (const node of cluster.nodes) {
    for (const table of LOCAL_TABLES) await cluster.sql(node, `SYSTEM SYNC REPLICA ${DATABASE}.${table}`);
  }
  // Every old row is kept on the old node and copied to the new replica of its shard.
  assert.deepEqual([await rowCounts(1, 1), await rowCounts(2, 1)], countsBefore);
  assert.deepEqual([await rowCounts(1, 2), await rowCounts(2, 2)], countsBefore);
  const audit = await auditReplicas(cluster, DATABASE, written);
  assert.deepEqual(audit.missing, { 1: 0, 2: 0 });

  // After the conversion the views still feed the replicated tables. The second ingest reuses
  // the first one's trace ids with other span names, so each of these traces has 4 spans from
  // before and 4 from after, read through a new replica (getTrace reads the trace index first).
  const after = await open(2, 2);
  try {
    const more = startSustainedIngest(after, { prefix: 'after' });
    await more.acknowledgedMore(2);
    await more.stop();
    for (const traceId of ['0000000000000001' + '0000000000000001', '0000000000000001' + '0000000000000002']) {
      const spans = await after.getTrace(traceId);
      assert.equal(spans.length, 8, `trace ${traceId}: 4 spans written before and 4 after the conversion`);
    }
  } finally {
    await after.close();
  }
  console.log(
    `replication migration: ${((Date.now() - started) / 1000).toFixed(1)} s wall (${countsBefore.join('; ')})`,
  );
});
