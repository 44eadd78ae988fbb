import { after, before } from 'node:test';
import { ClickHouseHttp } from './clickhouse-http.js';
import { openClickHouseKeptStore } from './clickhouse-kept-store.js';
import { type ClickHouseTestServer, startClickHouseServer } from './testing/clickhouse-test-server.js';
import { runKeptStoreScenarios, scenarioOptions } from './testing/kept-store-scenarios.js';

// The kept tier on one node; clickhouse-kept-cluster.test.ts runs the same scenarios on two shards.
let server: ClickHouseTestServer;
before(async () => {
  server = await startClickHouseServer();
});
after(async () => {
  await server?.stop();
});

runKeptStoreScenarios({
  name: 'single node',
  databasePrefix: 'ariadne_kept',
  shards: 1,
  open: (clock, database, policy) =>
    openClickHouseKeptStore({ url: server.url, database, ...scenarioOptions(clock, policy) }),
  http: () => new ClickHouseHttp({ url: server.url }),
  shardNodes: () => [{ http: new ClickHouseHttp({ url: server.url }) }],
});
