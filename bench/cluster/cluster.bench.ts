// The cluster benchmark (`npm run bench cluster`): one real clickhouse-server,
// two `ariadne collector` processes and one `ariadne query` process over it,
// each with its own data folder and free loopback ports. Two load generator
// processes (fresh traces over OTLP/HTTP protobuf, closed loop) run in two
// phases of the same length, one after the other in the same run:
//
//   one collector    both generators send to the first collector
//   two collectors   each generator sends to its own collector
//
// so the clients (processes, connections) are the same and only the number of
// collectors differs: the ratio of the two phases is measured side by side.
// Meanwhile searches by service go, one after another, through the query
// node; after the load, once the processes are quiet, the same searches run
// idle, then a few traces found are read by id through the query node.
//
//   CLUSTER_BENCH_SECONDS=60 CLUSTER_BENCH_CONNECTIONS=4 CLUSTER_BENCH_IDLE_SECONDS=10
//   CLUSTER_BENCH_WARMUP_SECONDS=10 (both collectors, before the phases, not reported)
//
// Every process and temporary folder is removed at the end, also when a step
// fails or the bench is interrupted (SIGINT/SIGTERM).
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PORT_FLAGS } from '../../packages/server/src/cli/serve-command.js';
import {
  type ClickHouseTestServer,
  startClickHouseServer,
} from '../../packages/server/src/storage/clickhouse/testing/clickhouse-test-server.js';
import { LOAD_DEFAULTS, type LoadGeneratorOptions } from '../ingest/load-generator-options.js';
import { type LoadRun, startLoadGenerator } from '../ingest/load-generator-process.js';
import { compactSeries, fmt, latencyText, MIB, mib, refusalsText } from '../ingest/load-report.js';
import { summarizeLatencies } from '../ingest/percentiles.js';
import { type SearchSample, startSearchProbe, summarizeSearches } from '../ingest/search-probe.js';
import { procStatusBytes } from '../ingest/server-process.js';
import { type ServerSample, sampleServer } from '../ingest/server-sampler.js';
import { processCpuSeconds } from '../storage/process-cpu.js';
import { type RoleProcess, startRoleProcess } from './role-process.js';
import { spooledSpans } from './spooled-spans.js';

const SECONDS = Number(process.env.CLUSTER_BENCH_SECONDS ?? 60);
const CONNECTIONS = Number(process.env.CLUSTER_BENCH_CONNECTIONS ?? LOAD_DEFAULTS.connections);
const IDLE_SECONDS = Number(process.env.CLUSTER_BENCH_IDLE_SECONDS ?? 10);
/** Load on both collectors before the phases, not reported: so that neither phase pays for compiling the hot code. */
const WARMUP_SECONDS = Number(process.env.CLUSTER_BENCH_WARMUP_SECONDS ?? 10);
const SEARCH_SERVICE = 'frontend';
const TRACES_BY_ID = 5;
const QUIET_BELOW_PERCENT = 20;
const DATABASE = 'cluster_bench';

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** Anything with a pid whose memory /proc tells: the roles and ClickHouse. */
interface Sampled {
  readonly name: string;
  readonly pid: number;
  memory(): { readonly rssBytes: number; readonly peakRssBytes: number };
}

interface PhaseResult {
  readonly name: string;
  /** Which process each generator sent to, in generator order. */
  readonly targets: readonly string[];
  readonly runs: readonly LoadRun[];
  /** Per sampled process, its samples over the phase (from the first request to the last answer). */
  readonly samples: ReadonlyMap<string, readonly ServerSample[]>;
  readonly clickhouseCpuSeconds: number;
  readonly elapsedSeconds: number;
  readonly searches: readonly SearchSample[];
  /** Per collector, spans it acknowledged from its spool during the phase rather than after ClickHouse's answer. */
  readonly spooled: ReadonlyMap<string, number>;
}

// Everything to stop, newest first, whatever ends the bench.
const cleanups: (() => Promise<void> | void)[] = [];
let cleaning: Promise<void> | undefined;
function cleanUp(): Promise<void> {
  cleaning ??= (async () => {
    for (const cleanup of cleanups.reverse()) {
      try {
        await cleanup();
      } catch (error) {
        process.stderr.write(`cleanup failed: ${error}\n`);
      }
    }
  })();
  return cleaning;
}
for (const signal of ['SIGINT', 'SIGTERM'] as const) {
  process.once(signal, () => {
    process.stderr.write(`${signal}: stopping every process of the cluster bench\n`);
    void cleanUp().finally(() => process.exit(130));
  });
}

function pidMemory(pid: number) {
  return { rssBytes: procStatusBytes(pid, 'VmRSS'), peakRssBytes: procStatusBytes(pid, 'VmHWM') };
}

/** Polls until every pid uses less than `percent` of a core over a second, or `timeoutMs` passed: how long it took. */
async function waitUntilAllQuiet(pids: readonly number[], percent: number, timeoutMs: number): Promise<number> {
  const started = performance.now();
  while (performance.now() - started < timeoutMs) {
    const before = pids.map((pid) => processCpuSeconds(pid) ?? 0);
    await sleep(1000);
    const busy = pids.some((pid, i) => ((processCpuSeconds(pid) ?? 0) - before[i]!) * 100 > percent);
    if (!busy) return performance.now() - started;
  }
  return Number.NaN;
}

async function runPhase(
  name: string,
  seconds: number,
  targets: readonly RoleProcess[],
  sampled: readonly Sampled[],
  clickhousePid: number | undefined,
  searchUrl: string,
): Promise<PhaseResult> {
  process.stderr.write(`cluster bench: ${name} for ${seconds} s\n`);
  const loads = targets.map((target, g) =>
    startLoadGenerator(
      {
        url: target.endpoints.get('OTLP/HTTP receiver')!,
        scenario: 'fresh',
        durationSeconds: seconds,
        connections: CONNECTIONS,
      } satisfies LoadGeneratorOptions,
      (second) => {
        if ((second.second + 1) % 10 === 0)
          process.stderr.write(
            `  ${name}, generator ${g + 1} s${second.second}: ${fmt(second.acknowledgedSpans)} spans\n`,
          );
      },
    ),
  );
  // A generator still running when the bench fails is killed (one that ended is not: its pid may be reused).
  const running = new Set(loads.map((load) => load.pid));
  for (const load of loads) load.done.catch(() => {}).finally(() => running.delete(load.pid));
  cleanups.push(() => {
    for (const pid of running) process.kill(pid, 'SIGKILL');
  });
  const collectors = [...new Set(targets)];
  const adminUrl = (collector: RoleProcess) => collector.endpoints.get('health and metrics')!;
  const spooledBefore = await Promise.all(collectors.map((collector) => spooledSpans(adminUrl(collector))));
  const startedAt = Math.min(...(await Promise.all(loads.map((load) => load.started))));
  const samplers = sampled.map((process) => [process.name, sampleServer(process)] as const);
  const cpuBefore = processCpuSeconds(clickhousePid) ?? Number.NaN;
  const probe = startSearchProbe(searchUrl);
  let runs: LoadRun[];
  try {
    runs = await Promise.all(loads.map((load) => load.done));
  } catch (error) {
    for (const [, sampler] of samplers) sampler.stop();
    await probe.stop();
    throw error;
  }
  const elapsedSeconds = (performance.now() - startedAt) / 1000;
  const clickhouseCpuSeconds = (processCpuSeconds(clickhousePid) ?? Number.NaN) - cpuBefore;
  const samples = new Map(samplers.map(([processName, sampler]) => [processName, sampler.stop()] as const));
  // Searches that went out while the generators were still sending count as "under load".
  const searches = (await probe.stop()).filter((s) => s.startedAt < startedAt + seconds * 1000);
  const spooledAfter = await Promise.all(collectors.map((collector) => spooledSpans(adminUrl(collector))));
  const spooled = new Map(collectors.map((collector, i) => [collector.name, spooledAfter[i]! - spooledBefore[i]!]));
  return {
    name,
    targets: targets.map((target) => target.name),
    runs,
    samples,
    clickhouseCpuSeconds,
    elapsedSeconds,
    searches,
    spooled,
  };
}

/** Per-second acknowledged spans of one run, within the phase's duration (the tail only finishes requests in flight). */
const ackSeries = (run: LoadRun) => run.seconds.filter((s) => s.second < SECONDS).map((s) => s.acknowledgedSpans);
const sumSeries = (series: readonly (readonly number[])[]) =>
  Array.from({ length: Math.max(...series.map((s) => s.length)) }, (_, i) =>
    series.reduce((total, s) => total + (s[i] ?? 0), 0),
  );
const mean = (values: readonly number[]) =>
  values.length === 0 ? Number.NaN : values.reduce((a, b) => a + b, 0) / values.length;
const spansText = (value: number) => fmt(value);

async function readTracesById(
  queryUrl: string,
): Promise<{ traceId: string; ms: number; spans: number; status: number }[]> {
  const found = await fetch(`${queryUrl}/api/traces?service=${SEARCH_SERVICE}&limit=${TRACES_BY_ID}&lookback=1h`);
  const body = (await found.json()) as { data?: { traceID: string }[] };
  const ids = (body.data ?? []).map((trace) => trace.traceID).slice(0, TRACES_BY_ID);
  const read = [];
  for (const traceId of ids) {
    const started = performance.now();
    const response = await fetch(`${queryUrl}/api/traces/${traceId}`, { signal: AbortSignal.timeout(30_000) });
    const trace = (await response.json()) as { data?: { spans: unknown[] }[] };
    read.push({
      traceId,
      ms: performance.now() - started,
      spans: trace.data?.[0]?.spans.length ?? 0,
      status: response.status,
    });
  }
  return read;
}

function printPhase(phase: PhaseResult, collectorNames: readonly string[]): number {
  console.log(`### ${phase.name}\n`);
  const series = phase.runs.map(ackSeries);
  const perCollector = collectorNames
    .map((collector) => ({
      collector,
      series: sumSeries(series.filter((_, g) => phase.targets[g] === collector)),
    }))
    .filter((entry) => phase.targets.includes(entry.collector));
  const total = sumSeries(series);
  console.log('| | spans/s acknowledged (mean over the seconds) | lowest second |');
  console.log('|---|---|---|');
  for (const { collector, series: s } of perCollector)
    console.log(`| ${collector} | ${fmt(mean(s))} | ${fmt(Math.min(...s))} |`);
  console.log(`| **total** | **${fmt(mean(total))}** | ${fmt(Math.min(...total))} |`);
  console.log('');
  for (const { collector, series: s } of perCollector) {
    console.log(`${collector}, acknowledged spans second by second:\n`);
    console.log(`\`\`\`\n${compactSeries(s, spansText, 15)}\n\`\`\`\n`);
  }
  if (perCollector.length > 1)
    console.log(`total, second by second:\n\n\`\`\`\n${compactSeries(total, spansText, 15)}\n\`\`\`\n`);
  console.log(
    '| generator | sends to | requests | request latency p50 / p99 / max | refusals | network errors | timeouts | generator CPU |',
  );
  console.log('|---|---|---|---|---|---|---|---|');
  for (const [g, run] of phase.runs.entries()) {
    const s = run.summary;
    console.log(
      `| ${g + 1} | ${phase.targets[g]} | ${fmt(s.requests)} | ${latencyText(s.latencyMs, ['p50', 'p99', 'max'])} | ` +
        `${refusalsText(s.refusals)} | ${fmt(s.networkErrors)} | ${fmt(s.timeouts)} | ${fmt(s.generatorCpuSeconds, 1)} s |`,
    );
  }
  console.log('');
  console.log('| process | RSS at the end | highest RSS sampled | CPU, mean % of one core |');
  console.log('|---|---|---|---|');
  for (const [processName, samples] of phase.samples) {
    const last = samples[samples.length - 1];
    console.log(
      `| ${processName} | ${last ? mib(last.rssBytes) : '—'} | ${fmt(Math.max(...samples.map((s) => s.rssBytes)) / MIB)} MiB | ` +
        `${fmt(mean(samples.map((s) => s.cpuPercent)))} % |`,
    );
  }
  console.log(
    `\nSpans acknowledged from a collector's spool (fsynced because ClickHouse was slow or away) rather than after ` +
      `ClickHouse's answer: ${[...phase.spooled].map(([collector, spans]) => `${collector} ${fmt(spans)}`).join(', ')}.`,
  );
  console.log(
    `ClickHouse's own CPU over the phase (/proc, merges included): ${fmt(phase.clickhouseCpuSeconds, 1)} s in ` +
      `${fmt(phase.elapsedSeconds, 1)} s = ${fmt((phase.clickhouseCpuSeconds / phase.elapsedSeconds) * 100)} % of one core.\n`,
  );
  return mean(total);
}

async function main(): Promise<void> {
  const dir = mkdtempSync(join(tmpdir(), 'ariadne-cluster-bench-'));
  cleanups.push(() => rmSync(dir, { recursive: true, force: true }));
  process.stderr.write('cluster bench: starting clickhouse-server\n');
  const clickhouse: ClickHouseTestServer = await startClickHouseServer();
  cleanups.push(() => clickhouse.stop());
  const flags = {
    storage: 'clickhouse',
    'clickhouse-url': clickhouse.url,
    'clickhouse-database': DATABASE,
    host: '127.0.0.1',
    'log-format': 'json',
    // Every listener on a free port: the defaults are fixed numbers (UDP 6831 among them) another server may hold.
    ...Object.fromEntries(Object.keys(PORT_FLAGS).map((flag) => [flag, '0'])),
  };
  const common = Object.entries(flags).flatMap(([flag, value]) => [`--${flag}`, value]);
  // One after the other: each migrates the schema at open, and the machine is shared.
  const roles: RoleProcess[] = [];
  for (const [name, role] of [
    ['collector 1', 'collector'],
    ['collector 2', 'collector'],
    ['query node', 'query'],
  ] as const) {
    process.stderr.write(`cluster bench: starting ${name}\n`);
    const started = await startRoleProcess(name, [role, '--data-dir', join(dir, name.replace(' ', '-')), ...common]);
    cleanups.push(() => started.stop());
    roles.push(started);
  }
  const [collector1, collector2, queryNode] = roles as [RoleProcess, RoleProcess, RoleProcess];
  const queryUrl = new URL(queryNode.endpoints.get('web UI and query API')!).origin;
  const searchUrl = `${queryUrl}/api/traces?service=${SEARCH_SERVICE}&limit=20&lookback=1h`;
  const sampled: Sampled[] = [
    ...roles,
    ...(clickhouse.pid === undefined
      ? []
      : [{ name: 'clickhouse-server', pid: clickhouse.pid, memory: () => pidMemory(clickhouse.pid!) }]),
  ];
  const allPids = sampled.map((s) => s.pid);

  if (WARMUP_SECONDS > 0) {
    await runPhase('warm-up', WARMUP_SECONDS, [collector1, collector2], sampled, clickhouse.pid, searchUrl);
    await waitUntilAllQuiet(allPids, QUIET_BELOW_PERCENT, 30_000);
  }
  const one = await runPhase('one collector', SECONDS, [collector1, collector1], sampled, clickhouse.pid, searchUrl);
  await waitUntilAllQuiet(allPids, QUIET_BELOW_PERCENT, 30_000);
  const two = await runPhase('two collectors', SECONDS, [collector1, collector2], sampled, clickhouse.pid, searchUrl);
  const settledAfterMs = await waitUntilAllQuiet(allPids, QUIET_BELOW_PERCENT, 30_000);
  process.stderr.write(`cluster bench: searches idle for ${IDLE_SECONDS} s\n`);
  const idleProbe = startSearchProbe(searchUrl);
  await sleep(IDLE_SECONDS * 1000);
  const idle = await idleProbe.stop();
  const byId = await readTracesById(queryUrl);
  const crashed = roles.filter((role) => !role.alive());

  console.log(
    `One clickhouse-server (${DATABASE} database, schema as the store migrates it), two \`ariadne collector\` and one ` +
      `\`ariadne query\` process, each from TypeScript sources with its own data folder, all on 127.0.0.1 ports. ` +
      `Two load generator processes, ${CONNECTIONS} keep-alive connections each, closed loop, fresh traces ` +
      `(${LOAD_DEFAULTS.spansPerRequest} spans a request, traces of ${LOAD_DEFAULTS.spansPerTrace} spans) over ` +
      `OTLP/HTTP protobuf. After ${WARMUP_SECONDS} s of warm-up on both collectors (not reported), ` +
      `${SECONDS} s a phase: **one collector** (both generators to collector 1), then **two ` +
      `collectors** (one generator each), in this order in the same run. Searches ` +
      `\`GET /api/traces?service=${SEARCH_SERVICE}&limit=20&lookback=1h\` one after another through the query node ` +
      `during both phases, then idle for ${IDLE_SECONDS} s once every process used under ${QUIET_BELOW_PERCENT} % of ` +
      `a core (after ${fmt(settledAfterMs / 1000, 1)} s). Every process shares the machine's cores with the others.\n`,
  );
  const oneTotal = printPhase(one, [collector1.name]);
  const twoTotal = printPhase(two, [collector1.name, collector2.name]);

  console.log('### Side by side\n');
  console.log('| | one collector | two collectors | two / one |');
  console.log('|---|---|---|---|');
  console.log(
    `| acknowledged spans/s, total | ${fmt(oneTotal)} | ${fmt(twoTotal)} | ${fmt(twoTotal / oneTotal, 2)}× |`,
  );
  const cpuPercent = (p: PhaseResult) => (p.clickhouseCpuSeconds / p.elapsedSeconds) * 100;
  console.log(
    `| ClickHouse CPU, % of one core | ${fmt(cpuPercent(one))} | ${fmt(cpuPercent(two))} | ${fmt(cpuPercent(two) / cpuPercent(one), 2)}× |`,
  );
  const searchOne = summarizeSearches(one.searches);
  const searchTwo = summarizeSearches(two.searches);
  const searchIdle = summarizeSearches(idle);
  console.log(
    `| search by service under load, p50 / p95 (searches) | ${latencyText(searchOne, ['p50', 'p95'])} (${searchOne.count}) | ` +
      `${latencyText(searchTwo, ['p50', 'p95'])} (${searchTwo.count}) | ${fmt(searchTwo.p95 / searchOne.p95, 2)}× (p95) |`,
  );
  console.log('');
  console.log(
    '| search by service through the query node | p50 / p95 / max | searches | failed | traces per answer (median) |',
  );
  console.log('|---|---|---|---|---|');
  for (const [label, s] of [
    ['under load, one collector', searchOne],
    ['under load, two collectors', searchTwo],
    ['idle, after the load (same data)', searchIdle],
  ] as const)
    console.log(
      `| ${label} | ${latencyText(s, ['p50', 'p95', 'max'])} | ${s.count} | ${s.failed} | ${s.medianTraces} |`,
    );
  console.log(`\nsearch p95 under load (two collectors) / idle: ${fmt(searchTwo.p95 / searchIdle.p95, 1)}×\n`);
  const byIdLatency = summarizeLatencies(byId.map((read) => read.ms));
  console.log(
    `Trace by id through the query node, idle, ${byId.length} traces found by the search, each read once ` +
      `(\`GET /api/traces/<id>\`): p50 / max ${latencyText(byIdLatency, ['p50', 'max'])}.\n`,
  );
  console.log('| trace id | status | spans | ms |');
  console.log('|---|---|---|---|');
  for (const read of byId) console.log(`| ${read.traceId} | ${read.status} | ${read.spans} | ${fmt(read.ms, 1)} |`);
  if (crashed.length > 0) {
    console.log(
      `\n**Crashed during the run:** ${crashed.map((role) => `${role.name}: ${role.logs().slice(-500)}`).join('; ')}`,
    );
    process.exitCode = 1;
  }
}

try {
  await main();
} catch (error) {
  process.stderr.write(`cluster bench failed: ${error instanceof Error ? (error.stack ?? error.message) : error}\n`);
  process.exitCode = 1;
} finally {
  await cleanUp();
}
