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
// shard 1; shard 2's rows cross to a random replica of shard 2 (load_balancing = random), so
// killing one of those cuts inserts in flight.
const cluster = replicatedClusterForTests('ariadne_replica_failure');

test('SIGKILL of a replica mid-ingest loses no acknowledged span, and searches keep answering', async () => {
  const victim = cluster().node(2, 2);
  await runOutageScenario(cluster(), {
    name: 'replica killed',
    database: 'ariadne_replica_failure',
    outageMs: FULL_CLUSTER_TESTS ? 30_000 : 8_000,
    fail: () => victim.kill(),
    recover: () => victim.start(),
    during: (reader) => searchFindsTraces(reader, 'payments'),
  });
});
