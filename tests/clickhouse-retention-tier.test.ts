// Issue 17 on ClickHouse, through the whole server: with --retention-kept, a day past
// --retention is copied into the kept tier when the server opens the store, and the
// APIs and /metrics say which policy kept what.
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { DEFAULT_RETENTION_POLICY } from '../packages/server/src/retention/retention-policy.js';
import { openClickHouseStore } from '../packages/server/src/storage/clickhouse/clickhouse-store.js';
import {
  type ClickHouseTestServer,
  startClickHouseServer,
} from '../packages/server/src/storage/clickhouse/testing/clickhouse-test-server.js';
import { retentionTestTrace, traceIdOf } from '../packages/server/src/storage/embedded/retention-test-traces.js';
import { getJson, startTestServer, type TestServer } from './support/test-server.js';

const HOUR = 3_600_000_000_000n;
const DAY = 24n * HOUR;
let clickhouse: ClickHouseTestServer;
let server: TestServer;

before(async () => {
  clickhouse = await startClickHouseServer();
  const database = 'ariadne_retention_tier';
  // Two days ago: an error trace and an ordinary one, written before the kept tier exists.
  const today = (BigInt(Date.now()) * 1_000_000n) / DAY;
  const start = (today - 2n) * DAY + 12n * HOUR;
  const store = await openClickHouseStore({ url: clickhouse.url, database });
  await store.writeSpans(retentionTestTrace({ n: 1, startNanos: start, error: true }));
  await store.writeSpans(retentionTestTrace({ n: 2, startNanos: start + 1_000_000_000n, operation: 'GET /other' }));
  await store.writeSpans(retentionTestTrace({ n: 3, startNanos: start + 2_000_000_000n }));
  await store.close();
  server = await startTestServer({
    storage: 'clickhouse',
    clickhouse: { url: clickhouse.url, database },
    retentionNanos: HOUR,
    retentionKeptNanos: 30n * DAY,
    retentionPolicies: {
      defaults: { ...DEFAULT_RETENTION_POLICY, exemplarsPerMinute: 0 },
      tenants: {},
    },
  });
});

after(async () => {
  await server?.dispose();
  await clickhouse?.stop();
});

test('a kept trace opens with its tier and policy; a dropped one is gone; /metrics counts per policy', async () => {
  // The store copies the day in the background after it opens.
  for (const deadline = Date.now() + 60_000; Date.now() < deadline; ) {
    if ((await fetch(`${server.queryUrl}/api/traces/${traceIdOf(3)}`)).status === 404) break;
    await new Promise((resolve) => setTimeout(resolve, 200));
  }
  const byId = await getJson<{ data: { spans: unknown[]; retention?: unknown }[] }>(
    `${server.queryUrl}/api/traces/${traceIdOf(1)}`,
  );
  assert.equal(byId.data[0]?.spans.length, 2);
  assert.deepEqual(byId.data[0]?.retention, { tier: 'kept', keptBy: 'error' });
  const view = await getJson<{ data: { retention?: unknown } }>(`${server.queryUrl}/api/trace-view/${traceIdOf(1)}`);
  assert.deepEqual(view.data.retention, { tier: 'kept', keptBy: 'error' });
  const missing = await fetch(`${server.queryUrl}/api/traces/${traceIdOf(3)}`);
  assert.equal(missing.status, 404);
  // Services still list what only the dropped traces had.
  const services = await getJson<{ data: string[] }>(`${server.queryUrl}/api/services`);
  assert.deepEqual(services.data, ['checkout', 'frontend']);
  const operations = await getJson<{ data: string[] }>(`${server.queryUrl}/api/services/frontend/operations`);
  assert.ok(operations.data.includes('GET /other'));
  // The tracker reads the store's counts every 10 s.
  let text = '';
  for (const deadline = Date.now() + 60_000; Date.now() < deadline; ) {
    text = await (await fetch(`${server.queryUrl}/metrics`)).text();
    if (/ariadne_retention_traces_total\{[^}]*outcome="kept"[^}]*policy="error"[^}]*\} 1/.test(text)) break;
    await new Promise((resolve) => setTimeout(resolve, 500));
  }
  assert.match(text, /ariadne_retention_traces_total\{[^}]*outcome="kept"[^}]*policy="error"[^}]*\} 1/);
  assert.match(text, /ariadne_retention_traces_total\{[^}]*outcome="dropped"[^}]*\} 2/);
  assert.match(text, /ariadne_retention_compactions_total\{[^}]*\} 1/);
});
