import assert from 'node:assert/strict';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import type { Span } from '@ariadne/protocol';
import { CLICKHOUSE_STORE_METHODS } from '../../app/tenant-spool.js';
import { encodeSpanBatch } from '../../pipeline/span-batch.js';
import { MetricsRegistry } from '../../telemetry/metrics-registry.js';
import { ClickHouseHttp } from '../clickhouse/clickhouse-http.js';
import { type ClickHouseStore, openClickHouseStore } from '../clickhouse/clickhouse-store.js';
import { type ClickHouseTestServer, startClickHouseServer } from '../clickhouse/testing/clickhouse-test-server.js';
import { hasDependencies, hasRedMetrics } from '../span-store.js';
import { SpoolGroup } from './spool-group.js';
import { spoolTestBatch } from './spool-ingest-load.js';
import { SpoolLog } from './spool-log.js';
import { openSpooledStore } from './spooled-store.js';

/*
 * Replay's "exactly once in effect" against a real clickhouse-server: spool
 * folders are prepared as a crash would leave them, then a spooled store
 * opens on them and replays.
 */
describe('spooled ClickHouse store', { timeout: 300_000 }, () => {
  let server: ClickHouseTestServer;
  const folders: string[] = [];
  before(async () => {
    server = await startClickHouseServer();
  });
  after(async () => {
    await server?.stop();
    await Promise.all(folders.map((folder) => rm(folder, { recursive: true, force: true })));
  });
  const spoolDir = async () => {
    const folder = await mkdtemp(join(tmpdir(), 'ariadne-spooled-'));
    folders.push(folder);
    return folder;
  };
  const open = (database: string) => openClickHouseStore({ url: server.url, database });
  const counts = async (database: string) => {
    const [row] = await new ClickHouseHttp({ url: server.url }).query<{ rows: string; spans: string }>(
      `SELECT count() AS rows, uniqExact(trace_hi, trace_lo, span_id) AS spans FROM ${database}.spans`,
    );
    return { rows: Number(row!.rows), spans: Number(row!.spans) };
  };
  const spool = async (dir: string, batches: { spans: Span[]; maybeStored: boolean }[]) => {
    const { log } = await SpoolLog.open(dir);
    const entries = [];
    for (const { spans, maybeStored } of batches) {
      const batch = encodeSpanBatch(spans).bytes;
      entries.push(await log.append({ maybeStored, spanCount: spans.length, appendedAtMs: Date.now(), batch }));
    }
    return { log, entries };
  };
  const replay = async (store: ClickHouseStore, dir: string, registry = new MetricsRegistry()) => {
    const group = new SpoolGroup(1 << 30, registry);
    const { store: spooled, recovery } = await openSpooledStore(store, { dir, group });
    await spooled.drained();
    return { spooled, recovery, group };
  };

  test('a batch the store already holds is not written again; one it surely lacks is written whole', async () => {
    const database = 'spooled_maybe';
    const store = await open(database);
    const held = spoolTestBatch().spans;
    const partly = spoolTestBatch().spans;
    const lacking = spoolTestBatch().spans;
    // The first reached ClickHouse before its answer was lost; half of the second did (one day partition of two, say).
    await store.writeSpans([...held, ...partly.slice(0, 5)]);
    const dir = await spoolDir();
    const { log } = await spool(dir, [
      { spans: held, maybeStored: true },
      { spans: partly, maybeStored: true },
      { spans: lacking, maybeStored: false },
    ]);
    await log.close();
    const { spooled, recovery, group } = await replay(store, dir);
    assert.equal(recovery.entries, 3);
    assert.deepEqual(await counts(database), { rows: 30, spans: 30 });
    assert.equal(group.replayedSpans.get(), 30);
    assert.equal(spooled.spool.mode, 'direct');
    await spooled.close();
  });

  test('a crash after a replay insert landed and before it was marked replays nothing twice', async () => {
    const database = 'spooled_crash';
    const store = await open(database);
    const first = spoolTestBatch().spans;
    const second = spoolTestBatch().spans;
    const dir = await spoolDir();
    const { log, entries } = await spool(dir, [
      { spans: first, maybeStored: false },
      { spans: second, maybeStored: false },
    ]);
    // Replay marked the first as attempted, its insert landed, and the process died.
    await log.markAttempted(entries.slice(0, 1));
    await store.writeSpans(first);
    await log.close();
    const { spooled } = await replay(store, dir);
    assert.deepEqual(await counts(database), { rows: 20, spans: 20 });
    await spooled.close();
  });

  test('writes go straight to the store while it is up, and its capabilities stay reachable', async () => {
    const database = 'spooled_direct';
    const dir = await spoolDir();
    const registry = new MetricsRegistry();
    const { spooled } = await replay(await open(database), dir, registry);
    const { spans } = spoolTestBatch();
    await spooled.writeSpans(spans);
    await spooled.writeSpanBatch(encodeSpanBatch(spoolTestBatch().spans));
    assert.deepEqual(spooled.spool, { mode: 'direct', batches: 0, bytes: 0 });
    assert.deepEqual(await counts(database), { rows: 20, spans: 20 });
    assert.ok(hasDependencies(spooled) && hasRedMetrics(spooled));
    const now = BigInt(Date.now()) * 1_000_000n;
    const links = await spooled.getDependencies({
      startNanos: now - 3_600_000_000_000n,
      endNanos: now + 60_000_000_000n,
    });
    assert.deepEqual(links, [{ parent: 'frontend', child: 'backend', callCount: 18, errorCount: 0 }]);
    assert.equal((await spooled.getTrace(spans[0]!.traceId)).length, 10);
    assert.match(registry.render(), /^ariadne_spool_bytes 0$/m);
    await spooled.close();
    // Closed: a second spooled store may take the folder (the lock is released).
    const again = await openSpooledStore(await open(database), { dir, group: new SpoolGroup() });
    await again.store.close();
  });

  test('the methods a ClickHouse store offers before it opens are those it has once open', async () => {
    const store = await open('spooled_methods');
    const methods = Object.keys(store).filter(
      (key) => typeof (store as unknown as Record<string, unknown>)[key] === 'function',
    );
    assert.deepEqual(methods.sort(), [...CLICKHOUSE_STORE_METHODS].sort());
    await store.close();
  });

  test('a second spooled store on the same folder is refused while the first holds it', async () => {
    const dir = await spoolDir();
    const { spooled } = await replay(await open('spooled_lock'), dir);
    const other = await open('spooled_lock');
    await assert.rejects(openSpooledStore(other, { dir, group: new SpoolGroup() }), /already open/);
    await other.close();
    await spooled.close();
  });
});
