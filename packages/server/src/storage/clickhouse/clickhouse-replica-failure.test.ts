import { test } from 'node:test';
import {
  FULL_CLUSTER_TESTS,
  replicatedClusterForTests,
  runOutageScenario,
  searchFindsTraces,
} from './testing/outage-scenario.js';

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
