import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { runResentSpansSuite } from '../conformance/resent-spans-suite.js';
import { runStoreSuite } from '../conformance/store-suite.js';
import type { SpanStore } from '../span-store.js';
import { openClickHouseStore } from './clickhouse-store.js';
import { type ReplicatedTestCluster, startReplicatedCluster } from './testing/replicated-test-cluster.js';

// The conformance suite on two shards of two replicas with ZooKeeper: replicated
// local tables under Distributed ones, DDL sent ON CLUSTER. The suite writes
// through shard 1's first replica; its "restart" reconnects to shard 2's second
// replica, so later reads go through another node.
const CLUSTER = 'ariadne_replicated_suite';
let cluster: ReplicatedTestCluster;
const started = Date.now();
before(async () => {
  cluster = await startReplicatedCluster({ name: CLUSTER });
});
after(async () => {
  await cluster?.stop();
  console.log(`replicated conformance: ${((Date.now() - started) / 1000).toFixed(1)} s wall`);
});

const openOn = (shard: number, replica: number, database: string) =>
  openClickHouseStore({ url: cluster.node(shard, replica).url, database, cluster: CLUSTER });

test('a cluster with replicas gets replicated local tables', async () => {
  await (await openOn(1, 1, 'ariadne_replicated_engines')).close();
  for (const node of cluster.nodes) {
    const engines = await cluster.sql(
      node,
      `SELECT groupArray(engine) FROM (SELECT engine FROM system.tables
       WHERE database = 'ariadne_replicated_engines' AND name LIKE '%_local' ORDER BY name)`,
    );
    assert.equal(engines, `['ReplicatedSummingMergeTree','ReplicatedMergeTree','ReplicatedMergeTree']`);
  }
});

runStoreSuite({
  name: 'clickhouse (two shards of two replicas)',
  open: () => openOn(1, 1, 'ariadne_replicated_suite'),
  reopen: async (store: SpanStore) => {
    await store.close();
    return openOn(2, 2, 'ariadne_replicated_suite');
  },
});

runResentSpansSuite({
  name: 'clickhouse (two shards of two replicas)',
  open: () => openOn(1, 1, 'ariadne_replicated_resent'),
  reopen: async (store: SpanStore) => {
    await store.close();
    return openOn(2, 2, 'ariadne_replicated_resent');
  },
  aggregatesCountCopies: 'ClickHouse counts every stored copy in RED and dependencies (see clickhouse-store.test.ts)',
});
