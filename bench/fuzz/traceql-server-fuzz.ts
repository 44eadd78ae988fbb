import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { encodeOtlpTraceRequestProto, makeSpan } from '@ariadne/protocol';
import { startServerProcess } from '../ingest/server-process.js';
import { SeededRandom } from '../workload/random.js';
import { fuzzTraceQL } from './traceql-texts.js';

/**
 * Issue 14's fuzz run: TraceQL texts against Tempo's `/api/search?q=` of a
 * server in its own process that holds a span with a 1 MiB attribute, while a
 * second loop probes `/health` and an OTLP ingest request. It fails when a
 * probe waits longer than `probeBoundMs`, or a query is answered 5xx other
 * than 503 (busy) and 504 (stopped at its deadline), or the server dies.
 */
export interface TraceQLServerFuzzOptions {
  readonly seconds: number;
  readonly seed: number;
  /** Queries in flight at once. */
  readonly concurrency?: number;
  /** The longest a probe may wait: issue 14's one second. */
  readonly probeBoundMs?: number;
  /** Pause between probe rounds. */
  readonly probeEveryMs?: number;
}

export interface TraceQLServerFuzzReport {
  readonly seconds: number;
  readonly queries: number;
  /** Answers by status code. */
  readonly statuses: Readonly<Record<number, number>>;
  readonly byKind: Readonly<Record<string, number>>;
  readonly slowestQuery: { readonly ms: number; readonly status: number; readonly text: string };
  readonly probes: number;
  readonly worstHealthMs: number;
  readonly worstIngestMs: number;
  readonly failures: readonly string[];
}

const MiB = 1 << 20;

export async function runTraceQLServerFuzz(options: TraceQLServerFuzzOptions): Promise<TraceQLServerFuzzReport> {
  const bound = options.probeBoundMs ?? 1_000;
  const dataDir = mkdtempSync(join(tmpdir(), 'ariadne-fuzz-traceql-'));
  const server = await startServerProcess({
    storage: 'embedded',
    dataDir,
    // A 1 MiB value is stored whole; ports: only what the run uses.
    limits: { maxSpansPerRequest: 1_000, maxAttributesPerSpan: 128, maxAttributeValueLength: 2 * MiB },
    ports: { tempo: 0, sampling: 'off', zipkin: 'off', jaegerHttp: 'off' },
  });
  const failures: string[] = [];
  const fail = (problem: string) => {
    if (failures.length < 20) failures.push(problem);
  };
  try {
    const tempo = server.urls.tempo!;
    const otlp = `${server.urls.otlpHttp!}/v1/traces`;
    const ingest = (value: string, n: number) =>
      fetch(otlp, {
        method: 'POST',
        headers: { 'content-type': 'application/x-protobuf' },
        body: encodeOtlpTraceRequestProto([
          makeSpan({
            traceId: (n + 1).toString(16).padStart(32, '0'),
            service: 'fuzz',
            startTimeUnixNano: BigInt(Date.now()) * 1_000_000n,
            attributes: [{ key: 'x', value: { type: 'string', value } }],
          }),
        ]),
      });
    // A cold store may ask for a retry (429) of the first, large write; a retry's copies are kept once.
    let stored = await ingest(`${'a'.repeat(MiB)}b`, 0);
    for (let attempt = 1; stored.status === 429 && attempt < 10; attempt++) {
      await stored.arrayBuffer();
      stored = await ingest(`${'a'.repeat(MiB)}b`, 0);
    }
    if (stored.status !== 200) throw new Error(`storing the 1 MiB span: ${stored.status} ${await stored.text()}`);

    const stopAt = performance.now() + options.seconds * 1000;
    const random = new SeededRandom(options.seed);
    const statuses: Record<number, number> = {};
    const byKind: Record<string, number> = {};
    let queries = 0;
    let slowestQuery = { ms: 0, status: 0, text: '' };

    const queryLoop = async () => {
      while (performance.now() < stopAt && server.alive()) {
        const { kind, text } = fuzzTraceQL(random);
        byKind[kind] = (byKind[kind] ?? 0) + 1;
        const start = performance.now();
        let status: number;
        try {
          const response = await fetch(`${tempo}/api/search?q=${encodeURIComponent(text)}`, {
            signal: AbortSignal.timeout(120_000),
          });
          await response.arrayBuffer();
          status = response.status;
        } catch (error) {
          status = 0;
          fail(`query not answered (${error instanceof Error ? error.message : String(error)}): ${clip(text)}`);
        }
        const ms = performance.now() - start;
        queries++;
        statuses[status] = (statuses[status] ?? 0) + 1;
        if (ms > slowestQuery.ms) slowestQuery = { ms, status, text };
        if (status >= 500 && status !== 503 && status !== 504) fail(`query answered ${status}: ${clip(text)}`);
      }
    };

    let probes = 0;
    let worstHealthMs = 0;
    let worstIngestMs = 0;
    const probeLoop = async () => {
      while (performance.now() < stopAt && server.alive()) {
        const health = await timed(() => fetch(`${server.urls.query!}/health`));
        const ingested = await timed(() => ingest('probe', 1 + probes));
        probes++;
        worstHealthMs = Math.max(worstHealthMs, health.ms);
        worstIngestMs = Math.max(worstIngestMs, ingested.ms);
        if (health.status !== 200) fail(`/health answered ${health.status}`);
        // 429 (told to retry at once) is an answer; anything else but 200 is not ingest working.
        if (ingested.status !== 200 && ingested.status !== 429) fail(`ingest answered ${ingested.status}`);
        if (health.ms > bound) fail(`/health took ${health.ms.toFixed(0)} ms (bound ${bound} ms)`);
        if (ingested.ms > bound) fail(`ingest took ${ingested.ms.toFixed(0)} ms (bound ${bound} ms)`);
        await new Promise((resolve) => setTimeout(resolve, options.probeEveryMs ?? 100));
      }
    };

    const started = performance.now();
    await Promise.all([probeLoop(), ...Array.from({ length: options.concurrency ?? 2 }, () => queryLoop())]);
    if (!server.alive()) fail(`the server died: ${JSON.stringify(await server.exit)}; ${server.stderr().slice(-2000)}`);
    return {
      seconds: (performance.now() - started) / 1000,
      queries,
      statuses,
      byKind,
      slowestQuery,
      probes,
      worstHealthMs,
      worstIngestMs,
      failures,
    };
  } finally {
    await server.stop();
    rmSync(dataDir, { recursive: true, force: true });
  }
}

async function timed(request: () => Promise<Response>): Promise<{ ms: number; status: number }> {
  const start = performance.now();
  try {
    const response = await request();
    await response.arrayBuffer();
    return { ms: performance.now() - start, status: response.status };
  } catch {
    return { ms: performance.now() - start, status: 0 };
  }
}

function clip(text: string): string {
  return JSON.stringify(text.length > 200 ? `${text.slice(0, 200)}… (${text.length} characters)` : text);
}

/** The report as Markdown lines, as `npm run fuzz` prints it. */
export function describeTraceQLServerFuzz(report: TraceQLServerFuzzReport, boundMs = 1_000): string {
  const statuses = Object.entries(report.statuses)
    .map(([status, count]) => `${status === '0' ? 'no answer' : status}: ${count.toLocaleString('en-US')}`)
    .join(', ');
  const kinds = Object.entries(report.byKind)
    .map(([kind, count]) => `${kind} ${count.toLocaleString('en-US')}`)
    .join(', ');
  return [
    `| TraceQL texts → Tempo /api/search (1 MiB attribute) | ${report.seconds.toFixed(1)} s |`,
    '|---|---:|',
    `| queries | ${report.queries.toLocaleString('en-US')} (${kinds}) |`,
    `| answers | ${statuses} |`,
    `| slowest query | ${report.slowestQuery.ms.toFixed(0)} ms (${report.slowestQuery.status}): ${clip(report.slowestQuery.text).replaceAll('|', '\\|')} |`,
    `| probe rounds | ${report.probes.toLocaleString('en-US')} |`,
    `| worst /health | ${report.worstHealthMs.toFixed(0)} ms (bound ${boundMs} ms) |`,
    `| worst ingest | ${report.worstIngestMs.toFixed(0)} ms (bound ${boundMs} ms) |`,
  ].join('\n');
}
