import { test } from 'node:test';
import {
  FULL_CLUSTER_TESTS,
  replicatedClusterForTests,
  runOutageScenario,
  searchFindsTraces,
} from './testing/outage-scenario.js';

// Outages bigger than one replica, at the store: ZooKeeper stopped, then every ClickHouse node
// SIGKILLed, each in the middle of sustained ingest. Without a spool the store cannot
// acknowledge while they last (its writes fail after their retries; the collector's spool is
// what keeps acknowledging, issue 15), so what is checked here is the store's half: no
// acknowledged span is lost or doubled on either replica set, and writes resume afterwards.
// CI stops them 10 s; npm run test:cluster for the 30 s and 60 s.
const cluster = replicatedClusterForTests('ariadne_outages');

test('ZooKeeper stopped mid-ingest: no acknowledged span lost, searches answer meanwhile', async () => {
  await runOutageScenario(cluster(), {
    name: 'zookeeper outage',
    database: 'ariadne_zookeeper_outage',
    outageMs: FULL_CLUSTER_TESTS ? 30_000 : 10_000,
    fail: () => cluster().zookeeper.kill(),
    recover: () => cluster().zookeeper.start(),
    during: (reader) => searchFindsTraces(reader, 'cart'),
  });
});

test('every ClickHouse node SIGKILLed mid-ingest: no acknowledged span lost', async () => {
  await runOutageScenario(cluster(), {
    name: 'all ClickHouse down',
    database: 'ariadne_all_down',
    outageMs: FULL_CLUSTER_TESTS ? 60_000 : 10_000,
    fail: () => cluster().killAll(),
    recover: () => cluster().startAll(),
  });
});
