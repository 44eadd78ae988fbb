// Issue 15's whole-cluster failures through collector processes: ZooKeeper stopped 30 s, every
// ClickHouse node stopped 60 s, and a collector SIGKILLed while it spools, each in the middle of
// sustained OTLP ingest. Zero acknowledged spans lost, none doubled.
//
// The collector keeps acknowledging while ClickHouse cannot take writes (its spool) and replays
// in order afterwards. The cluster, the ingest and the books are in
// packages/server/src/storage/clickhouse/testing/.
import assert from 'node:assert/strict';
import { type ChildProcess, spawn } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { fileURLToPath } from 'node:url';
import { encodeOtlpTraceRequestProto, type Span } from '@ariadne/protocol';
import { auditReplicas } from '../packages/server/src/storage/clickhouse/testing/replica-books.js';
import {
  type ReplicatedTestCluster,
  startReplicatedCluster,
} from '../packages/server/src/storage/clickhouse/testing/replicated-test-cluster.js';
import { startSustainedIngest } from '../packages/server/src/storage/clickhouse/testing/sustained-ingest.js';

/** Why the tests are skipped; undefined once the spool is merged. */
const SPOOL_READY: string | undefined = undefined;
/** Config fields a collector process gets beside its ClickHouse settings (the spool's, once merged). */
const COLLECTOR_CONFIG: Record<string, unknown> = { spoolMaxBytes: 256 * 1024 * 1024 };
const FULL = process.env.ARIADNE_CLUSTER_FULL === '1';
/** Skipped until the spool is merged; then bounded, so that a spool that never acknowledges fails instead of hanging. */
const LONG = { skip: SPOOL_READY, timeout: 600_000 };

interface Collector {
  readonly otlpHttp: string;
  readonly query: string;
  kill(): Promise<void>;
  start(): Promise<void>;
  stop(): Promise<void>;
}

async function withCluster(name: string, body: (cluster: ReplicatedTestCluster) => Promise<void>): Promise<void> {
  const cluster = await startReplicatedCluster({ name });
  try {
    await body(cluster);
  } finally {
    await cluster.stop();
  }
}

/** A collector process on the fixture, restartable on the same data folder (its spool). */
async function collector(cluster: ReplicatedTestCluster, database: string): Promise<Collector> {
  const script = fileURLToPath(
    new URL('../packages/server/src/storage/clickhouse/testing/serve-clickhouse.fixture.ts', import.meta.url),
  );
  const dataDir = await mkdtemp(join(tmpdir(), 'ariadne-spool-test-'));
  const clickhouse = { url: cluster.nodes.map((node) => node.url).join(','), database, cluster: cluster.name };
  let child: ChildProcess | undefined;
  let urls = { otlpHttp: '', query: '' };
  const running = () => child !== undefined && child.exitCode === null && child.signalCode === null;
  const exit = (signal: NodeJS.Signals) =>
    new Promise<void>((resolve) => {
      if (!running() || child === undefined) return resolve();
      child.once('exit', () => resolve());
      child.kill(signal);
    });
  const self: Collector = {
    get otlpHttp() {
      return urls.otlpHttp;
    },
    get query() {
      return urls.query;
    },
    kill: () => exit('SIGKILL'),
    start: async () => {
      const started = spawn(
        process.execPath,
        [
          '--conditions=ariadne-source',
          '--import',
          'tsx',
          script,
          JSON.stringify(clickhouse),
          dataDir,
          JSON.stringify(COLLECTOR_CONFIG),
        ],
        { stdio: ['ignore', 'pipe', 'pipe'] },
      );
      child = started;
      let stderr = '';
      started.stderr?.on('data', (chunk: Buffer) => {
        stderr += chunk.toString();
      });
      urls = await new Promise((resolve, reject) => {
        let stdout = '';
        started.stdout?.on('data', (chunk: Buffer) => {
          stdout += chunk.toString();
          const line = /READY (.*)\n/.exec(stdout)?.[1];
          if (line !== undefined) resolve(JSON.parse(line) as { otlpHttp: string; query: string });
        });
        started.once('exit', (code) => reject(new Error(`collector exited with ${code}:\n${stderr}`)));
      });
    },
    stop: async () => {
      await exit('SIGTERM');
      await rm(dataDir, { recursive: true, force: true });
    },
  };
  await self.start();
  return self;
}

/** A SpanWriter over OTLP/HTTP: acknowledged means the collector answered 200. */
function otlpWriter(target: () => Collector) {
  return {
    async writeSpans(spans: readonly Span[]): Promise<void> {
      const response = await fetch(`${target().otlpHttp}/v1/traces`, {
        method: 'POST',
        headers: { 'content-type': 'application/x-protobuf' },
        body: encodeOtlpTraceRequestProto(spans),
        signal: AbortSignal.timeout(30_000),
      });
      await response.arrayBuffer();
      if (response.status !== 200) throw new Error(`collector answered ${response.status}`);
    },
  };
}

async function scenario(
  name: string,
  outage: {
    fail(cluster: ReplicatedTestCluster, collectors: Collector[]): Promise<void>;
    recover(cluster: ReplicatedTestCluster, collectors: Collector[]): Promise<void>;
    /** Run once the collectors have acknowledged batches during the outage. */
    whileDown?(cluster: ReplicatedTestCluster, collectors: Collector[]): Promise<void>;
    ms: number;
  },
): Promise<void> {
  const started = Date.now();
  const database = name.replaceAll(/\W/g, '_');
  await withCluster(`ariadne_${database}`, async (cluster) => {
    const collectors = [await collector(cluster, database), await collector(cluster, database)];
    const ingests = collectors.map((each, index) =>
      startSustainedIngest(
        otlpWriter(() => each),
        { prefix: `c${index}` },
      ),
    );
    try {
      await Promise.all(ingests.map((ingest) => ingest.acknowledgedMore(10)));
      const before = ingests.map((ingest) => ingest.acknowledgedCount());
      await outage.fail(cluster, collectors);
      const failedAt = Date.now();
      // The spool keeps acknowledging while the outage lasts (without it, this fails after 60 s).
      await Promise.all(ingests.map((ingest) => ingest.acknowledgedMore(5, 60_000)));
      const spooled = ingests.map((ingest, index) => ingest.acknowledgedCount() - before[index]!);
      await outage.whileDown?.(cluster, collectors);
      await new Promise((resolve) => setTimeout(resolve, Math.max(0, outage.ms - (Date.now() - failedAt))));
      await outage.recover(cluster, collectors);
      await Promise.all(ingests.map((ingest) => ingest.acknowledgedMore(5)));
      const books = await Promise.all(ingests.map((ingest) => ingest.stop()));
      const acknowledged = new Map(books.flatMap((book) => [...book.acknowledged]));
      // Replay done: wait until every acknowledged span is in ClickHouse (the spool drains), then audit.
      const deadline = Date.now() + 180_000;
      // A node's ZooKeeper session may still be expired just after ZooKeeper returned (code 999):
      // the audit's SYSTEM SYNC REPLICA then fails until the node reconnects.
      const audit = async () => {
        for (;;) {
          try {
            return await auditReplicas(cluster, database, { acknowledged, failed: 0, errors: [] });
          } catch (error) {
            if (!/Code: 999\b/.test(String(error)) || Date.now() > deadline) throw error;
            await new Promise((resolve) => setTimeout(resolve, 1_000));
          }
        }
      };
      let audited = await audit();
      while ((audited.missing[1] !== 0 || audited.missing[2] !== 0) && Date.now() < deadline) {
        await new Promise((resolve) => setTimeout(resolve, 1_000));
        audited = await audit();
      }
      console.log(
        `${name}: ${acknowledged.size} batches acknowledged (${spooled.join(' + ')} while it lasted); ` +
          `missing ${JSON.stringify(audited.missing)}, duplicated ${JSON.stringify(audited.duplicated)}, ` +
          `parts ZooKeeper never recorded (not counted) ${JSON.stringify(audited.unrecorded)}; ` +
          `scenario ${((Date.now() - started) / 1000).toFixed(1)} s wall`,
      );
      assert.deepEqual(audited.missing, { 1: 0, 2: 0 });
      assert.deepEqual(audited.duplicated, { 1: 0, 2: 0 });
    } finally {
      await Promise.all(ingests.map((ingest) => ingest.stop()));
      await Promise.all(collectors.map((each) => each.stop()));
    }
  });
}

test(
  'ZooKeeper stopped mid-ingest: collectors keep acknowledging, nothing lost or doubled',
  { skip: SPOOL_READY },
  () =>
    scenario('spool zookeeper outage', {
      ms: FULL ? 30_000 : 10_000,
      fail: (cluster) => cluster.zookeeper.kill(),
      recover: (cluster) => cluster.zookeeper.start(),
    }),
);

test('every ClickHouse node stopped mid-ingest: collectors spool, then replay once', LONG, () =>
  scenario('spool all down', {
    ms: FULL ? 60_000 : 10_000,
    fail: (cluster) => cluster.killAll(),
    recover: (cluster) => cluster.startAll(),
  }),
);

test('a collector SIGKILLed while it spools replays on restart', LONG, () =>
  scenario('spool collector killed', {
    ms: FULL ? 30_000 : 10_000,
    fail: (cluster) => cluster.killAll(),
    // After it acknowledged batches it could not write: its spool holds them unreplayed.
    whileDown: async (_cluster, collectors) => {
      await collectors[0]!.kill();
      await collectors[0]!.start();
    },
    recover: (cluster) => cluster.startAll(),
  }),
);
