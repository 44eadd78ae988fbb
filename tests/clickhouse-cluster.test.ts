// Scale-out acceptance: two clickhouse-server processes form a two-shard
// cluster; two Ariadne servers run against it (one per shard), spans written
// through one (OTLP/HTTP) are all read back through the other (Jaeger API),
// and both shards hold some of them (sharded by trace id).
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { startAriadneOnClickHouse } from '../packages/server/src/storage/clickhouse/testing/ariadne-clickhouse-process.js';
import {
  type ClickHouseTestCluster,
  startClickHouseCluster,
} from '../packages/server/src/storage/clickhouse/testing/clickhouse-test-server.js';

const CLUSTER = 'ariadne_test_cluster';
const DATABASE = 'ariadne';
const TRACES = 16;
const SERVICES = ['gateway', 'orders', 'db'] as const;

interface AriadneProcess {
  readonly query: string;
  readonly otlpHttp: string;
  stop(): Promise<void>;
}

let cluster: ClickHouseTestCluster;
const ariadnes: AriadneProcess[] = [];

before(async () => {
  cluster = await startClickHouseCluster({ name: CLUSTER, shards: 2 });
  // One after the other: each migrates the shard it is connected to.
  for (const shard of cluster.shards) {
    ariadnes.push(await startAriadne({ url: shard.url, database: DATABASE, cluster: CLUSTER }));
  }
});

after(async () => {
  await Promise.all(ariadnes.map((ariadne) => ariadne.stop()));
  await cluster?.stop();
});

test('spans written through one Ariadne server are all read back through another, from both shards', async () => {
  const [writer, reader] = ariadnes as [AriadneProcess, AriadneProcess];
  const nowNanos = BigInt(Date.now()) * 1_000_000n;
  const traceIds = Array.from({ length: TRACES }, () => randomBytes(16).toString('hex'));
  const response = await fetch(`${writer.otlpHttp}/v1/traces`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify(otlpRequest(traceIds, nowNanos - 60_000_000_000n)),
  });
  assert.equal(response.status, 200, await response.text());

  // Sharded by trace id: each shard holds a part, together all of it.
  const counts = await Promise.all(
    cluster.shards.map(async (shard) => {
      const sql = `SELECT count() FROM ${DATABASE}.spans_local`;
      return Number((await (await fetch(`${shard.url}/?query=${encodeURIComponent(sql)}`)).text()).trim());
    }),
  );
  assert.equal(
    counts.reduce((a, b) => a + b, 0),
    TRACES * SERVICES.length,
  );
  assert.ok(
    counts.every((count) => count > 0),
    `every shard holds spans: ${counts}`,
  );

  for (const traceId of traceIds) {
    const body = await getJson(`${reader.query}/api/traces/${traceId}`);
    const spans = (body.data as { spans: { spanID: string }[] }[])[0]!.spans;
    assert.deepEqual(spans.map((span) => span.spanID).sort(), spanIdsOf(traceId), `trace ${traceId}`);
  }

  const services = await getJson(`${reader.query}/api/services`);
  assert.deepEqual(services.data, [...SERVICES].sort());

  const startMicros = (nowNanos - 3_600_000_000_000n) / 1000n;
  const found = await getJson(`${reader.query}/api/traces?service=db&start=${startMicros}&limit=100`);
  assert.deepEqual((found.data as { traceID: string }[]).map((trace) => trace.traceID).sort(), [...traceIds].sort());

  const dependencies = await getJson(`${reader.query}/api/dependencies?endTs=${Date.now()}&lookback=3600000`);
  assert.deepEqual(dependencies.data, [
    { parent: 'gateway', child: 'orders', callCount: TRACES, errorCount: 0 },
    { parent: 'orders', child: 'db', callCount: TRACES, errorCount: 0 },
  ]);
});

/** Each trace: gateway -> orders -> db, one span per service. */
function otlpRequest(traceIds: readonly string[], startNanos: bigint): unknown {
  return {
    resourceSpans: SERVICES.map((service, depth) => ({
      resource: { attributes: [{ key: 'service.name', value: { stringValue: service } }] },
      scopeSpans: [
        {
          scope: { name: 'cluster-test' },
          spans: traceIds.map((traceId, i) => {
            const [root, middle, leaf] = spanIdsOf(traceId, false);
            const start = startNanos + BigInt(i) * 1_000_000n + BigInt(depth) * 1000n;
            return {
              traceId,
              spanId: [root, middle, leaf][depth],
              parentSpanId: depth === 0 ? '' : [root, middle][depth - 1],
              name: `${service} work`,
              kind: depth === 0 ? 2 : 3,
              startTimeUnixNano: start.toString(),
              endTimeUnixNano: (start + 500_000n - BigInt(depth) * 2000n).toString(),
            };
          }),
        },
      ],
    })),
  };
}

function spanIdsOf(traceId: string, sorted = true): string[] {
  const ids = ['a', 'b', 'c'].map((suffix) => `${traceId.slice(0, 15)}${suffix}`);
  return sorted ? ids.sort() : ids;
}

async function getJson(url: string): Promise<{ data: unknown }> {
  const response = await fetch(url);
  const text = await response.text();
  assert.equal(response.status, 200, `${url}: ${text}`);
  return JSON.parse(text) as { data: unknown };
}

async function startAriadne(clickhouse: { url: string; database: string; cluster: string }): Promise<AriadneProcess> {
  // The server keeps a few files of its own (e.g. its archive) even with ClickHouse.
  const dataDir = await mkdtemp(join(tmpdir(), 'ariadne-cluster-test-'));
  const started = await startAriadneOnClickHouse(clickhouse, dataDir).catch(async (error: unknown) => {
    await rm(dataDir, { recursive: true, force: true });
    throw error;
  });
  const stop = async () => {
    const code = await started.stop();
    await rm(dataDir, { recursive: true, force: true });
    assert.equal(code, 0, `Ariadne should exit cleanly on SIGTERM:\n${started.output()}`);
  };
  return { query: started.query, otlpHttp: started.otlpHttp, stop };
}
