// SIGKILL during a ClickHouse kept-tier copy: whatever step the copy was at,
// the next pass leaves every kept trace whole, none kept twice, every span
// counted once in the aggregates, and every error trace kept.
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { after, before, test } from 'node:test';
import { fileURLToPath } from 'node:url';
import type { Span } from '@ariadne/protocol';
import { DEFAULT_RETENTION_POLICY } from '../../retention/retention-policy.js';
import { retentionTestTrace, traceIdOf } from '../embedded/retention-test-traces.js';
import { ClickHouseHttp } from './clickhouse-http.js';
import { openClickHouseKeptStore } from './clickhouse-kept-store.js';
import { type ClickHouseTestServer, startClickHouseServer } from './testing/clickhouse-test-server.js';

const HOUR = 3_600_000_000_000n;
const DAY = 24n * HOUR;
const SECOND = 1_000_000_000n;
const T0 = 1_767_225_600_000_000_000n;
const TRACES = 600;
const isError = (n: number) => n % 50 === 0;

let server: ClickHouseTestServer;
before(async () => {
  server = await startClickHouseServer();
});
after(async () => {
  await server?.stop();
});

const open = (database: string, now: bigint) =>
  openClickHouseKeptStore({
    url: server.url,
    database,
    retentionNanos: HOUR,
    retentionKeptNanos: 30n * DAY,
    retentionPolicy: { ...DEFAULT_RETENTION_POLICY, sampleFraction: 0.1 },
    now: () => now,
    // The killed fixture's lease is broken at once.
    passLeaseStaleMs: 0,
  });

/** Runs the fixture and SIGKILLs it once it prints `stopAt`; resolves with whether it was killed. */
function runFixture(database: string, stopAt: string): Promise<boolean> {
  const script = fileURLToPath(new URL('./kept-tier-crash.fixture.ts', import.meta.url));
  const now = String(T0 + DAY + 2n * HOUR);
  const child = spawn(
    process.execPath,
    ['--conditions=ariadne-source', '--import', 'tsx', script, server.url, database, now, stopAt],
    { stdio: ['ignore', 'pipe', 'pipe'] },
  );
  let stderr = '';
  child.stderr.on('data', (chunk) => {
    stderr += chunk;
  });
  let pending = '';
  return new Promise((resolve, reject) => {
    child.stdout.on('data', (chunk: Buffer) => {
      pending += chunk.toString();
      const lines = pending.split('\n');
      pending = lines.pop()!;
      if (lines.includes(stopAt)) child.kill('SIGKILL');
    });
    child.on('exit', (code, signal) => {
      if (signal === 'SIGKILL') resolve(true);
      else if (code === 0) resolve(false);
      else reject(new Error(`fixture exited with ${code}: ${stderr}`));
    });
  });
}

for (const stopAt of ['aggregated', 'decided', 'copied']) {
  test(`killed after "${stopAt}": the next pass keeps every trace once and whole`, async () => {
    const database = `ariadne_crash_${stopAt}`;
    const writer = await open(database, T0 + 2n * HOUR);
    // Even traces in one write; odd ones root and child apart, as services that export their own spans.
    const writes: Span[][] = [[], [], []];
    for (let n = 1; n <= TRACES; n++) {
      const trace = retentionTestTrace({ n, startNanos: T0 + 12n * HOUR + BigInt(n) * SECOND, error: isError(n) });
      if (n % 2 === 0) writes[0]!.push(...trace);
      else {
        writes[1]!.push(trace[0]!);
        writes[2]!.push(trace[1]!);
      }
    }
    for (const batch of writes) await writer.writeSpans(batch);
    const spans = 2 * TRACES;
    await writer.close();
    assert.equal(await runFixture(database, stopAt), true, 'the fixture reached the step and was killed');

    const store = await open(database, T0 + DAY + 2n * HOUR);
    // The pass at open may have done the day already; this one waits for it.
    await store.applyRetention();
    const http = new ClickHouseHttp({ url: server.url });
    const [full] = await http.query<{ rows: string }>(`SELECT count() AS rows FROM ${database}.spans`);
    assert.equal(full?.rows, '0', 'the day is dropped from the full tier');
    const [kept] = await http.query<{ rows: string; distinct: string }>(
      `SELECT count() AS rows, uniqExact(trace_hi, trace_lo, span_id) AS distinct FROM ${database}.spans_kept`,
    );
    const [index] = await http.query<{ rows: string; distinct: string }>(
      `SELECT count() AS rows, uniqExact(trace_hi, trace_lo) AS distinct FROM ${database}.kept_traces`,
    );
    const [red] = await http.query<{ calls: string }>(`SELECT sum(calls) AS calls FROM ${database}.red_seconds`);
    const [links] = await http.query<{ calls: string }>(
      `SELECT sum(calls) AS calls FROM ${database}.dependency_seconds`,
    );
    assert.equal(kept?.rows, kept?.distinct, 'no span kept twice');
    assert.equal(index?.rows, index?.distinct, 'no trace kept twice');
    assert.equal(Number(kept?.rows), 2 * Number(index?.rows), 'every kept trace whole');
    assert.equal(Number(red?.calls), spans, 'every span counted once in RED');
    assert.equal(Number(links?.calls), TRACES, 'every call counted once in dependencies');
    for (let n = 50; n <= TRACES; n += 50) {
      assert.equal((await store.getTrace(traceIdOf(n))).length, 2, `error trace ${n} kept whole`);
      assert.deepEqual(await store.traceRetention(traceIdOf(n)), { tier: 'kept', keptBy: 'error' });
    }
    await store.close();
  });
}
