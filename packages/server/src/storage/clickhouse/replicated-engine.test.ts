import assert from 'node:assert/strict';
import { test } from 'node:test';
import { replicatedEngine, zooKeeperPath } from './replicated-engine.js';

const PATH = zooKeeperPath('ariadne', 'spans_local');

test('a MergeTree clause keeps its partition, order and settings', () => {
  assert.equal(
    replicatedEngine(
      'MergeTree PARTITION BY day ORDER BY (trace_hi, trace_lo) SETTINGS index_granularity = 1024',
      PATH,
    ),
    "ReplicatedMergeTree('/clickhouse/tables/{shard}/ariadne/spans_local', '{replica}') PARTITION BY day ORDER BY (trace_hi, trace_lo) SETTINGS index_granularity = 1024",
  );
});

test("an engine's own parameters follow the path and replica", () => {
  assert.equal(
    replicatedEngine('SummingMergeTree(spans) PARTITION BY day ORDER BY (service, name, kind)', PATH),
    "ReplicatedSummingMergeTree('/clickhouse/tables/{shard}/ariadne/spans_local', '{replica}', spans) PARTITION BY day ORDER BY (service, name, kind)",
  );
  assert.equal(
    replicatedEngine('MergeTree() ORDER BY n', PATH),
    "ReplicatedMergeTree('/clickhouse/tables/{shard}/ariadne/spans_local', '{replica}') ORDER BY n",
  );
});

test('what is already replicated, or no MergeTree, is refused', () => {
  assert.throws(
    () => replicatedEngine("ReplicatedMergeTree('/p', '{replica}') ORDER BY n", PATH),
    /not an unreplicated/,
  );
  assert.throws(() => replicatedEngine('Log', PATH), /not an unreplicated/);
});
