import assert from 'node:assert/strict';
import { test } from 'node:test';
import { retentionWorkload, traceIdOf } from '../embedded/retention-test-traces.js';
import { ClickHouseHttp } from './clickhouse-http.js';
import { openClickHouseKeptStore } from './clickhouse-kept-store.js';
import { copyDay, KeptTierCounts } from './kept-tier-copy.js';
import { keptSpanColumns } from './kept-tier-schema.js';
import { SCENARIO_POLICY, scenarioOptions } from './testing/kept-store-scenarios.js';
import { replicatedClusterForTests } from './testing/outage-scenario.js';
import { waitFor } from './testing/replicated-test-cluster.js';

// The kept tier on two shards of two replicas with ZooKeeper: each shard's pass runs on its
// first replica (a store connected to each), its writes, mutations and partition drops reach
// the second replica through ZooKeeper. A copy left twice over by an interrupted pass is
// redone once, and a replica stopped during the pass holds the kept tier once it returns.
const cluster = replicatedClusterForTests('ariadne_kept_replicated');
const HOUR = 3_600_000_000_000n;
const DAY = 24n * HOUR;
const T0 = 1_767_225_600_000_000_000n;
const started = Date.now();

test('replicated: a redone copy keeps nothing twice, and a replica stopped during the pass catches up', async () => {
  const database = 'ariadne_kept_replicated';
  const policy = { ...SCENARIO_POLICY, exemplarsPerMinute: 0, slow: 'off' as const };
  const clock = { now: T0 + 2n * HOUR };
  const open = (shard: number) =>
    openClickHouseKeptStore({
      url: cluster().node(shard, 1).url,
      database,
      cluster: cluster().name,
      ...scenarioOptions(clock, policy),
    });
  const first = await open(1);
  const second = await open(2);
  const traces = retentionWorkload(T0);
  const spans = [...traces.values()].flat();
  await first.writeSpans(spans);
  clock.now = T0 + DAY + 2n * HOUR;

  // An interrupted pass: each shard's copy made twice over, its day not recorded.
  for (const shard of [1, 2]) {
    const http = new ClickHouseHttp({ url: cluster().node(shard, 1).url });
    const context = {
      http,
      database,
      policy,
      spanColumns: await keptSpanColumns(http, database),
      localSuffix: '_local',
      shard,
    };
    await copyDay(context, '2026-01-01', new KeptTierCounts());
    await copyDay(context, '2026-01-01', new KeptTierCounts());
    await http.command(`ALTER TABLE ${database}.kept_days_local DELETE WHERE day = toDate('2026-01-01')`);
    await waitFor('the day unrecorded', async () => {
      const [row] = await http.query<{ n: string }>(`SELECT count() AS n FROM ${database}.kept_days_local`);
      return row?.n === '0';
    });
  }
  // Shard 1's second replica is down while the passes redo the day. Dropping the full day is DDL
  // ON CLUSTER, which waits for it: it comes back once both shards have recorded the day.
  const stopped = cluster().node(1, 2);
  await stopped.stop();
  const passes = Promise.all([first.applyRetention(), second.applyRetention()]);
  const anyNode = new ClickHouseHttp({ url: cluster().node(2, 2).url });
  await waitFor('both shards to record the day', async () => {
    const [row] = await anyNode.query<{ n: string }>(`SELECT count() AS n FROM ${database}.kept_days`);
    return row?.n === '2';
  });
  await stopped.start();
  const dropped = new Set((await passes).flat());
  // Without distributed-DDL waits: a shard that copied first found the other not done yet.
  for (const day of await first.applyRetention()) dropped.add(day);
  for (const day of await second.applyRetention()) dropped.add(day);
  assert.deepEqual([...dropped], ['2026-01-01']);

  // Every replica set (one replica of each shard) holds the kept tier once: the error, TraceQL and
  // attribute traces, two spans each; and RED cells counting every span once.
  for (const node of cluster().nodes) {
    for (const table of ['spans_kept_local', 'kept_traces_local', 'red_seconds_local', 'kept_days_local']) {
      await cluster().sql(node, `SYSTEM SYNC REPLICA ${database}.${table}`);
    }
  }
  for (const replica of [1, 2]) {
    let keptSpans = 0;
    let distinctSpans = 0;
    let calls = 0;
    let full = 0;
    for (const shard of [1, 2]) {
      const node = cluster().node(shard, replica);
      const [kept, distinct] = (
        await cluster().sql(
          node,
          `SELECT count(), uniqExact(trace_hi, trace_lo, span_id) FROM ${database}.spans_kept_local`,
        )
      ).split('\t');
      keptSpans += Number(kept);
      distinctSpans += Number(distinct);
      calls += Number(await cluster().sql(node, `SELECT sum(calls) FROM ${database}.red_seconds_local`));
      full += Number(await cluster().sql(node, `SELECT count() FROM ${database}.spans_local`));
    }
    assert.equal(keptSpans, 6, `replica set ${replica}: three kept traces of two spans`);
    assert.equal(distinctSpans, 6, `replica set ${replica}: no span kept twice`);
    assert.equal(calls, spans.length, `replica set ${replica}: every span counted once in RED`);
    assert.equal(full, 0, `replica set ${replica}: the day dropped from the full tier`);
  }

  // Read through the replica that was down: the kept traces, whole, with their policy.
  const reader = await openClickHouseKeptStore({
    url: stopped.url,
    database,
    cluster: cluster().name,
    ...scenarioOptions(clock, policy),
  });
  for (const [n, keptBy] of [
    [1001, 'error'],
    [1002, 'traceql'],
    [1003, 'attribute'],
  ] as const) {
    assert.equal((await reader.getTrace(traceIdOf(n))).length, 2, `trace ${n} whole`);
    assert.deepEqual(await reader.traceRetention(traceIdOf(n)), { tier: 'kept', keptBy });
  }

  // The week (Monday 2025-12-29 to Sunday 2026-01-04) finished: each shard merges it into one part, on
  // both replicas; past --retention-kept it goes from both.
  const everyNode = async (sql: string) => Promise.all(cluster().nodes.map((node) => cluster().sql(node, sql)));
  const syncKept = () => everyNode(`SYSTEM SYNC REPLICA ${database}.spans_kept_local`);
  clock.now = T0 + 4n * DAY + 2n * HOUR;
  for (const store of [first, second]) await store.applyRetention();
  await syncKept();
  const parts = await everyNode(
    `SELECT count() FROM system.parts WHERE active AND database = '${database}' AND table = 'spans_kept_local'`,
  );
  // Three before (the redo's mutations and its insert; measured), one after, on every node.
  assert.deepEqual(parts, ['1', '1', '1', '1'], "one part of the week's kept spans on every node");
  clock.now = T0 + 40n * DAY;
  for (const store of [first, second]) await store.applyRetention();
  await syncKept();
  assert.deepEqual(await everyNode(`SELECT count() FROM ${database}.spans_kept_local`), ['0', '0', '0', '0']);
  for (const store of [first, second, reader]) await store.close();
  console.log(`kept tier on a replicated cluster: ${((Date.now() - started) / 1000).toFixed(1)} s wall`);
});
