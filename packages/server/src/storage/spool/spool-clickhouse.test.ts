import assert from 'node:assert/strict';
import { appendFile, mkdtemp, readdir, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { SpanKind } from '@ariadne/protocol';
import { parseTenantId } from '../../tenancy/tenant-id.js';
import { tenantStorageName } from '../../tenancy/tenant-storage-name.js';
import { ClickHouseHttp } from '../clickhouse/clickhouse-http.js';
import { openClickHouseStore } from '../clickhouse/clickhouse-store.js';
import { traceIdFromHalves } from '../clickhouse/sql-literal.js';
import {
  type AriadneClickHouseProcess,
  startAriadneOnClickHouse,
} from '../clickhouse/testing/ariadne-clickhouse-process.js';
import {
  type RestartableClickHouse,
  startRestartableClickHouse,
} from '../clickhouse/testing/restartable-clickhouse.js';
import { SpoolGroup } from './spool-group.js';
import { SPANS_PER_BATCH, SpoolIngestLoad, spoolTestBatch } from './spool-ingest-load.js';
import { openSpooledStore } from './spooled-store.js';

/*
 * The spool against a real clickhouse-server that dies: SIGKILLed in the
 * middle of sustained ingest and started again on its data folder. The
 * Ariadne server is a process of its own (it is SIGKILLed too); ingest runs
 * from this process over OTLP/HTTP.
 */
describe('spool: ClickHouse killed under ingest', { timeout: 600_000 }, () => {
  let clickhouse: RestartableClickHouse;
  const folders: string[] = [];
  const processes: AriadneClickHouseProcess[] = [];
  const startAriadne = async (
    ...args: Parameters<typeof startAriadneOnClickHouse>
  ): Promise<AriadneClickHouseProcess> => {
    // Reads check everything the run wrote; on a shared, busy machine they may take longer than the default 30 s.
    const [clickhouseConfig, folder, more] = args;
    const started = await startAriadneOnClickHouse(clickhouseConfig, folder, { queryTimeoutMs: 180_000, ...more });
    processes.push(started);
    return started;
  };
  before(async () => {
    clickhouse = await startRestartableClickHouse();
  });
  after(async () => {
    // A test that failed half-way leaves its server running.
    await Promise.all(processes.map((process) => process.kill()));
    await clickhouse?.stop();
    await Promise.all(folders.map((folder) => rm(folder, { recursive: true, force: true })));
  });
  const dataFolder = async () => {
    const folder = await mkdtemp(join(tmpdir(), 'ariadne-spool-test-'));
    folders.push(folder);
    return folder;
  };

  test('acknowledged spans survive a ClickHouse outage, each stored once, in every read', async (t) => {
    const began = performance.now();
    const phase = (what: string) => t.diagnostic(`${what} at ${Math.round(performance.now() - began)} ms`);
    const database = 'spool_outage';
    const ariadne = await startAriadne({ url: clickhouse.url, database }, await dataFolder());
    const load = new SpoolIngestLoad(() => ariadne.otlpHttp);
    try {
      load.start(2);
      await load.acknowledgedMore(20);
      await clickhouse.kill();
      phase('ClickHouse killed');
      await load.acknowledgedMore(40); // all from the spool: ClickHouse is gone
      const during = await spoolMetrics(ariadne);
      assert.ok(during.bytes > 0, 'the spool holds the batches acknowledged during the outage');
      assert.ok(during.spooledSpans >= 40 * SPANS_PER_BATCH);
      await clickhouse.restart();
      phase('ClickHouse restarted');
      await waitFor(async () => (await spoolMetrics(ariadne)).bytes === 0, 'the spool to be replayed', ariadne);
      phase('spool replayed');
      await load.acknowledgedMore(20); // direct again
    } finally {
      await load.stop();
    }
    const replayed = await spoolMetrics(ariadne);
    assert.ok(replayed.replayedSpans >= 40 * SPANS_PER_BATCH, `replayed ${replayed.replayedSpans} spans`);
    assert.equal(replayed.bytes, 0);
    assert.deepEqual(
      load.refusals.filter((refusal) => refusal.status !== 200),
      [],
      'the spool acknowledges while ClickHouse is down: nothing is refused',
    );
    phase(`ingest stopped, ${load.acknowledged.length} batches acknowledged`);
    await assertEachStoredOnce(ariadne, database, load.acknowledged);
    phase('checked');
    assert.equal(await ariadne.stop(), 0, ariadne.output());
  });

  test('SIGKILL while spooling: restarted while ClickHouse is still away, the server spools on and replays all; a torn tail is dropped', async () => {
    const database = 'spool_sigkill';
    const folder = await dataFolder();
    let ariadne: AriadneClickHouseProcess | undefined = await startAriadne({ url: clickhouse.url, database }, folder);
    const load = new SpoolIngestLoad(() => ariadne?.otlpHttp);
    try {
      load.start(2);
      await load.acknowledgedMore(10);
      await clickhouse.kill();
      await load.acknowledgedMore(30);
      const spooled = await spoolMetrics(ariadne);
      assert.ok(spooled.bytes > 0);
      const killed = ariadne;
      ariadne = undefined;
      await killed.kill(); // mid-ingest: requests in flight get no answer
      // A crash in the middle of an append leaves half a record behind: write one.
      const spoolDir = join(folder, 'spool');
      const segments = (await readdir(spoolDir)).filter((name) => name.endsWith('.wal')).sort();
      await appendFile(join(spoolDir, segments.at(-1)!), Buffer.from([0x40, 0x00, 0x00, 0x00, 0xde, 0xad, 0xbe]));
      // Restarted while ClickHouse is still away: it starts, keeps spooling behind what it found, and replays later.
      ariadne = await startAriadne({ url: clickhouse.url, database }, folder);
      const restarted = ariadne;
      assert.ok((await spoolMetrics(restarted)).bytes > 0, 'the spool found on restart');
      await load.acknowledgedMore(10);
      await clickhouse.restart();
      await waitFor(async () => (await spoolMetrics(restarted)).bytes === 0, 'the spool to be replayed', restarted);
      assert.ok((await spoolMetrics(restarted)).replayedSpans >= 40 * SPANS_PER_BATCH);
      await load.acknowledgedMore(10);
    } finally {
      await load.stop();
    }
    assert.ok(ariadne !== undefined);
    await assertEachStoredOnce(ariadne, database, load.acknowledged);
    assert.equal(await ariadne.stop(), 0, ariadne.output());
  });

  test('a full spool refuses at once with 503 and Retry-After, and keeps what it acknowledged', async () => {
    const database = 'spool_full';
    const maxBytes = 48 * 1024;
    const ariadne = await startAriadne({ url: clickhouse.url, database }, await dataFolder(), {
      spoolMaxBytes: maxBytes,
    });
    const load = new SpoolIngestLoad(() => ariadne.otlpHttp);
    try {
      load.start(2);
      await load.acknowledgedMore(5);
      await clickhouse.kill();
      await waitFor(async () => load.refusals.length >= 10, 'refusals once the spool is full', ariadne);
      const full = await spoolMetrics(ariadne);
      assert.ok(full.bytes <= maxBytes && full.bytes > maxBytes / 2, `spool bytes ${full.bytes} of ${maxBytes}`);
      for (const refusal of load.refusals) {
        assert.equal(refusal.status, 503);
        assert.equal(refusal.retryAfter, '5');
        // Answered, not hung: a bound only a hang would miss on a busy machine.
        assert.ok(refusal.ms < 15_000, `a refusal took ${refusal.ms} ms`);
      }
      await clickhouse.restart();
      await waitFor(async () => (await spoolMetrics(ariadne)).bytes === 0, 'the spool to be replayed', ariadne);
      await load.acknowledgedMore(5);
    } finally {
      await load.stop();
    }
    await assertEachStoredOnce(ariadne, database, load.acknowledged);
    assert.equal(await ariadne.stop(), 0, ariadne.output());
  });

  test("another tenant's spool left by a SIGKILLed server replays at the next start, before any request for it", async () => {
    const database = 'spool_tenants';
    const folder = await dataFolder();
    const tenant = parseTenantId('team-a');
    let ariadne: AriadneClickHouseProcess | undefined = await startAriadne({ url: clickhouse.url, database }, folder, {
      multitenancy: true,
    });
    const load = new SpoolIngestLoad(() => ariadne?.otlpHttp, { 'x-scope-orgid': tenant });
    try {
      load.start(2);
      await load.acknowledgedMore(5);
      await clickhouse.kill();
      await load.acknowledgedMore(20);
    } finally {
      await load.stop();
    }
    await ariadne.kill();
    ariadne = undefined;
    await clickhouse.restart();
    const restarted = await startAriadne({ url: clickhouse.url, database }, folder, { multitenancy: true });
    const http = new ClickHouseHttp({ url: clickhouse.url });
    const tenantSpans = `${database}_t_${tenantStorageName(tenant)}.spans`;
    const stored = async () =>
      Number(
        (await http.query<{ traces: string }>(`SELECT uniqExact(trace_hi, trace_lo) AS traces FROM ${tenantSpans}`))[0]!
          .traces,
      );
    await waitFor(async () => (await stored()) >= load.acknowledged.length, "team-a's spool to be replayed", restarted);
    await waitFor(async () => (await spoolMetrics(restarted)).bytes === 0, 'the spool to be empty', restarted);
    const [counts] = await http.query<{ rows: string; spans: string }>(
      `SELECT count() AS rows, uniqExact(trace_hi, trace_lo, span_id) AS spans FROM ${tenantSpans}`,
    );
    assert.equal(counts!.rows, counts!.spans, 'no span stored twice');
    assert.equal(await restarted.stop(), 0, restarted.output());
  });

  test('a ClickHouse that hangs: the write is spooled after the bound, and its late insert is not replayed again', async () => {
    const database = 'spool_hang';
    const group = new SpoolGroup();
    const { store } = await openSpooledStore(await openClickHouseStore({ url: clickhouse.url, database }), {
      dir: await dataFolder(),
      group,
      spoolAfterMs: 1_000,
      retryMaxMs: 500,
    });
    try {
      const batches = Array.from({ length: 4 }, () => spoolTestBatch().spans);
      await store.writeSpans(batches[0]!);
      clickhouse.pause();
      try {
        // Acknowledged from the spool while ClickHouse holds the insert, unanswered.
        await store.writeSpans(batches[1]!);
        assert.equal(store.spool.mode, 'spooling');
        await store.writeSpans(batches[2]!); // behind it
      } finally {
        clickhouse.resume();
      }
      await store.writeSpans(batches[3]!);
      await store.drained();
      const [counts] = await new ClickHouseHttp({ url: clickhouse.url }).query<{ rows: string; spans: string }>(
        `SELECT count() AS rows, uniqExact(trace_hi, trace_lo, span_id) AS spans FROM ${database}.spans`,
      );
      assert.deepEqual(counts, { rows: String(4 * SPANS_PER_BATCH), spans: String(4 * SPANS_PER_BATCH) });
      assert.equal(store.spool.mode, 'direct');
    } finally {
      await store.close();
    }
  });

  /**
   * Every acknowledged batch is there, and no span is there twice: by SQL,
   * by trace id and search through the Jaeger API, in RED metrics and in
   * dependencies. (Batches that got no answer may be stored too: once.)
   */
  async function assertEachStoredOnce(ariadne: AriadneClickHouseProcess, database: string, acknowledged: string[]) {
    const http = new ClickHouseHttp({ url: clickhouse.url });
    const [counts] = await http.query<{ rows: string; spans: string; traces: string }>(
      `SELECT count() AS rows, uniqExact(trace_hi, trace_lo, span_id) AS spans, uniqExact(trace_hi, trace_lo) AS traces
       FROM ${database}.spans`,
    );
    const rows = Number(counts!.rows);
    const traces = Number(counts!.traces);
    assert.equal(rows, Number(counts!.spans), 'no span stored twice');
    assert.equal(rows, traces * SPANS_PER_BATCH, 'every stored batch whole');
    assert.ok(traces >= acknowledged.length, `${traces} traces stored, ${acknowledged.length} acknowledged`);

    const perTrace = new Map(
      (
        await http.query<{ hi: string; lo: string; spans: string }>(
          `SELECT trace_hi AS hi, trace_lo AS lo, count() AS spans FROM ${database}.spans GROUP BY hi, lo`,
        )
      ).map((row) => [traceIdFromHalves(BigInt(row.hi), BigInt(row.lo)), Number(row.spans)]),
    );
    assert.deepEqual(
      acknowledged.filter((traceId) => perTrace.get(traceId) !== SPANS_PER_BATCH),
      [],
      'every acknowledged trace stored whole',
    );
    // Through the query API by id: a sample spread over the run (before, during and after the outage).
    const step = Math.max(1, Math.floor(acknowledged.length / 60));
    const sample = acknowledged.filter((_, i) => i % step === 0);
    const wrong: string[] = [];
    for (let i = 0; i < sample.length; i += 6) {
      await Promise.all(
        sample.slice(i, i + 6).map(async (traceId) => {
          const response = await fetch(`${ariadne.query}/api/traces/${traceId}`);
          const body = (await response.json()) as { data?: { spans: unknown[] }[] };
          if (response.status !== 200 || body.data?.[0]?.spans.length !== SPANS_PER_BATCH) wrong.push(traceId);
        }),
      );
    }
    assert.deepEqual(wrong, [], 'acknowledged traces, whole and once, by id');

    // Jaeger's largest limit is 1,500 traces: past it, the first 1,500 found, each once.
    const search = await fetch(`${ariadne.query}/api/traces?service=frontend&limit=1500&lookback=30m`);
    const answer = await search.text();
    assert.equal(search.status, 200, answer.slice(0, 2000));
    const found = (JSON.parse(answer) as { data: { traceID: string; spans: unknown[] }[] }).data;
    assert.equal(found.length, Math.min(traces, 1500), 'search finds each stored trace');
    assert.equal(new Set(found.map((trace) => trace.traceID)).size, found.length, 'search finds each trace once');
    assert.ok(found.every((trace) => trace.spans.length === SPANS_PER_BATCH));

    const store = await openClickHouseStore({ url: clickhouse.url, database });
    try {
      const now = BigInt(Date.now()) * 1_000_000n;
      const timeRange = { startNanos: now - 7_200_000_000_000n, endNanos: now + 60_000_000_000n };
      const red = await store.getRedMetrics({
        services: ['backend', 'frontend'],
        groupByOperation: false,
        spanKinds: [SpanKind.Server],
        timeRange,
        stepNanos: 3_600_000_000_000n,
        quantiles: [0.5],
      });
      const calls = (service: string) =>
        red.find((series) => series.service === service)?.points.reduce((sum, point) => sum + point.calls, 0);
      assert.equal(calls('frontend'), traces, 'RED counts each root once');
      assert.equal(calls('backend'), traces * (SPANS_PER_BATCH - 1), 'RED counts each child once');
      const links = await store.getDependencies(timeRange);
      assert.deepEqual(links, [
        { parent: 'frontend', child: 'backend', callCount: traces * (SPANS_PER_BATCH - 1), errorCount: 0 },
      ]);
    } finally {
      await store.close();
    }
  }
});

interface SpoolMetrics {
  bytes: number;
  spooledSpans: number;
  replayedSpans: number;
}

async function spoolMetrics(ariadne: AriadneClickHouseProcess): Promise<SpoolMetrics> {
  const text = await (await fetch(`${ariadne.query}/metrics`)).text();
  const value = (name: string) => Number(new RegExp(`^${name} (\\S+)$`, 'm').exec(text)?.[1] ?? Number.NaN);
  return {
    bytes: value('ariadne_spool_bytes'),
    spooledSpans: value('ariadne_spool_spooled_spans_total'),
    replayedSpans: value('ariadne_spool_replayed_spans_total'),
  };
}

async function waitFor(condition: () => Promise<boolean>, what: string, ariadne: AriadneClickHouseProcess) {
  const deadline = Date.now() + 180_000;
  while (!(await condition())) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}:\n${ariadne.output().slice(-4000)}`);
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}
