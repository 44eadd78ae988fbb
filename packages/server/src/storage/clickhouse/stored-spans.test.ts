import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { spoolTestBatch } from '../spool/spool-ingest-load.js';
import { ClickHouseHttp } from './clickhouse-http.js';
import { openClickHouseStore } from './clickhouse-store.js';
import { replicaPatience } from './stored-spans.js';
import { type ClickHouseTestServer, startClickHouseServer } from './testing/clickhouse-test-server.js';

let server: ClickHouseTestServer;

before(async () => {
  server = await startClickHouseServer();
});

after(async () => {
  await server?.stop();
});

test('spans ClickHouse kept without their trace index rows (killed between the two) are found held, and their trace opens again', async () => {
  const database = 'stored_spans_mend';
  const store = await openClickHouseStore({ url: server.url, database });
  try {
    const http = new ClickHouseHttp({ url: server.url });
    // What a server killed after the spans table's part and before the view's insert leaves behind.
    await http.command(`DROP TABLE ${database}.trace_index_mv`);
    const { traceId, spans } = spoolTestBatch();
    await store.writeSpans(spans);
    await assert.rejects(store.getTrace(traceId), /not found/, 'without its index rows the trace is not found');
    const notHeld = spoolTestBatch();
    const missing = await store.unstoredSpans([...spans, ...notHeld.spans]);
    assert.deepEqual(
      missing.map((span) => span.spanId).sort(),
      notHeld.spans.map((span) => span.spanId).sort(),
      'only the spans never written are missing',
    );
    const found = await store.getTrace(traceId);
    assert.deepEqual(found.map((span) => span.spanId).sort(), spans.map((span) => span.spanId).sort());
  } finally {
    await store.close();
  }
});

test('a replay waits for every replica for a while, then settles for one per shard; a success starts the wait afresh', () => {
  let now = 0;
  const wait = replicaPatience(120_000, () => now);
  assert.equal(wait(true), true, 'a replica down: wait');
  now = 119_999;
  assert.equal(wait(true), true);
  now = 120_000;
  assert.equal(wait(true), false, 'down too long: read one replica per shard');
  assert.equal(wait(false), false);
  now = 500_000;
  assert.equal(wait(true), true, 'a new outage waits again');
});
