import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { openClickHouseStore } from './clickhouse-store.js';
import { type ClickHouseTestServer, startClickHouseServer } from './testing/clickhouse-test-server.js';

let server: ClickHouseTestServer;
before(async () => {
  server = await startClickHouseServer();
});
after(async () => {
  await server?.stop();
});

test('a retention run that fails in the background is told to onBackgroundError, saying what failed', async () => {
  const failures: string[] = [];
  const store = await openClickHouseStore({
    url: server.url,
    database: 'background_errors',
    retentionNanos: 3_600_000_000_000n,
    retentionIntervalMs: 50,
    onBackgroundError: (error, what) => failures.push(`${what}: ${(error as Error).message}`),
  });
  try {
    await server.stop();
    const deadline = Date.now() + 60_000;
    while (failures.length === 0 && Date.now() < deadline) await new Promise((resolve) => setTimeout(resolve, 50));
    assert.match(failures[0] ?? 'none within a minute', /^ClickHouse retention: /);
  } finally {
    await store.close();
  }
});
