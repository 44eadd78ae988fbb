// Sustained ingest (issue 13), measured the way users make load: a load
// generator in its own process posts OTLP/HTTP protobuf over keep-alive
// connections to a server in another process (embedded store, fresh data
// folder), for a minute by default, and every second counts. Two scenarios,
// each on a fresh server:
//   fresh   every request new traces (ids, attribute values, times); meanwhile
//           this process samples the server's RSS and CPU every second and runs
//           searches by service one after another, then the same searches
//           idle once the load stopped and the server settled (same run, same data)
//   resend  the same 20 batches posted again and again, as retrying clients do
// Prints Markdown (a summary per scenario, the per-second series, the targets
// met or missed) and writes bench/charts/ingest-sustained.svg (throughput and
// RSS over time).
//   npm run bench ingest
//   INGEST_SUSTAINED_SECONDS=60 INGEST_SUSTAINED_CONNECTIONS=4 INGEST_SUSTAINED_IDLE_SECONDS=10
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { availableParallelism, tmpdir } from 'node:os';
import { dirname, join, relative } from 'node:path';
import { renderLineChart } from '../charts/svg-chart.js';
import { LOAD_DEFAULTS, type LoadGeneratorOptions } from './load-generator-options.js';
import { type LoadRun, startLoadGenerator } from './load-generator-process.js';
import { compactSeries, fmt, latencyText, MIB, mib, refusalsText, targetRow } from './load-report.js';
import { waitUntilQuiet } from './process-cpu.js';
import { type SearchSample, startSearchProbe, summarizeSearches } from './search-probe.js';
import { throughputOf } from './second-buckets.js';
import { startServerProcess } from './server-process.js';
import { type ServerSample, sampleServer } from './server-sampler.js';

const SECONDS = Number(process.env.INGEST_SUSTAINED_SECONDS ?? 60);
const CONNECTIONS = Number(process.env.INGEST_SUSTAINED_CONNECTIONS ?? LOAD_DEFAULTS.connections);
const IDLE_SECONDS = Number(process.env.INGEST_SUSTAINED_IDLE_SECONDS ?? 10);
const SEARCH_SERVICE = 'frontend';
const CHART = new URL('../charts/ingest-sustained.svg', import.meta.url).pathname;
const QUIET_BELOW_PERCENT = 20;

type Scenario = LoadGeneratorOptions['scenario'];

interface ScenarioResult {
  readonly scenario: Scenario;
  readonly load: LoadRun;
  /** Server RSS and CPU each second from the first request on (through the idle searches, for fresh). */
  readonly samples: readonly ServerSample[];
  readonly peakRssBytes: number;
  readonly serverCrashed: string;
  readonly searchUnderLoad: readonly SearchSample[];
  readonly searchIdle: readonly SearchSample[];
  /** How long after the load the server took to drop below QUIET_BELOW_PERCENT of a core. */
  readonly settledAfterMs: number;
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

async function runScenario(scenario: Scenario, withSearches: boolean): Promise<ScenarioResult> {
  const dataDir = mkdtempSync(join(tmpdir(), 'ariadne-sustained-'));
  // Tempo's and the sampling port default to fixed numbers; 0 keeps this run clear of other servers.
  const server = await startServerProcess({ storage: 'embedded', dataDir, ports: { tempo: 0, sampling: 0 } });
  try {
    const searchUrl = `${server.urls.query}/api/traces?service=${SEARCH_SERVICE}&limit=20&lookback=1h`;
    const load = startLoadGenerator(
      { url: `${server.urls.otlpHttp}/v1/traces`, scenario, durationSeconds: SECONDS, connections: CONNECTIONS },
      (second) => {
        if ((second.second + 1) % 10 === 0)
          process.stderr.write(
            `  ${scenario} s${second.second}: ${fmt(second.acknowledgedSpans)} spans acknowledged\n`,
          );
      },
    );
    const loadStartedAt = await load.started;
    const sampler = sampleServer(server);
    const probe = withSearches ? startSearchProbe(searchUrl) : undefined;
    let run: LoadRun;
    try {
      run = await load.done;
    } catch (error) {
      sampler.stop();
      await probe?.stop();
      throw error;
    }
    // Searches that went out while the generator was still sending count as "under load".
    const underLoad = ((await probe?.stop()) ?? []).filter((s) => s.startedAt < loadStartedAt + SECONDS * 1000);
    let searchIdle: SearchSample[] = [];
    let settledAfterMs = Number.NaN;
    if (withSearches && server.alive()) {
      settledAfterMs = await waitUntilQuiet(server.pid, QUIET_BELOW_PERCENT, 30_000);
      const idleProbe = startSearchProbe(searchUrl);
      await sleep(IDLE_SECONDS * 1000);
      searchIdle = await idleProbe.stop();
    }
    const samples = sampler.stop();
    const peakRssBytes = server.memory().peakRssBytes;
    const serverCrashed = server.alive()
      ? ''
      : `server exited (${JSON.stringify(await server.exit)}): ${server.stderr().slice(-500)}`;
    return {
      scenario,
      load: run,
      samples,
      peakRssBytes,
      serverCrashed,
      searchUnderLoad: underLoad,
      searchIdle,
      settledAfterMs,
    };
  } finally {
    await server.stop();
    rmSync(dataDir, { recursive: true, force: true });
  }
}

/** The seconds within the run's duration: the tail after the deadline only finishes requests already sent. */
const inWindow = (result: ScenarioResult) => result.load.seconds.filter((s) => s.second < SECONDS);
const mean = (values: readonly number[]) => values.reduce((a, b) => a + b, 0) / values.length;

process.stderr.write(`sustained ingest: fresh for ${SECONDS} s (with searches), then resend for ${SECONDS} s\n`);
const fresh = await runScenario('fresh', true);
const resend = await runScenario('resend', false);
const results = [fresh, resend];

const body = fresh.load.summary;
console.log(
  `OTLP/HTTP protobuf into the embedded store, ${SECONDS} s per scenario, each on a fresh server (its own process, ` +
    `a fresh data folder, default settings). The load generator runs in a process of its own: ${CONNECTIONS} ` +
    `keep-alive connections, one request in flight each, as fast as answers come; requests of ` +
    `${body.spansPerRequest} spans (traces of ${LOAD_DEFAULTS.spansPerTrace} spans, ${LOAD_DEFAULTS.attributesPerSpan} ` +
    `attributes of 20 random characters per span). **fresh**: every request new trace ids, span ids and attribute ` +
    `values, times of now. **resend**: the same ${LOAD_DEFAULTS.resendBatches} batches again and again. A refused ` +
    `request waits its Retry-After. Search: \`GET /api/traces?service=${SEARCH_SERVICE}&limit=20&lookback=1h\` on the ` +
    `query port, one after another, during the fresh load, then for ${IDLE_SECONDS} s once the load stopped and the ` +
    `server's CPU fell below ${QUIET_BELOW_PERCENT} % of a core. Node ${process.version}, ` +
    `${availableParallelism()} cores.\n`,
);

console.log('| | fresh | resend |');
console.log('|---|---:|---:|');
const row = (label: string, cell: (r: ScenarioResult) => string) =>
  console.log(`| ${label} | ${results.map(cell).join(' | ')} |`);
row(`acknowledged spans/s, mean over ${SECONDS} s`, (r) => fmt(throughputOf(inWindow(r)).mean));
row('lowest second (second; ratio to the mean)', (r) => {
  const t = throughputOf(inWindow(r));
  return `${fmt(t.lowest)} (s${t.lowestSecond}; ${fmt(t.lowest / t.mean, 2)})`;
});
row('highest second', (r) => fmt(Math.max(...inWindow(r).map((s) => s.acknowledgedSpans))));
row('requests', (r) => fmt(r.load.summary.requests));
row('request latency p50 / p99 / max', (r) => latencyText(r.load.summary.latencyMs, ['p50', 'p99', 'max']));
row('refusals (requests, by status)', (r) => refusalsText(r.load.summary.refusals));
row('missing Retry-After / network errors / timeouts (30 s)', (r) =>
  [r.load.summary.missingRetryAfter, r.load.summary.networkErrors, r.load.summary.timeouts]
    .map((n) => fmt(n))
    .join(' / '),
);
row(`spans acknowledged after the ${SECONDS} s (requests in flight at the end)`, (r) =>
  fmt(r.load.seconds.filter((s) => s.second >= SECONDS).reduce((sum, s) => sum + s.acknowledgedSpans, 0)),
);
row('server RSS peak (VmHWM)', (r) => mib(r.peakRssBytes));
row('server RSS at the end of the load', (r) => {
  const sample = r.samples[Math.min(r.samples.length, SECONDS) - 1];
  return sample ? mib(sample.rssBytes) : '—';
});
row('server CPU, mean (% of one core)', (r) => fmt(mean(r.samples.slice(0, SECONDS).map((s) => s.cpuPercent))));
row('load generator CPU, mean (% of one core)', (r) => fmt(mean(inWindow(r).map((s) => s.generatorCpuPercent))));
const freshUnderLoad = summarizeSearches(fresh.searchUnderLoad);
const freshIdle = summarizeSearches(fresh.searchIdle);
const searchRatio = freshUnderLoad.p95 / freshIdle.p95;
row('search by service under load: p50 / p95 / max (searches)', (r) =>
  r.scenario === 'fresh'
    ? `${latencyText(freshUnderLoad, ['p50', 'p95', 'max'])} (${freshUnderLoad.count}${freshUnderLoad.failed ? `, ${freshUnderLoad.failed} failed` : ''})`
    : '—',
);
row('search by service idle: p50 / p95 / max (searches)', (r) =>
  r.scenario === 'fresh'
    ? `${latencyText(freshIdle, ['p50', 'p95', 'max'])} (${freshIdle.count}${freshIdle.failed ? `, ${freshIdle.failed} failed` : ''})`
    : '—',
);
row('search p95 under load / idle', (r) => (r.scenario === 'fresh' ? `${fmt(searchRatio, 1)}×` : '—'));
row('traces per search answer (median, under load / idle)', (r) =>
  r.scenario === 'fresh' ? `${freshUnderLoad.medianTraces} / ${freshIdle.medianTraces}` : '—',
);
row('server settled below 20 % CPU after the load', (r) =>
  r.scenario === 'fresh' ? `${fmt(r.settledAfterMs / 1000, 1)} s` : '—',
);
for (const r of results) {
  if (r.serverCrashed) console.log(`\n**${r.scenario}: ${r.serverCrashed}**`);
  if (r.load.summary.firstError) console.log(`\n${r.scenario}, first error: \`${r.load.summary.firstError}\``);
}

for (const r of results) {
  console.log(`\n${r.scenario}, second by second (from the first request; s${SECONDS} on is the tail):\n`);
  console.log('```');
  console.log('acknowledged spans/s, thousands');
  console.log(
    compactSeries(
      r.load.seconds.map((s) => s.acknowledgedSpans / 1000),
      (v) => fmt(v, 1),
    ),
  );
  const refusing = r.load.seconds.filter((s) => s.refusedSpans + s.networkErrors + s.timeouts > 0);
  if (refusing.length > 0) {
    console.log('refused requests / network errors / timeouts, seconds with any');
    for (const s of refusing)
      console.log(`s${s.second}: ${refusalsText(s.refusals)} / ${s.networkErrors} / ${s.timeouts}`);
  }
  console.log(r.scenario === 'fresh' ? 'server RSS, MiB (through the idle searches)' : 'server RSS, MiB');
  console.log(
    compactSeries(
      r.samples.map((s) => s.rssBytes / MIB),
      (v) => fmt(v),
      20,
      1,
    ),
  );
  console.log('server CPU, % of one core');
  console.log(
    compactSeries(
      r.samples.map((s) => s.cpuPercent),
      (v) => fmt(v),
      20,
      1,
    ),
  );
  console.log('```');
}

const freshThroughput = throughputOf(inWindow(fresh));
const resendThroughput = throughputOf(inWindow(resend));
const freshLatency = fresh.load.summary.latencyMs;
const resendLatency = resend.load.summary.latencyMs;
const resendStalled =
  resendThroughput.lowest < resendThroughput.mean / 2 || resendLatency.max > 1000 || resend.load.summary.timeouts > 0;
const maxPeak = Math.max(fresh.peakRssBytes, resend.peakRssBytes);
console.log(
  `\nTargets (issue 13; 2 cores, the load generator sharing them, runs of at least 60 s${SECONDS < 60 ? `; **this run was ${SECONDS} s, so the figures are indicative only**` : ''}):\n`,
);
console.log('| target | measured | |');
console.log('|---|---|---|');
console.log(
  targetRow(
    'fresh ≥ 100,000 spans/s acknowledged on average',
    `${fmt(freshThroughput.mean)} spans/s`,
    freshThroughput.mean >= 100_000,
  ),
);
console.log(
  targetRow(
    'no second below half the average',
    `lowest ${fmt(freshThroughput.lowest)} (${fmt(freshThroughput.lowest / freshThroughput.mean, 2)} of the mean)`,
    freshThroughput.lowest >= freshThroughput.mean / 2,
  ),
);
console.log(
  targetRow('every request answered within 1 s', `max ${fmt(freshLatency.max)} ms`, freshLatency.max <= 1000),
);
console.log(targetRow('request p99 ≤ 250 ms', `${fmt(freshLatency.p99)} ms`, freshLatency.p99 <= 250));
console.log(
  targetRow(
    're-sent batches ≥ 70 % of the fresh rate',
    `${fmt(resendThroughput.mean)} spans/s (${fmt((resendThroughput.mean / freshThroughput.mean) * 100)} %)`,
    resendThroughput.mean >= 0.7 * freshThroughput.mean,
  ),
);
console.log(
  targetRow(
    're-sent batches: no stall (no second below half their mean, no request over 1 s)',
    `lowest second ${fmt(resendThroughput.lowest)} (${fmt(resendThroughput.lowest / resendThroughput.mean, 2)} of the mean), max ${fmt(resendLatency.max)} ms, ${resend.load.summary.timeouts} timeouts`,
    !resendStalled,
  ),
);
console.log(
  targetRow(
    'search by service p95 under full load ≤ 3× idle p95',
    `${fmt(freshUnderLoad.p95)} ms vs ${fmt(freshIdle.p95)} ms idle (${fmt(searchRatio, 1)}×)`,
    Number.isFinite(searchRatio) ? searchRatio <= 3 : undefined,
  ),
);
console.log(
  targetRow(
    'server RSS ≤ 1 GiB at full rate',
    `peak ${mib(fresh.peakRssBytes)} (fresh), ${mib(resend.peakRssBytes)} (resend)`,
    maxPeak <= 1024 * MIB,
  ),
);
console.log('\nThe 10-minute soak at half rate is `npm run bench soak`.');

const second = (s: { second: number }) => s.second + 1;
const svg = renderLineChart({
  title: `Sustained ingest, OTLP/HTTP protobuf, ${CONNECTIONS} connections, ${SECONDS} s per scenario`,
  xLabel: 'seconds since the first request (throughput: by the second it was acknowledged in; RSS: sampled at its end)',
  panels: [
    {
      title: 'acknowledged spans per second',
      series: [
        { name: 'fresh', color: '#1f77b4', points: inWindow(fresh).map((s) => [second(s), s.acknowledgedSpans]) },
        { name: 'resend', color: '#ff7f0e', points: inWindow(resend).map((s) => [second(s), s.acknowledgedSpans]) },
      ],
      references: [{ value: 100_000, label: 'target 100k' }],
    },
    {
      title: 'server RSS (MiB)',
      series: [
        { name: 'fresh', color: '#1f77b4', points: fresh.samples.map((s) => [s.second, s.rssBytes / MIB]) },
        { name: 'resend', color: '#ff7f0e', points: resend.samples.map((s) => [s.second, s.rssBytes / MIB]) },
      ],
      references: [{ value: 1024, label: 'ceiling 1 GiB' }],
    },
  ],
});
mkdirSync(dirname(CHART), { recursive: true });
writeFileSync(CHART, svg);
console.log(`\nChart: \`${relative(process.cwd(), CHART)}\` (throughput and RSS over time, both scenarios).`);
