// The long fuzz run behind `npm run fuzz`: every decoder, 100,000 seeded cases
// each by default, a Markdown table of cases/s and outcomes, and every failure
// with the command that replays it; then TraceQL texts against a running
// server (`traceql-server`, 60 s or FUZZ_TRACEQL_SECONDS; see
// traceql-server-fuzz.ts). Exit code 1 when anything failed.
//   npm run fuzz -- [--cases N] [--seed S] [--target NAME] [--case-seed X] [--hang-ms MS] [--seconds S]
import { writeSync } from 'node:fs';
import { parseArgs } from 'node:util';
import { Worker } from 'node:worker_threads';
import { isAriadneError } from '@ariadne/protocol';
import { fuzzTargets } from './fuzz-targets.js';
import { describeFailure, type FuzzReport, makeCase, runFuzz } from './run-fuzz.js';
import { describeTraceQLServerFuzz, runTraceQLServerFuzz } from './traceql-server-fuzz.js';

/** The TraceQL target runs a server for a time, not cases through a decoder. */
const TRACEQL_TARGET = 'traceql-server';

const { values } = parseArgs({
  options: {
    cases: { type: 'string', default: '100000' },
    seed: { type: 'string', default: '1' },
    target: { type: 'string' },
    'case-seed': { type: 'string' },
    'hang-ms': { type: 'string', default: '10000' },
    'budget-ms': { type: 'string', default: '250' },
    seconds: { type: 'string', default: process.env.FUZZ_TRACEQL_SECONDS ?? '60' },
  },
});

const targets = fuzzTargets().filter((t) => values.target === undefined || t.name.includes(values.target));
const runTraceQL = values.target === undefined || TRACEQL_TARGET.includes(values.target);
if (targets.length === 0 && !runTraceQL) {
  console.error(
    `no target matches "${values.target}"; targets: ${[...fuzzTargets().map((t) => t.name), TRACEQL_TARGET].join(', ')}`,
  );
  process.exit(2);
}

if (values['case-seed'] !== undefined) {
  // Replay one case in the open: its input, and whatever the decoder does with it, stack included.
  const caseSeed = Number(values['case-seed']);
  for (const target of targets) {
    const { strategy, input } = makeCase(target, caseSeed);
    console.log(`${target.name}, case seed ${caseSeed}: ${strategy}, ${input.length} bytes`);
    console.log(`input (base64, first 4 KiB): ${Buffer.from(input.subarray(0, 4096)).toString('base64')}`);
    try {
      const spans = target.decode(input);
      console.log(`decoded ${spans.length} spans`);
    } catch (error) {
      console.log(isAriadneError(error) ? `rejected (${error.kind}): ${error.message}` : error);
    }
  }
  process.exit(0);
}

const cases = Number(values.cases);
const seed = Number(values.seed);
const hangMs = Number(values['hang-ms']);

// A case that never returns blocks this thread, so the watchdog is a second thread: it sees the
// case counter stand still, names the case and ends the process (a hang cannot be interrupted).
const progress = new Int32Array(new SharedArrayBuffer(8));
const watchdogSource = `
const { workerData } = require('node:worker_threads');
const { writeSync } = require('node:fs');
const { progress, hangMs, names } = workerData;
let last = -2, since = Date.now();
setInterval(() => {
  const now = Atomics.load(progress, 0) * 1000 + Atomics.load(progress, 1);
  if (now !== last) { last = now; since = Date.now(); return; }
  if (Date.now() - since > hangMs) {
    writeSync(2, 'HANG: ' + names[Atomics.load(progress, 1)] + ' case ' + Atomics.load(progress, 0) + ' has run for over ' + hangMs + ' ms\\n');
    process.kill(process.pid, 'SIGKILL');
  }
}, 200).unref();
`;
const names = targets.map((t) => t.name);
const caseIndex = new Int32Array(progress.buffer, 0, 1);

if (targets.length > 0) await fuzzDecoders();
if (runTraceQL) await fuzzTraceQLServer();

async function fuzzDecoders(): Promise<void> {
  // Only while decoders run: the TraceQL run has no case counter (its server is in another process).
  const watchdog = new Worker(watchdogSource, { eval: true, workerData: { progress, hangMs, names } });
  watchdog.unref();
  console.log(`Fuzzing ${targets.length} decoders, ${cases.toLocaleString('en-US')} cases each, seed ${seed}\n`);
  console.log('| decoder | cases | cases/s | decoded | rejected | failures | slowest case | heap growth | peak heap |');
  console.log('|---|---:|---:|---:|---:|---:|---:|---:|---:|');
  const reports: FuzzReport[] = [];
  for (const [i, target] of targets.entries()) {
    Atomics.store(progress, 1, i);
    const report = runFuzz(target, { cases, seed, progress: caseIndex, caseBudgetMs: Number(values['budget-ms']) });
    reports.push(report);
    const mib = (bytes: number) => `${(bytes / 1024 / 1024).toFixed(1)} MiB`;
    writeSync(
      1,
      `| ${report.target} | ${report.cases.toLocaleString('en-US')} | ${Math.round(report.cases / report.seconds).toLocaleString('en-US')} | ` +
        `${report.decoded.toLocaleString('en-US')} | ${report.rejected.toLocaleString('en-US')} | ${report.failureCount} | ` +
        `${report.slowestCaseMs.toFixed(1)} ms | ${mib(report.heapGrowthBytes)} | ${mib(report.peakHeapBytes)} |\n`,
    );
  }
  const failures = reports.flatMap((r) => r.failures);
  if (failures.length > 0) {
    console.log(`\nFailures (first ${failures.length}):`);
    for (const failure of failures) console.log(`- ${describeFailure(failure, seed)}`);
    process.exitCode = 1;
  } else console.log('\nNo failures: every decoder threw only AriadneError, within its time and memory bounds.');
  await watchdog.terminate();
}

async function fuzzTraceQLServer(): Promise<void> {
  const seconds = Number(values.seconds);
  console.log(`\nFuzzing TraceQL texts against a server for ${seconds} s, seed ${seed}\n`);
  const report = await runTraceQLServerFuzz({ seconds, seed });
  console.log(describeTraceQLServerFuzz(report));
  if (report.failures.length > 0) {
    console.log(`\nFailures (first ${report.failures.length}):`);
    for (const failure of report.failures) console.log(`- ${failure}`);
    process.exitCode = 1;
  } else {
    console.log(
      '\nNo failures: /health and ingest answered within 1 s throughout, and no query was answered 5xx but 503/504.',
    );
  }
}
