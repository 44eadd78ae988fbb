import assert from 'node:assert/strict';
import { after, before } from 'node:test';
import type { ClickHouseStore } from '../clickhouse-store.js';
import { openClickHouseStore } from '../clickhouse-store.js';
import { auditReplicas } from './replica-books.js';
import { type ReplicaNode, type ReplicatedTestCluster, startReplicatedCluster } from './replicated-test-cluster.js';
import { type SustainedIngest, startSustainedIngest } from './sustained-ingest.js';

/** ARIADNE_CLUSTER_FULL=1 (npm run test:cluster): the outage durations instead of CI's short ones. */
export const FULL_CLUSTER_TESTS = process.env.ARIADNE_CLUSTER_FULL === '1';

/** A replicated cluster started before the file's tests and stopped after them. */
export function replicatedClusterForTests(name: string): () => ReplicatedTestCluster {
  let cluster: ReplicatedTestCluster | undefined;
  before(async () => {
    cluster = await startReplicatedCluster({ name });
  });
  after(async () => {
    await cluster?.stop();
  });
  return () => {
    if (cluster === undefined) throw new Error('the replicated cluster is not started');
    return cluster;
  };
}

export interface OutageScenario {
  readonly name: string;
  readonly database: string;
  readonly outageMs: number;
  /** The nodes each store talks to, first first (default: the writer shard 1 replica 1, the reader shard 2 replica 2). */
  readonly writerNodes?: readonly ReplicaNode[];
  readonly readerNodes?: readonly ReplicaNode[];
  fail(): Promise<void>;
  recover(): Promise<void>;
  /** Run again and again while the outage lasts, e.g. a search that must answer. */
  during?(reader: ClickHouseStore): Promise<void>;
}

/**
 * Sustained ingest through a store on shard 1 replica 1; `fail` in its middle,
 * `recover` after `outageMs`; ingest until writes resume, then every
 * acknowledged span must be held once by each replica set. Prints the books
 * and the scenario's wall time.
 */
export async function runOutageScenario(cluster: ReplicatedTestCluster, scenario: OutageScenario): Promise<void> {
  const started = Date.now();
  const open = (nodes: readonly ReplicaNode[]) =>
    openClickHouseStore({
      url: nodes.map((node) => node.url).join(','),
      database: scenario.database,
      cluster: cluster.name,
    });
  const writer = await open(scenario.writerNodes ?? [cluster.node(1, 1)]);
  const reader = await open(scenario.readerNodes ?? [cluster.node(2, 2)]);
  let ingest: SustainedIngest | undefined;
  let recovered = true;
  try {
    ingest = startSustainedIngest(writer);
    await ingest.acknowledgedMore(10);
    const acknowledgedBefore = ingest.acknowledgedCount();
    recovered = false;
    await scenario.fail();
    const failedAt = Date.now();
    let rounds = 0;
    while (Date.now() - failedAt < scenario.outageMs) {
      if (scenario.during !== undefined) {
        await scenario.during(reader);
        rounds++;
      }
      await new Promise((resolve) => setTimeout(resolve, 250));
    }
    const duringOutage = ingest.acknowledgedCount() - acknowledgedBefore;
    await scenario.recover();
    recovered = true;
    const recoveredAt = Date.now();
    // Writes resume (after ZooKeeper, the tables leave read-only mode some seconds later).
    await ingest.acknowledgedMore(5);
    const resumedMs = Date.now() - recoveredAt;
    const books = await ingest.stop();
    const audit = await auditReplicas(cluster, scenario.database, books);
    console.log(
      `${scenario.name}: ${books.acknowledged.size} batches (${audit.acknowledgedSpans} spans) acknowledged, ` +
        `${books.failed} failed; outage ${(scenario.outageMs / 1000).toFixed(0)} s with ${duringOutage} batches acknowledged` +
        (scenario.during === undefined ? '' : ` and ${rounds} searches answered`) +
        `; 5 more batches acknowledged ${(resumedMs / 1000).toFixed(1)} s after recovery; ` +
        `missing per replica ${JSON.stringify(audit.missing)}, duplicated ${JSON.stringify(audit.duplicated)}, ` +
        `parts ZooKeeper never recorded (not counted) ${JSON.stringify(audit.unrecorded)}; ` +
        `scenario ${((Date.now() - started) / 1000).toFixed(1)} s wall`,
    );
    assert.deepEqual(audit.missing, { 1: 0, 2: 0 });
    assert.deepEqual(audit.duplicated, { 1: 0, 2: 0 });
  } finally {
    // A failed scenario still leaves the cluster whole for the next one (ON CLUSTER DDL waits for every node).
    if (!recovered) await scenario.recover();
    await ingest?.stop();
    await writer.close();
    await reader.close();
  }
}

/** A search over the last hour that must answer with traces (they were written before the outage). */
export async function searchFindsTraces(reader: ClickHouseStore, service: string): Promise<void> {
  const now = BigInt(Date.now()) * 1_000_000n;
  const found = await reader.findTraces({
    service,
    timeRange: { startNanos: now - 3_600_000_000_000n, endNanos: now + 60_000_000_000n },
    limit: 20,
  });
  assert.ok(found.length > 0, `a search for ${service} during the outage finds traces`);
}
