// Soak (issue 13): fresh traces at half the target rate for ten minutes, to see
// whether the server's memory settles or keeps growing. The same machinery as
// the sustained ingest run (bench/ingest/sustained.bench.ts): a server in its
// own process (embedded store, fresh data folder), the load generator in
// another, here open loop (requests go out on a schedule of SOAK_RATE spans/s
// whatever the answers, so a slow server falls behind rather than slowing the
// load), the server's RSS and CPU sampled every second by this process.
// Prints Markdown and writes bench/charts/soak.svg.
//   npm run bench soak
//   SOAK_SECONDS=600 SOAK_RATE=50000 SOAK_CONNECTIONS=8
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { availableParallelism, tmpdir } from 'node:os';
import { dirname, join, relative } from 'node:path';
import { renderLineChart } from '../charts/svg-chart.js';
import { LOAD_DEFAULTS } from '../ingest/load-generator-options.js';
import { type LoadRun, startLoadGenerator } from '../ingest/load-generator-process.js';
import { compactSeries, fmt, latencyText, MIB, mib, refusalsText, targetRow } from '../ingest/load-report.js';
import { throughputOf } from '../ingest/second-buckets.js';
import { startServerProcess } from '../ingest/server-process.js';
import { type ServerSample, sampleServer } from '../ingest/server-sampler.js';

const SECONDS = Number(process.env.SOAK_SECONDS ?? 600);
const RATE = Number(process.env.SOAK_RATE ?? 50_000);
// An open loop needs room for requests in flight: at 100 requests/s and 100 ms each, ten.
// Four connections would cap the offered rate at 4 / latency and hide a slow server as a slow client.
const CONNECTIONS = Number(process.env.SOAK_CONNECTIONS ?? 8);
const CHART = new URL('../charts/soak.svg', import.meta.url).pathname;
// The issue compares RSS after minute 1 with RSS after minute 10; a shorter run compares the
// same fractions of itself (a tenth, and the end), and says so.
const EARLY_SECOND = SECONDS >= 600 ? 60 : Math.max(1, Math.round(SECONDS / 10));

const dataDir = mkdtempSync(join(tmpdir(), 'ariadne-soak-'));
const server = await startServerProcess({ storage: 'embedded', dataDir, ports: { tempo: 0, sampling: 0 } });
let run: LoadRun;
let samples: readonly ServerSample[];
let peakRssBytes: number;
let serverCrashed = '';
try {
  process.stderr.write(`soak: ${fmt(RATE)} spans/s offered for ${SECONDS} s\n`);
  const load = startLoadGenerator(
    {
      url: `${server.urls.otlpHttp}/v1/traces`,
      scenario: 'fresh',
      durationSeconds: SECONDS,
      connections: CONNECTIONS,
      spansPerSecond: RATE,
    },
    (second) => {
      if ((second.second + 1) % 60 === 0)
        process.stderr.write(
          `  s${second.second}: ${fmt(second.acknowledgedSpans)} spans acknowledged, RSS ${mib(server.memory().rssBytes)}\n`,
        );
    },
  );
  await load.started;
  const sampler = sampleServer(server);
  try {
    run = await load.done;
  } finally {
    samples = sampler.stop();
  }
  peakRssBytes = server.memory().peakRssBytes;
  if (!server.alive())
    serverCrashed = `server exited (${JSON.stringify(await server.exit)}): ${server.stderr().slice(-500)}`;
} finally {
  await server.stop();
  rmSync(dataDir, { recursive: true, force: true });
}

const summary = run.summary;
const inRun = run.seconds.filter((s) => s.second < SECONDS);
const throughput = throughputOf(inRun);
const rssAt = (second: number) => samples.find((s) => s.second === second)?.rssBytes ?? Number.NaN;
const early = rssAt(EARLY_SECOND);
const late = rssAt(Math.min(SECONDS, samples.length));
const growth = late / early - 1;
const mean = (values: readonly number[]) => values.reduce((a, b) => a + b, 0) / values.length;

console.log(
  `Fresh traces over OTLP/HTTP protobuf into the embedded store at ${fmt(RATE)} spans/s offered (open loop: requests ` +
    `go out on schedule whatever the answers, over up to ${CONNECTIONS} keep-alive connections) for ${SECONDS} s; ` +
    `requests of ${summary.spansPerRequest} spans (traces of ${LOAD_DEFAULTS.spansPerTrace}, ` +
    `${LOAD_DEFAULTS.attributesPerSpan} attributes of 20 random characters per span), every one new trace ids, span ` +
    `ids and values. The server runs in its own process (fresh data folder, default settings), the load generator ` +
    `in another; this process samples the server's RSS and CPU every second. Node ${process.version}, ` +
    `${availableParallelism()} cores.\n`,
);
console.log('| | |');
console.log('|---|---:|');
console.log(`| offered | ${fmt(RATE)} spans/s |`);
console.log(`| acknowledged, mean over ${SECONDS} s | ${fmt(throughput.mean)} spans/s |`);
console.log(
  `| lowest second (second; ratio to the mean) | ${fmt(throughput.lowest)} (s${throughput.lowestSecond}; ${fmt(throughput.lowest / throughput.mean, 2)}) |`,
);
console.log(
  `| scheduled but not sent by the end (the generator fell behind) | ${fmt(summary.unsentScheduledSpans)} spans |`,
);
console.log(`| requests | ${fmt(summary.requests)} |`);
console.log(`| request latency p50 / p99 / max | ${latencyText(summary.latencyMs, ['p50', 'p99', 'max'])} |`);
console.log(`| refusals (requests, by status) | ${refusalsText(summary.refusals)} |`);
console.log(
  `| missing Retry-After / network errors / timeouts (30 s) | ${summary.missingRetryAfter} / ${summary.networkErrors} / ${summary.timeouts} |`,
);
console.log(`| server RSS after s${EARLY_SECOND} | ${mib(early)} |`);
console.log(`| server RSS at the end (s${Math.min(SECONDS, samples.length)}) | ${mib(late)} |`);
console.log(`| change | ${fmt(growth * 100, 1)} % |`);
console.log(`| server RSS peak (VmHWM) | ${mib(peakRssBytes)} |`);
console.log(`| server CPU, mean (% of one core) | ${fmt(mean(samples.map((s) => s.cpuPercent)))} |`);
console.log(`| load generator CPU, mean (% of one core) | ${fmt(mean(inRun.map((s) => s.generatorCpuPercent)))} |`);
if (serverCrashed) console.log(`\n**${serverCrashed}**`);
if (summary.firstError) console.log(`\nFirst error: \`${summary.firstError}\``);

console.log('\nPer minute (RSS sampled at the end of the minute):\n');
console.log('| minute | acknowledged spans/s | request refusals | server RSS | server CPU (% of one core) |');
console.log('|---:|---:|---|---:|---:|');
for (let minute = 1; (minute - 1) * 60 < SECONDS; minute++) {
  const seconds = inRun.filter((s) => s.second >= (minute - 1) * 60 && s.second < minute * 60);
  const refusals: Record<string, number> = {};
  for (const s of seconds)
    for (const [status, count] of Object.entries(s.refusals)) refusals[status] = (refusals[status] ?? 0) + count;
  const cpu = samples.filter((s) => s.second > (minute - 1) * 60 && s.second <= minute * 60);
  const rss = rssAt(Math.min(minute * 60, SECONDS, samples.length));
  console.log(
    `| ${minute} | ${fmt(throughputOf(seconds).mean)} | ${refusalsText(refusals)} | ${mib(rss)} | ${fmt(mean(cpu.map((s) => s.cpuPercent)))} |`,
  );
}

console.log('\nSecond by second (from the first request):\n');
console.log('```');
console.log('acknowledged spans/s, thousands');
console.log(
  compactSeries(
    inRun.map((s) => s.acknowledgedSpans / 1000),
    (v) => fmt(v, 1),
    30,
  ),
);
console.log('server RSS, MiB');
console.log(
  compactSeries(
    samples.map((s) => s.rssBytes / MIB),
    (v) => fmt(v),
    30,
    1,
  ),
);
console.log('```');

console.log(
  `\nTargets (issue 13: a 10-minute soak at half rate${SECONDS < 600 ? `; **this run was ${SECONDS} s, so RSS after s${EARLY_SECOND} stands in for minute 1 and the end for minute 10: indicative only**` : ''}):\n`,
);
console.log('| target | measured | |');
console.log('|---|---|---|');
console.log(
  targetRow(
    'RSS after minute 10 within 10 % of RSS after minute 1',
    `${mib(early)} → ${mib(late)} (${growth >= 0 ? '+' : ''}${fmt(growth * 100, 1)} %)`,
    Number.isFinite(growth) ? Math.abs(growth) <= 0.1 : undefined,
  ),
);
console.log(
  targetRow(
    'the server kept up with the offered half rate (condition of the soak: ≥ 99 % acknowledged)',
    `${fmt(throughput.mean)} of ${fmt(RATE)} spans/s (${fmt((throughput.mean / RATE) * 100, 1)} %)`,
    throughput.mean >= 0.99 * RATE,
  ),
);
console.log(targetRow('server RSS ≤ 1 GiB', `peak ${mib(peakRssBytes)}`, peakRssBytes <= 1024 * MIB));

const svg = renderLineChart({
  title: `Soak: ${fmt(RATE)} spans/s offered for ${SECONDS} s, OTLP/HTTP protobuf`,
  xLabel: 'seconds since the first request',
  panels: [
    {
      title: 'acknowledged spans per second',
      series: [
        { name: 'acknowledged', color: '#1f77b4', points: inRun.map((s) => [s.second + 1, s.acknowledgedSpans]) },
      ],
      references: [{ value: RATE, label: `offered ${fmt(RATE / 1000)}k` }],
    },
    {
      title: 'server RSS (MiB)',
      series: [{ name: 'RSS', color: '#2ca02c', points: samples.map((s) => [s.second, s.rssBytes / MIB]) }],
      references: [
        ...(Number.isFinite(early) ? [{ value: (early * 1.1) / MIB, label: `s${EARLY_SECOND} + 10 %` }] : []),
        { value: 1024, label: 'ceiling 1 GiB' },
      ],
    },
  ],
});
mkdirSync(dirname(CHART), { recursive: true });
writeFileSync(CHART, svg);
console.log(`\nChart: \`${relative(process.cwd(), CHART)}\` (throughput and RSS over time).`);
