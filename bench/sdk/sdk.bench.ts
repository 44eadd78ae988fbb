// Ariadne's SDK against OpenTelemetry's (@opentelemetry/sdk-trace-base),
// side by side in one process, configured alike: always-on sampler, a
// BatchSpanProcessor in front of an exporter that does nothing (or, for the
// export figure, encodes OTLP protobuf). Both tracers run under the same
// context manager (Ariadne's AsyncLocalStorage one, installed globally: the
// OTel async-hooks package is not installed), so the nested-span figure
// compares the tracers, not the context managers.
// Times are CPU time of the process (user + system, process.cpuUsage), not
// wall time: the machines we bench on are shared, and time spent descheduled
// while another process ran made the wall-clock W3C-extract ratio of unchanged
// code read 0.83× in one run and 1.48× in the next. Both SDKs are measured
// alike, in interleaved rounds.
// Run: npm run bench sdk   (BENCH_SCALE=0.2 for a quick look)

import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
import { encodeOtlpTraceRequestProto, type Span } from '@ariadne/protocol';
import {
  AlwaysOnSampler,
  AriadneTracerProvider,
  AsyncLocalStorageContextManager,
  B3Propagator,
  BatchSpanProcessor,
  EXPORT_SUCCESS,
  JaegerPropagator,
  resourceFromAttributes,
  type SpanExporter,
  W3cTraceContextPropagator,
} from '@ariadne/sdk';
import {
  context,
  defaultTextMapGetter,
  defaultTextMapSetter,
  ROOT_CONTEXT,
  type TextMapPropagator,
  type Tracer,
  trace,
} from '@opentelemetry/api';
import { W3CTraceContextPropagator as OtelW3C } from '@opentelemetry/core';
import { ProtobufTraceSerializer } from '@opentelemetry/otlp-transformer';
import { B3InjectEncoding, B3Propagator as OtelB3 } from '@opentelemetry/propagator-b3';
import { JaegerPropagator as OtelJaeger } from '@opentelemetry/propagator-jaeger';
import { resourceFromAttributes as otelResource } from '@opentelemetry/resources';
import {
  BasicTracerProvider,
  AlwaysOnSampler as OtelAlwaysOn,
  BatchSpanProcessor as OtelBatch,
  type SpanExporter as OtelSpanExporter,
  type ReadableSpan,
} from '@opentelemetry/sdk-trace-base';

const SCALE = Number(process.env.BENCH_SCALE ?? 1);
const n = (count: number) => Math.max(1000, Math.round(count * SCALE));

setFlagsFromString('--expose-gc');
const gc = runInNewContext('gc') as () => void;

const contextManager = new AsyncLocalStorageContextManager();
contextManager.enable();
context.setGlobalContextManager(contextManager);

// --- exporters ---------------------------------------------------------------
const noopExporter: SpanExporter = { export: async () => EXPORT_SUCCESS, shutdown: async () => {} };
const otelNoopExporter: OtelSpanExporter = {
  export: (_spans, done) => done({ code: 0 }),
  shutdown: async () => {},
};
let encodedBytes = 0;
const protobufExporter: SpanExporter = {
  export: async (spans: readonly Span[]) => {
    encodedBytes += encodeOtlpTraceRequestProto(spans).length;
    return EXPORT_SUCCESS;
  },
  shutdown: async () => {},
};
const otelProtobufExporter: OtelSpanExporter = {
  export: (spans: ReadableSpan[], done) => {
    encodedBytes += ProtobufTraceSerializer.serializeRequest(spans)?.length ?? 0;
    done({ code: 0 });
  },
  shutdown: async () => {},
};

// --- providers ---------------------------------------------------------------
const batch = { maxQueueSize: 2048, maxExportBatchSize: 512, scheduleDelayMillis: 5000 };
function ariadneProvider(exporter: SpanExporter, options = batch) {
  return new AriadneTracerProvider({
    resource: resourceFromAttributes({ 'service.name': 'bench' }),
    sampler: new AlwaysOnSampler(),
    spanProcessors: [new BatchSpanProcessor(exporter, { ...options, env: {} })],
  });
}
function otelProvider(exporter: OtelSpanExporter, options = batch) {
  return new BasicTracerProvider({
    resource: otelResource({ 'service.name': 'bench' }),
    sampler: new OtelAlwaysOn(),
    spanProcessors: [new OtelBatch(exporter, options)],
  });
}

// --- workloads -----------------------------------------------------------------
const ATTRIBUTES = {
  'http.request.method': 'GET',
  'http.route': '/users/:id',
  'url.path': '/users/12345',
  'server.address': 'api.example.com',
  'server.port': 443,
  'http.response.status_code': 200,
  'user_agent.original': 'Mozilla/5.0 (bench)',
  'network.protocol.version': '1.1',
  'client.address': '10.0.0.1',
  'app.cache_hit': true,
};
const CHUNK = 500;
const yieldToExports = () => new Promise((resolve) => setImmediate(resolve));

/**
 * The same ten keys, but a path, client address and port that change from span to span (4096 of each, more
 * than the SDK's value caches hold): the caches that make repeated attributes cheap do not help these three.
 */
const VARYING_ATTRIBUTES = Array.from({ length: 4096 }, (_, i) => ({
  ...ATTRIBUTES,
  'url.path': `/users/${100_000 + i * 7919}`,
  'client.address': `10.${(i >> 8) & 255}.${i & 255}.${(i * 37) & 255}`,
  'server.port': 1024 + ((i * 7919) % 60_000),
}));

/** Spans in chunks with a yield between them, so the batch processor exports as it would in a service. */
async function startEnd(tracer: Tracer, count: number, records: readonly (typeof ATTRIBUTES)[] = [ATTRIBUTES]) {
  let next = 0;
  for (let done = 0; done < count; done += CHUNK) {
    for (let i = 0; i < CHUNK; i++) {
      tracer.startSpan('GET /users/:id', { attributes: records[next] }).end();
      next = next + 1 === records.length ? 0 : next + 1;
    }
    await yieldToExports();
  }
}

async function nested(tracer: Tracer, count: number): Promise<void> {
  for (let done = 0; done < count; done += CHUNK) {
    for (let i = 0; i < CHUNK; i++) {
      tracer.startActiveSpan('a', (a) => {
        tracer.startActiveSpan('b', (b) => {
          tracer.startActiveSpan('c', (c) => c.end());
          b.end();
        });
        a.end();
      });
    }
    await yieldToExports();
  }
}

type Run = (count: number) => Promise<void> | void;
const median = (xs: number[]) => [...xs].sort((x, y) => x - y)[Math.floor(xs.length / 2)] as number;

/** CPU nanoseconds (user + system) since `since`, a process.cpuUsage() reading. */
function cpuNanosSince(since: NodeJS.CpuUsage): number {
  const used = process.cpuUsage(since);
  return (used.user + used.system) * 1000;
}

/**
 * CPU nanoseconds per operation of each run, rounds interleaved (Ariadne,
 * OTel, Ariadne, ...) so that a busy moment on a shared machine hits both
 * alike; the median round of each is reported.
 */
async function compare(ariadne: Run, otel: Run, count: number, rounds = 7): Promise<[number, number]> {
  await ariadne(Math.ceil(count / 4)); // warm-up
  await otel(Math.ceil(count / 4));
  const a: number[] = [];
  const o: number[] = [];
  for (let r = 0; r < rounds; r++) {
    for (const [run, out] of [
      [ariadne, a],
      [otel, o],
    ] as const) {
      const start = process.cpuUsage();
      await run(count);
      out.push(cpuNanosSince(start) / count);
    }
  }
  return [median(a), median(o)];
}

const rows: string[][] = [];
function row(what: string, ariadne: number, otel: number, unit = 'ns/op'): void {
  rows.push([what, `${ariadne.toFixed(0)} ${unit}`, `${otel.toFixed(0)} ${unit}`, `${(ariadne / otel).toFixed(2)}×`]);
}

// Span start + end, 10 attributes. Interleaved rounds would share warm-up; separate providers keep queues apart.
{
  const a = ariadneProvider(noopExporter);
  const o = otelProvider(otelNoopExporter);
  const at = a.getTracer('bench');
  const ot = o.getTracer('bench');
  const [ariadneNs, otelNs] = await compare(
    (c) => startEnd(at, c),
    (c) => startEnd(ot, c),
    n(50_000),
  );
  row('span start + end, 10 attributes', ariadneNs, otelNs, 'ns/span');
  const [ariadneVaryingNs, otelVaryingNs] = await compare(
    (c) => startEnd(at, c, VARYING_ATTRIBUTES),
    (c) => startEnd(ot, c, VARYING_ATTRIBUTES),
    n(50_000),
  );
  row('span start + end, 10 attributes, 3 of them new each span', ariadneVaryingNs, otelVaryingNs, 'ns/span');
  await a.shutdown();
  await o.shutdown();
}

// startActiveSpan three deep through the context manager (per 3 spans).
{
  const a = ariadneProvider(noopExporter);
  const o = otelProvider(otelNoopExporter);
  const [ariadneNs, otelNs] = await compare(
    (c) => nested(a.getTracer('bench'), c),
    (c) => nested(o.getTracer('bench'), c),
    n(20_000),
  );
  row('startActiveSpan 3 deep (per 3 spans)', ariadneNs, otelNs, 'ns/op');
  await a.shutdown();
  await o.shutdown();
}

// Inject and extract per format.
{
  const tracer = ariadneProvider(noopExporter).getTracer('bench');
  const span = tracer.startSpan('parent');
  const ctx = trace.setSpan(ROOT_CONTEXT, span);
  const formats: [string, TextMapPropagator, TextMapPropagator][] = [
    ['W3C trace context', new W3cTraceContextPropagator(), new OtelW3C()],
    ['B3 single', new B3Propagator({ injectEncoding: 'single' }), new OtelB3()],
    [
      'B3 multi',
      new B3Propagator({ injectEncoding: 'multi' }),
      new OtelB3({ injectEncoding: B3InjectEncoding.MULTI_HEADER }),
    ],
    ['Jaeger', new JaegerPropagator(), new OtelJaeger()],
  ];
  const loop = (p: TextMapPropagator, what: 'inject' | 'extract', carrier: Record<string, string>) => (c: number) => {
    if (what === 'inject') for (let i = 0; i < c; i++) p.inject(ctx, {}, defaultTextMapSetter);
    else for (let i = 0; i < c; i++) p.extract(ROOT_CONTEXT, carrier, defaultTextMapGetter);
  };
  for (const [name, ours, theirs] of formats) {
    const carrier: Record<string, string> = {};
    ours.inject(ctx, carrier, defaultTextMapSetter);
    for (const what of ['inject', 'extract'] as const) {
      const [ariadneNs, otelNs] = await compare(loop(ours, what, carrier), loop(theirs, what, carrier), n(100_000));
      row(`${name} ${what}`, ariadneNs, otelNs);
    }
  }
}

// Batch export throughput: spans through the BatchSpanProcessor into an OTLP protobuf encoder,
// spans per CPU second, rounds interleaved like the others (OTel, Ariadne, OTel, ...), median of 3.
async function throughputRound(makeTracer: () => { tracer: Tracer; flush: () => Promise<void> }, count: number) {
  const { tracer, flush } = makeTracer();
  const start = process.cpuUsage();
  await startEnd(tracer, count);
  await flush();
  return count / (cpuNanosSince(start) / 1e9);
}
{
  const big = { maxQueueSize: 8192, maxExportBatchSize: 512, scheduleDelayMillis: 5000 };
  const count = n(50_000);
  const makeOtel = () => {
    const p = otelProvider(otelProtobufExporter, big);
    return { tracer: p.getTracer('bench'), flush: () => p.forceFlush() };
  };
  const makeAriadne = () => {
    const p = ariadneProvider(protobufExporter, big);
    return { tracer: p.getTracer('bench'), flush: () => p.forceFlush() };
  };
  const otelRates: number[] = [];
  const ariadneRates: number[] = [];
  for (let r = 0; r < 3; r++) {
    otelRates.push(await throughputRound(makeOtel, count));
    ariadneRates.push(await throughputRound(makeAriadne, count));
  }
  const otelRate = median(otelRates);
  const ariadneRate = median(ariadneRates);
  rows.push([
    'batch export to OTLP protobuf (spans per CPU second, higher is better)',
    `${ariadneRate.toFixed(0)} spans/s`,
    `${otelRate.toFixed(0)} spans/s`,
    `${(otelRate / ariadneRate).toFixed(2)}× (time ratio)`,
  ]);
}

// Heap per queued span: spans waiting in a processor that does not export yet.
async function heapPerSpan(makeTracer: (queue: number) => { tracer: Tracer; stop: () => Promise<void> }) {
  const count = n(20_000);
  const { tracer, stop } = makeTracer(count + 1);
  gc();
  const before = process.memoryUsage().heapUsed;
  for (let i = 0; i < count; i++) tracer.startSpan('GET /users/:id', { attributes: ATTRIBUTES }).end();
  gc();
  const bytes = (process.memoryUsage().heapUsed - before) / count;
  await stop();
  return bytes;
}
{
  const hold = (queue: number) => ({ maxQueueSize: queue, maxExportBatchSize: queue, scheduleDelayMillis: 3_600_000 });
  const otelBytes = await heapPerSpan((q) => {
    const p = otelProvider(otelNoopExporter, hold(q));
    return { tracer: p.getTracer('bench'), stop: () => p.shutdown() };
  });
  const ariadneBytes = await heapPerSpan((q) => {
    const p = ariadneProvider(noopExporter, hold(q));
    return { tracer: p.getTracer('bench'), stop: () => p.shutdown() };
  });
  row('heap per queued span, 10 attributes', ariadneBytes, otelBytes, 'bytes');
}

console.log(
  `Node ${process.version}, BENCH_SCALE=${SCALE}; CPU time, medians of 7 interleaved rounds (throughput: of 3).\n`,
);
console.log('| measure | Ariadne | OpenTelemetry SDK | Ariadne / OTel |');
console.log('|---|---|---|---|');
for (const r of rows) console.log(`| ${r.join(' | ')} |`);
if (encodedBytes === 0) throw new Error('the protobuf exporters encoded nothing');
