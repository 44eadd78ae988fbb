import { after, before } from 'node:test';
import { runResentSpansSuite } from '../conformance/resent-spans-suite.js';
import { runStoreSuite } from '../conformance/store-suite.js';
import type { SpanStore } from '../span-store.js';
import { openClickHouseStore } from './clickhouse-store.js';
import { type ClickHouseTestCluster, startClickHouseCluster } from './testing/clickhouse-test-server.js';

// The conformance suite on a two-shard cluster: local tables on each shard,
// Distributed tables in front. The suite writes and first reads through a
// store connected to shard 0; its "restart" reconnects to shard 1, so every
// read after it sees shard 0's writes from the other node.
const CLUSTER = 'ariadne_conformance_cluster';
const DATABASE = 'ariadne_cluster_suite';

let cluster: ClickHouseTestCluster;
before(async () => {
  cluster = await startClickHouseCluster({ name: CLUSTER, shards: 2 });
});
after(async () => {
  await cluster?.stop();
});

const openOn = (shard: number, database = DATABASE) =>
  openClickHouseStore({ url: cluster.shards[shard]!.url, database, cluster: CLUSTER });

runStoreSuite({
  name: 'clickhouse (two shards)',
  open: async () => {
    // Each store migrates the shard it connects to; shard 1's local tables must
    // exist before writes through shard 0 are distributed to it.
    await (await openOn(1)).close();
    return openOn(0);
  },
  reopen: async (store: SpanStore) => {
    await store.close();
    return openOn(1);
  },
});

// The same on the cluster: copies of a span are read once through the Distributed table.
const RESENT_DATABASE = 'ariadne_cluster_resent';
runResentSpansSuite({
  name: 'clickhouse (two shards)',
  open: async () => {
    await (await openOn(1, RESENT_DATABASE)).close();
    return openOn(0, RESENT_DATABASE);
  },
  reopen: async (store: SpanStore) => {
    await store.close();
    return openOn(1, RESENT_DATABASE);
  },
  aggregatesCountCopies: 'ClickHouse counts every stored copy in RED and dependencies (see clickhouse-store.test.ts)',
});
