import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { retentionWorkload } from '../embedded/retention-test-traces.js';
import { ClickHouseHttp } from './clickhouse-http.js';
import { type ClickHouseKeptStore, openClickHouseKeptStore } from './clickhouse-kept-store.js';
import { type ClickHouseTestCluster, startClickHouseCluster } from './testing/clickhouse-test-server.js';
import {
  addRetentionStats,
  runKeptStoreScenarios,
  SCENARIO_POLICY,
  scenarioOptions,
} from './testing/kept-store-scenarios.js';

// The kept tier's scenarios on two shards without ZooKeeper: each shard's node is opened by a
// store of its own (as a cluster without distributed DDL needs: one process per shard), which
// copies that shard's days; reads go through the first.
const CLUSTER = 'ariadne_kept_cluster';
const HOUR = 3_600_000_000_000n;
const DAY = 24n * HOUR;
const T0 = 1_767_225_600_000_000_000n;

let cluster: ClickHouseTestCluster;
const started = Date.now();
before(async () => {
  cluster = await startClickHouseCluster({ name: CLUSTER, shards: 2 });
});
after(async () => {
  await cluster?.stop();
  console.log(`kept tier on two shards: ${((Date.now() - started) / 1000).toFixed(1)} s wall`);
});

const openOn = (shard: number, clock: { now: bigint }, database: string, policy = SCENARIO_POLICY) =>
  openClickHouseKeptStore({
    url: cluster.shards[shard]!.url,
    database,
    cluster: CLUSTER,
    ...scenarioOptions(clock, policy),
  });

/**
 * The stores of every shard as one: reads through the first; a retention pass runs every
 * store's, then the first's again (without distributed DDL each drops its own node's days,
 * once every shard copied them).
 */
function everyShard(stores: readonly ClickHouseKeptStore[]): ClickHouseKeptStore {
  const first = stores[0]!;
  const applyRetention = async (nowNanos?: bigint) => {
    const dropped = new Set<string>();
    for (const store of [...stores, first]) for (const day of await store.applyRetention(nowNanos)) dropped.add(day);
    return [...dropped].sort();
  };
  return {
    ...first,
    applyRetention,
    runRetention: async () => {
      await applyRetention();
    },
    retentionStats: async () => addRetentionStats(await Promise.all(stores.map((store) => store.retentionStats()))),
    close: async () => {
      for (const store of stores) await store.close();
    },
  };
}

runKeptStoreScenarios({
  name: 'two shards',
  databasePrefix: 'ariadne_kept_shards',
  shards: 2,
  open: async (clock, database, policy) => {
    // Shard 2's tables first: writes through shard 1 reach them.
    const second = await openOn(1, clock, database, policy);
    return everyShard([await openOn(0, clock, database, policy), second]);
  },
  http: () => new ClickHouseHttp({ url: cluster.shards[0]!.url }),
  shardNodes: () =>
    cluster.shards.map((server, index) => ({
      http: new ClickHouseHttp({ url: server.url }),
      localSuffix: '_local',
      shard: index + 1,
    })),
});

test('two shards: two processes on one shard pass at once, and each day is copied once', async () => {
  const database = 'ariadne_kept_shards_lease';
  const clock = { now: T0 + 2n * HOUR };
  const second = await openOn(1, clock, database);
  const first = await openOn(0, clock, database);
  const other = await openOn(0, clock, database);
  const traces = retentionWorkload(T0);
  await first.writeSpans([...traces.values()].flat());
  clock.now = T0 + DAY + 2n * HOUR;
  await Promise.all([first.applyRetention(), other.applyRetention(), second.applyRetention()]);
  // Then one after another: each node drops the day once it finds both shards copied it.
  for (const store of [first, other, second]) await store.applyRetention();
  const http = new ClickHouseHttp({ url: cluster.shards[0]!.url });
  const [days] = await http.query<{ rows: string }>(`SELECT count() AS rows FROM ${database}.kept_days`);
  assert.equal(days?.rows, '2', 'the day copied once on each shard');
  const [red] = await http.query<{ calls: string }>(`SELECT sum(calls) AS calls FROM ${database}.red_seconds`);
  assert.equal(Number(red?.calls), 2 * traces.size, 'every span counted once');
  const [kept] = await http.query<{ rows: string; distinct: string }>(
    `SELECT count() AS rows, uniqExact(trace_hi, trace_lo, span_id) AS distinct FROM ${database}.spans_kept`,
  );
  assert.equal(kept?.rows, kept?.distinct, 'no span kept twice');
  const [full] = await http.query<{ rows: string }>(`SELECT count() AS rows FROM ${database}.spans`);
  assert.equal(full?.rows, '0', 'the day is dropped from the full tier on both shards');
  for (const store of [first, other, second]) await store.close();
});
