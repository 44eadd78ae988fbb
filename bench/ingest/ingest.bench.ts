// Ingest speed per protocol, side by side in one run: spans/s decoded alone (one
// core, CPU time) and spans/s end to end into the embedded store over HTTP (a
// real server in its own process on loopback, several concurrent clients,
// counting only acknowledged spans), on the standard workload in batches of 512.
//   npm run bench ingest            (INGEST_SECONDS=4 INGEST_CLIENTS=4 by default)
// Sustained load (a minute, second by second, latency, RSS, re-sends, search under
// load) is sustained.bench.ts beside this one, which the same command also runs.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  decodeJaegerThriftBatch,
  decodeOtlpTraceRequestJson,
  decodeOtlpTraceRequestProto,
  decodeZipkinProto,
  decodeZipkinV2Json,
  encodeJaegerThriftBatch,
  encodeOtlpTraceRequestJson,
  encodeOtlpTraceRequestProto,
  type Span,
} from '@ariadne/protocol';
import { StandardWorkload } from '../workload/standard-workload.js';
import { type Payload, runLoad } from './http-sender.js';
import { startServerProcess } from './server-process.js';
import { groupByResource, toJaegerThriftBatch, toZipkinProto, toZipkinV2Json } from './wire-payloads.js';

const BATCH = 512;
const DISTINCT_BATCHES = Number(process.env.INGEST_BATCHES ?? 40);
const SECONDS = Number(process.env.INGEST_SECONDS ?? 4);
const CLIENTS = Number(process.env.INGEST_CLIENTS ?? 4);
const encoder = new TextEncoder();

interface Protocol {
  readonly name: string;
  readonly encode: (spans: readonly Span[]) => Uint8Array;
  readonly decode: (body: Uint8Array) => unknown;
  /** Jaeger batches carry one process: their batches are cut from one service's spans. */
  readonly perService?: boolean;
  /** Where a client posts it; absent when Ariadne takes it over UDP only. */
  readonly http?: { readonly port: string; readonly path: string; readonly contentType: string };
}

const PROTOCOLS: readonly Protocol[] = [
  {
    name: 'OTLP protobuf',
    encode: (spans) => encodeOtlpTraceRequestProto(spans).slice(),
    decode: (body) => decodeOtlpTraceRequestProto(body),
    http: { port: 'otlpHttp', path: '/v1/traces', contentType: 'application/x-protobuf' },
  },
  {
    name: 'OTLP JSON',
    encode: (spans) => encoder.encode(encodeOtlpTraceRequestJson(spans)),
    decode: (body) => decodeOtlpTraceRequestJson(body),
    http: { port: 'otlpHttp', path: '/v1/traces', contentType: 'application/json' },
  },
  {
    name: 'Jaeger Thrift binary',
    encode: (spans) => encodeJaegerThriftBatch(toJaegerThriftBatch(spans), 'binary').slice(),
    decode: (body) => decodeJaegerThriftBatch(body, 'binary'),
    perService: true,
    http: { port: 'jaegerHttp', path: '/api/traces', contentType: 'application/x-thrift' },
  },
  {
    name: 'Jaeger Thrift compact',
    encode: (spans) => encodeJaegerThriftBatch(toJaegerThriftBatch(spans), 'compact').slice(),
    decode: (body) => decodeJaegerThriftBatch(body, 'compact'),
    perService: true,
  },
  {
    name: 'Zipkin v2 JSON',
    encode: (spans) => encoder.encode(toZipkinV2Json(spans)),
    decode: (body) => decodeZipkinV2Json(body),
    http: { port: 'zipkin', path: '/api/v2/spans', contentType: 'application/json' },
  },
  {
    name: 'Zipkin proto',
    encode: (spans) => toZipkinProto(spans),
    decode: (body) => decodeZipkinProto(body),
    http: { port: 'zipkin', path: '/api/v2/spans', contentType: 'application/x-protobuf' },
  },
];

function chunk(spans: readonly Span[]): Span[][] {
  const out: Span[][] = [];
  for (let i = 0; i + BATCH <= spans.length; i += BATCH) out.push(spans.slice(i, i + BATCH));
  return out;
}

/**
 * Decode throughput on one core: CPU time, after a warm-up, the median of
 * five rounds of about 0.4 s of work each (one round alone moved by a factor
 * of two between runs on this shared machine).
 */
function measureDecode(protocol: Protocol, bodies: readonly Uint8Array[]): number {
  for (let i = 0; i < 200; i++) protocol.decode(bodies[i % bodies.length]!);
  const rounds: number[] = [];
  for (let round = 0; round < 5; round++) {
    const start = process.cpuUsage();
    let decoded = 0;
    let micros = 0;
    while (micros < 400_000) {
      for (const body of bodies) protocol.decode(body);
      decoded += bodies.length * BATCH;
      const used = process.cpuUsage(start);
      micros = used.user + used.system;
    }
    rounds.push(decoded / (micros / 1e6));
  }
  return rounds.sort((a, b) => a - b)[2]!;
}

interface EndToEnd {
  readonly spansPerSecond: number;
  readonly peakRssBytes: number;
  readonly note: string;
}

async function measureEndToEnd(protocol: Protocol, bodies: readonly Uint8Array[]): Promise<EndToEnd | string> {
  if (!protocol.http) return 'UDP only (agent); 512 spans do not fit a datagram';
  const dataDir = mkdtempSync(join(tmpdir(), 'ariadne-ingest-bench-'));
  const server = await startServerProcess({ storage: 'embedded', dataDir });
  try {
    const base = server.urls[protocol.http.port];
    if (base === undefined) return `no ${protocol.http.port} receiver`;
    let next = 0;
    const payloads: Payload[] = bodies.map((body) => ({ body, spanCount: BATCH }));
    const result = await runLoad({
      url: `${base}${protocol.http.path}`,
      contentType: protocol.http.contentType,
      clients: CLIENTS,
      durationMs: SECONDS * 1000,
      next: () => payloads[next++ % payloads.length],
    });
    const refused = result.retryableSpans + result.failedSpans;
    return {
      spansPerSecond: result.acceptedSpans / result.seconds,
      peakRssBytes: server.memory().peakRssBytes,
      note: refused > 0 ? `${refused} spans refused (${[...result.statuses].join(' ')}) ${result.firstError}` : '',
    };
  } finally {
    await server.stop();
    rmSync(dataDir, { recursive: true, force: true });
  }
}

const fmt = (n: number) => Math.round(n).toLocaleString('en-US');

const spans = new StandardWorkload({ seed: 1 }).spans(BATCH * DISTINCT_BATCHES);
const mixed = chunk(spans);
const perService = groupByResource(spans).flatMap(chunk);
console.log(
  `Standard workload, batches of ${BATCH} spans (${DISTINCT_BATCHES} distinct batches, cycled), ` +
    `end to end: ${CLIENTS} concurrent HTTP clients for ${SECONDS} s per protocol into the embedded store ` +
    `(server in its own process, fresh data folder each), counting acknowledged spans. Node ${process.version}.\n`,
);
console.log(
  '| protocol | bytes per batch | decode alone (spans per CPU-second, median of 5) | end to end (spans/s) | end to end / decode | server peak RSS |',
);
console.log('|---|---:|---:|---:|---:|---:|');
for (const protocol of PROTOCOLS) {
  const batches = protocol.perService ? perService : mixed;
  const bodies = batches.map((batch) => protocol.encode(batch));
  const bytes = bodies.reduce((sum, body) => sum + body.length, 0) / bodies.length;
  const decode = measureDecode(protocol, bodies);
  const e2e = await measureEndToEnd(protocol, bodies);
  const row =
    typeof e2e === 'string'
      ? `— (${e2e}) | — | —`
      : `${fmt(e2e.spansPerSecond)}${e2e.note ? ` (${e2e.note})` : ''} | ${(e2e.spansPerSecond / decode).toFixed(2)} | ${fmt(e2e.peakRssBytes / 1024 / 1024)} MiB`;
  console.log(`| ${protocol.name} | ${fmt(bytes)} | ${fmt(decode)} | ${row} |`);
}
console.log('\nTargets: OTLP protobuf decode ≥ 500,000 spans/s; end to end ≥ 100,000 spans/s into the embedded store.');
