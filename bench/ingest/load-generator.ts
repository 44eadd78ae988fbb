// The load generator of the sustained ingest runs, in a process of its own as
// users' load is (run by load-generator-process.ts; argument: one JSON
// LoadGeneratorOptions). Keep-alive connections each post one OTLP/HTTP
// protobuf request at a time: `fresh` makes every request new traces (new
// trace and span ids, new attribute values, times of now), `resend` cycles a
// few fixed batches as retrying clients do. Closed loop by default (each
// connection sends again as soon as it is answered); with `spansPerSecond`,
// open loop on a schedule. A connection refused with 429/503 waits as its
// Retry-After says (1 s without one) before its next request, as OpenTelemetry
// exporters do; after a network error it waits 1 s. Every request has a
// timeout, so a hang is counted, not waited out.
//
// stdout: one JSON line `start`, then one `second` line per second (what was
// answered in it), then one `summary` line.
import { Agent } from 'node:http';
import { FreshOtlpBatches } from './fresh-otlp-batches.js';
import { LOAD_DEFAULTS, type LoadGeneratorLine, type LoadGeneratorOptions } from './load-generator-options.js';
import { summarizeLatencies } from './percentiles.js';
import { SecondBuckets, sumSeconds } from './second-buckets.js';
import { timedPost } from './timed-post.js';

const options = JSON.parse(process.argv[2] ?? '{}') as LoadGeneratorOptions;
const connections = options.connections ?? LOAD_DEFAULTS.connections;
const timeoutMs = options.timeoutMs ?? LOAD_DEFAULTS.timeoutMs;
const batches = new FreshOtlpBatches({
  spansPerRequest: options.spansPerRequest ?? LOAD_DEFAULTS.spansPerRequest,
  spansPerTrace: options.spansPerTrace ?? LOAD_DEFAULTS.spansPerTrace,
  attributesPerSpan: options.attributesPerSpan ?? LOAD_DEFAULTS.attributesPerSpan,
  attributeLength: 20,
});
const spansPerRequest = batches.spanCount;
const nowNanos = () => BigInt(Date.now()) * 1_000_000n;
const resendBodies =
  options.scenario === 'resend'
    ? Array.from({ length: options.resendBatches ?? LOAD_DEFAULTS.resendBatches }, () => batches.newBody(nowNanos()))
    : [];
// Fresh: each connection owns one body and rewrites it in place before each request (timedPost
// resolves only once the body is written out, so the buffer is free again by then).
const ownBodies =
  options.scenario === 'fresh' ? Array.from({ length: connections }, () => batches.newBody(nowNanos())) : [];

const write = (line: LoadGeneratorLine) => process.stdout.write(`${JSON.stringify(line)}\n`);
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

const url = new URL(options.url);
const agent = new Agent({ keepAlive: true, maxSockets: connections });
const buckets = new SecondBuckets();
const emitted: ReturnType<SecondBuckets['take']>[] = [];
const latencies: number[] = [];
let requests = 0;
let sentSpans = 0;
let scheduledSpans = 0;
let firstError = '';
let resendNext = 0;

const cpuAtStart = process.cpuUsage();
const start = performance.now();
const deadline = start + options.durationSeconds * 1000;
write({ type: 'start', epochMs: Date.now(), bodyBytes: (ownBodies[0] ?? resendBodies[0])!.length });

let nextSecond = 0;
let lastCpu = process.cpuUsage();
let lastCpuAt = performance.now();
const emitSecond = () => {
  const counts = buckets.take(nextSecond++);
  emitted.push(counts);
  const cpu = process.cpuUsage(lastCpu);
  const now = performance.now();
  const generatorCpuPercent = Math.round(((cpu.user + cpu.system) / 1000 / (now - lastCpuAt)) * 1000) / 10;
  lastCpu = process.cpuUsage();
  lastCpuAt = now;
  write({ type: 'second', generatorCpuPercent, ...counts });
};
// Second k is over at start + (k + 1) s; its line goes out just after, on a schedule that does not drift.
let ticker: NodeJS.Timeout | undefined;
const scheduleTick = () => {
  ticker = setTimeout(
    () => {
      emitSecond();
      scheduleTick();
    },
    Math.max(0, start + (nextSecond + 1) * 1000 + 20 - performance.now()),
  );
};
scheduleTick();

function retryAfterMs(header: string | undefined): number {
  if (header === undefined) return 1000;
  const seconds = Number(header);
  if (Number.isFinite(seconds)) return Math.max(0, seconds * 1000);
  const date = Date.parse(header);
  return Number.isNaN(date) ? 1000 : Math.max(0, date - Date.now());
}

async function connection(index: number): Promise<void> {
  for (;;) {
    if (performance.now() >= deadline) return;
    if (options.spansPerSecond !== undefined) {
      // Open loop: take the next slot of the schedule, whatever the server answered so far.
      const due = start + (scheduledSpans / options.spansPerSecond) * 1000;
      if (due >= deadline) return;
      scheduledSpans += spansPerRequest;
      const wait = due - performance.now();
      if (wait > 0) await sleep(wait);
    }
    let body: Uint8Array;
    const own = ownBodies[index];
    if (own !== undefined) {
      batches.refresh(own, nowNanos());
      body = own;
    } else body = resendBodies[resendNext++ % resendBodies.length]!;
    requests++;
    sentSpans += spansPerRequest;
    const sentAt = performance.now();
    const outcome = await timedPost(url, body, 'application/x-protobuf', agent, timeoutMs);
    const answeredAt = performance.now();
    latencies.push(answeredAt - sentAt);
    let pause = 0;
    if (outcome.kind === 'answer') {
      const retryable = outcome.status === 429 || outcome.status === 503;
      buckets.record(answeredAt - start, {
        kind: 'answer',
        status: outcome.status,
        spans: spansPerRequest,
        retryAfter: outcome.retryAfter !== undefined,
      });
      if (retryable) pause = retryAfterMs(outcome.retryAfter);
      else if (outcome.status < 200 || outcome.status >= 300) firstError ||= `${outcome.status}: ${outcome.body}`;
    } else if (outcome.kind === 'network-error') {
      buckets.record(answeredAt - start, { kind: 'network-error', spans: spansPerRequest });
      firstError ||= outcome.message;
      pause = 1000;
    } else {
      buckets.record(answeredAt - start, { kind: 'timeout', spans: spansPerRequest });
      firstError ||= `no answer within ${timeoutMs} ms`;
    }
    if (pause > 0) await sleep(Math.min(pause, Math.max(0, deadline - performance.now())));
  }
}

await Promise.all(Array.from({ length: connections }, (_, i) => connection(i)));
const end = performance.now();
clearTimeout(ticker);
agent.destroy();
// The seconds not yet reported, including the tail after the deadline (requests still in flight then).
const last = Math.max(Math.ceil(options.durationSeconds) - 1, buckets.lastSecond());
while (nextSecond <= last) emitSecond();
const totals = sumSeconds(emitted);
const cpu = process.cpuUsage(cpuAtStart);
write({
  type: 'summary',
  scenario: options.scenario,
  durationSeconds: options.durationSeconds,
  connections,
  spansPerRequest,
  elapsedSeconds: (end - start) / 1000,
  requests,
  sentSpans,
  acknowledgedSpans: totals.acknowledgedSpans,
  refusals: totals.refusals,
  refusedSpans: totals.refusedSpans,
  missingRetryAfter: totals.missingRetryAfter,
  networkErrors: totals.networkErrors,
  timeouts: totals.timeouts,
  firstError,
  latencyMs: summarizeLatencies(latencies),
  unsentScheduledSpans:
    options.spansPerSecond === undefined
      ? 0
      : Math.max(0, Math.floor(options.spansPerSecond * options.durationSeconds) - sentSpans),
  generatorCpuSeconds: (cpu.user + cpu.system) / 1e6,
});
