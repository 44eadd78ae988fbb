// Roles over a two-shard ClickHouse cluster (no ZooKeeper: each process
// creates the schema on the node it is connected to): a collector on each
// shard and a query node on the first. Spans sent to either collector are
// found through the query node, and both collectors answer one adaptive
// sampling strategy, through the Distributed sampling tables.
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import {
  type ClickHouseTestCluster,
  startClickHouseCluster,
} from '../packages/server/src/storage/clickhouse/testing/clickhouse-test-server.js';
import { type AriadneProcess, startAriadneProcess } from './support/role-process.js';
import {
  getJson,
  origin,
  randomTraceId,
  roleTestFlags,
  sendTrace,
  spanIdsOf,
  waitForOneSamplingAnswer,
} from './support/role-traffic.js';
import { makeTempDir, removeTempDir } from './support/test-server.js';

const CLUSTER = 'ariadne_roles_cluster';

let cluster: ClickHouseTestCluster;
let dir: string;
const started: AriadneProcess[] = [];

before(async () => {
  cluster = await startClickHouseCluster({ name: CLUSTER, shards: 2 });
  dir = makeTempDir('ariadne-roles-cluster-');
  // Each process its own data folder: a collector's spool is its own.
  let node = 0;
  const args = (url: string) => [
    '--data-dir',
    join(dir, `node-${node++}`),
    '--storage',
    'clickhouse',
    '--clickhouse-url',
    url,
    '--clickhouse-cluster',
    CLUSTER,
    ...roleTestFlags({ udp: true }),
  ];
  const first = cluster.shards[0]!;
  const second = cluster.shards[1]!;
  // One after the other: each creates the schema on its node.
  started.push(await startAriadneProcess(['collector', ...args(first.url)]));
  started.push(await startAriadneProcess(['collector', ...args(second.url)]));
  started.push(await startAriadneProcess(['query', ...args(first.url)]));
});

after(async () => {
  const codes = await Promise.all(started.map((process) => process.stop()));
  await cluster?.stop();
  if (dir) removeTempDir(dir);
  assert.deepEqual(
    codes,
    started.map(() => 0),
    'every process exits cleanly on SIGTERM',
  );
});

test('spans sent to collectors on two shards are found through one query node; sampling agrees', async () => {
  const [a, b, queryNode] = started as [AriadneProcess, AriadneProcess, AriadneProcess];
  const traces = [randomTraceId(), randomTraceId(), randomTraceId(), randomTraceId()];
  for (const [i, traceId] of traces.entries()) {
    await sendTrace(i % 2 === 0 ? a : b, traceId, i % 2 === 0 ? 'checkout-a' : 'checkout-b');
  }
  const ui = origin(queryNode, 'web UI and query API');
  for (const traceId of traces) {
    const body = (await getJson(`${ui}/api/traces/${traceId}`)) as { data: { spans: { spanID: string }[] }[] };
    assert.deepEqual(body.data[0]!.spans.map((span) => span.spanID).sort(), spanIdsOf(traceId).sort());
  }
  const found = (await getJson(`${ui}/api/traces?service=orders&lookback=1h&limit=20`)) as {
    data: { traceID: string }[];
  };
  assert.deepEqual(found.data.map((trace) => trace.traceID).sort(), [...traces].sort());
  const answers = await waitForOneSamplingAnswer([a, b], ['checkout-a', 'checkout-b']);
  assert.deepEqual(answers[0], answers[1]);
});
