import assert from 'node:assert/strict';
import { test } from 'node:test';
import { openClickHouseStore } from './clickhouse-store.js';
import {
  FULL_CLUSTER_TESTS,
  replicatedClusterForTests,
  runOutageScenario,
  searchFindsTraces,
} from './testing/outage-scenario.js';
import { ingestBatch } from './testing/sustained-ingest.js';

// A replica SIGKILLed in the middle of sustained ingest (issue 15): every batch the store
// acknowledged is held, once, by both replicas of its shard after the replica returns, and
// searches through another node keep answering while it is down. The writer's node holds
// shard 1; shard 2's rows cross to shard 2's first replica (the store reads and writes the
// first live replica, load_balancing = in_order), so killing it cuts inserts in flight and
// moves both inserts and reads to the second.
const cluster = replicatedClusterForTests('ariadne_replica_failure');

test('SIGKILL of a replica mid-ingest loses no acknowledged span, and searches keep answering', async () => {
  const victim = cluster().node(2, 1);
  await runOutageScenario(cluster(), {
    name: 'replica killed',
    database: 'ariadne_replica_failure',
    outageMs: FULL_CLUSTER_TESTS ? 30_000 : 8_000,
    fail: () => victim.kill(),
    recover: () => victim.start(),
    during: (reader) => searchFindsTraces(reader, 'payments'),
  });
});

// The node both stores talk to dies: each moves to the next node it was given
// (--clickhouse-url a,b), and its retries resend identical inserts there.
test('SIGKILL of the node the stores talk to: they move to their next node and lose nothing', async () => {
  const victim = cluster().node(1, 1);
  await runOutageScenario(cluster(), {
    name: 'entry node killed',
    database: 'ariadne_entry_failure',
    outageMs: FULL_CLUSTER_TESTS ? 30_000 : 8_000,
    writerNodes: [victim, cluster().node(1, 2)],
    readerNodes: [victim, cluster().node(2, 1)],
    fail: () => victim.kill(),
    recover: () => victim.start(),
    during: (reader) => searchFindsTraces(reader, 'shipping'),
  });
});

// A collector or query node restarting during a node's outage: opening an existing schema
// sends no ON CLUSTER DDL, which would wait for the dead node (180 s on 18.16, then fail).
test('a store opens, writes and reads while a replica is down', async () => {
  const database = 'ariadne_open_during_outage';
  const open = () => openClickHouseStore({ url: cluster().node(1, 1).url, database, cluster: cluster().name });
  await (await open()).close();
  const victim = cluster().node(2, 1);
  await victim.kill();
  try {
    const started = Date.now();
    const store = await open();
    try {
      await store.writeSpans(ingestBatch('reopened', 0, 40));
      assert.equal((await store.getTrace(`${'0'.repeat(15)}1${'0'.repeat(15)}1`)).length, 4);
    } finally {
      await store.close();
    }
    console.log(`store reopened with a replica down in ${Date.now() - started} ms`);
  } finally {
    await victim.start();
  }
});
