import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { runResentSpansSuite } from '../conformance/resent-spans-suite.js';
import { runStoreSuite } from '../conformance/store-suite.js';
import type { SpanStore } from '../span-store.js';
import { ClickHouseHttp } from './clickhouse-http.js';
import { openClickHouseStore } from './clickhouse-store.js';
import { SPAN_ROW_COLUMNS, SpanRowEncoder } from './span-row.js';
import { type ReplicatedTestCluster, startReplicatedCluster } from './testing/replicated-test-cluster.js';
import { ingestBatch } from './testing/sustained-ingest.js';

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

// What makes the store's retries harmless: the identical insert sent again, the way the store
// sends it (synchronous, through the Distributed table), through other nodes so that each
// shard's block lands on another replica, is stored once.
test('an insert sent again through other replicas is stored once (replicated deduplication)', async () => {
  const database = 'ariadne_replicated_dedupe';
  await (await openOn(1, 1, database)).close();
  const body = new SpanRowEncoder().encode(ingestBatch('resent', 0, 400));
  for (const node of [cluster.node(1, 1), cluster.node(1, 2), cluster.node(2, 2), cluster.node(2, 1)]) {
    await new ClickHouseHttp({ url: node.url }).insert(`${database}.spans`, SPAN_ROW_COLUMNS, body, {
      insert_distributed_sync: 1,
    });
  }
  // The views' tables too: a deduplicated block feeds them no second time (100 traces of 4 spans).
  for (const [table, expected] of [
    ['spans_local', 400],
    ['trace_index_local', 100],
  ] as const) {
    for (const node of cluster.nodes) await cluster.sql(node, `SYSTEM SYNC REPLICA ${database}.${table}`);
    for (const replica of [1, 2]) {
      let rows = 0;
      for (const shard of [1, 2]) {
        rows += Number(await cluster.sql(cluster.node(shard, replica), `SELECT count() FROM ${database}.${table}`));
      }
      assert.equal(rows, expected, `${table} on replica set ${replica}`);
    }
  }
});

test('--clickhouse-insert-quorum 2: an acknowledged write is on both replicas of its shard at once', async () => {
  const database = 'ariadne_replicated_quorum';
  const store = await openClickHouseStore({ url: cluster.node(1, 1).url, database, cluster: CLUSTER, insertQuorum: 2 });
  try {
    await store.writeSpans(ingestBatch('quorum', 0, 400));
    // No SYSTEM SYNC REPLICA: the quorum is what put the rows on the second replica.
    for (const replica of [1, 2]) {
      let rows = 0;
      for (const shard of [1, 2]) {
        rows += Number(await cluster.sql(cluster.node(shard, replica), `SELECT count() FROM ${database}.spans_local`));
      }
      assert.equal(rows, 400, `replica set ${replica}`);
    }
  } finally {
    await store.close();
  }
  // The setting reaches the replicas: a quorum larger than the shard refuses the write.
  const tooMany = await openClickHouseStore({
    url: cluster.node(1, 1).url,
    database,
    cluster: CLUSTER,
    insertQuorum: 3,
  });
  try {
    await assert.rejects(tooMany.writeSpans(ingestBatch('quorum', 1, 40)), /quorum/i);
  } finally {
    await tooMany.close();
  }
});

test('retention drops expired days on every replica', async () => {
  const database = 'ariadne_replicated_retention';
  const now = BigInt(Date.UTC(2030, 0, 10, 12)) * 1_000_000n;
  const day = 86_400_000_000_000n;
  const spans = ingestBatch('retention', 0, 200).map((span, index) => {
    const start = index % 2 === 0 ? now - 5n * day : now - day / 2n;
    return { ...span, startTimeUnixNano: start, endTimeUnixNano: start + 1_000n };
  });
  const store = await openClickHouseStore({
    url: cluster.node(1, 1).url,
    database,
    cluster: CLUSTER,
    retentionNanos: 2n * day,
  });
  try {
    await store.writeSpans(spans);
    assert.deepEqual(await store.applyRetention(now), ['2030-01-05']);
    for (const node of cluster.nodes) {
      await cluster.sql(node, `SYSTEM SYNC REPLICA ${database}.spans_local`);
      assert.equal(
        await cluster.sql(
          node,
          `SELECT groupUniqArray(toString(${'toDate(toUInt16(intDiv(start_ns, 86400000000000)))'})) FROM ${database}.spans_local`,
        ),
        `['2030-01-10']`,
        `shard ${node.shard} replica ${node.replica}`,
      );
    }
  } finally {
    await store.close();
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
