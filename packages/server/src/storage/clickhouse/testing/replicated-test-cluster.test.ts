import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { type ReplicatedTestCluster, startReplicatedCluster, waitFor } from './replicated-test-cluster.js';

// The harness itself: four nodes that agree on ZooKeeper, a replicated table whose
// rows reach the other replica, and a replica killed and restarted on its folder.
let cluster: ReplicatedTestCluster;
before(async () => {
  const started = Date.now();
  cluster = await startReplicatedCluster({ name: 'ariadne_harness' });
  console.log(`replicated cluster up in ${Date.now() - started} ms`);
});
after(async () => {
  await cluster?.stop();
});

test('the nodes form two shards of two replicas that replicate and survive a restart', async () => {
  const [first, second] = [cluster.node(1, 1), cluster.node(1, 2)];
  assert.equal(await cluster.sql(first, `SELECT count() FROM system.clusters WHERE cluster = 'ariadne_harness'`), '4');
  await cluster.sql(
    first,
    `CREATE TABLE default.harness ON CLUSTER ariadne_harness (n UInt64)
     ENGINE = ReplicatedMergeTree('/clickhouse/tables/{shard}/default/harness', '{replica}') ORDER BY n`,
  );
  await cluster.sql(first, 'INSERT INTO default.harness VALUES (1), (2), (3)');
  await waitFor(
    'the rows on the other replica',
    async () => (await cluster.sql(second, 'SELECT count() FROM default.harness')) === '3',
  );
  assert.equal(await cluster.sql(cluster.node(2, 1), 'SELECT count() FROM default.harness'), '0');

  await second.kill();
  assert.equal(second.running, false);
  await cluster.sql(first, 'INSERT INTO default.harness VALUES (4)');
  await second.start();
  await cluster.sql(second, 'SYSTEM SYNC REPLICA default.harness');
  assert.equal(await cluster.sql(second, 'SELECT count() FROM default.harness'), '4');
});
