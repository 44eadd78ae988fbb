// Acceptance (issue 6, demo 3): a reverse proxy in front of uservice1 → uservice2
// (uninstrumented hop) and uservice3 → uservice4 (instrumented, uber-trace-id).
// The proxy reports over Jaeger Thrift HTTP, the services over OTLP/gRPC; the
// traces are read back through the Jaeger query API. The services' command line
// (main.ts) runs too, to show what DEMO_SPAN_PROCESSOR and DEMO_EXPORTER change.
import assert from 'node:assert/strict';
import { type ChildProcessWithoutNullStreams, spawn } from 'node:child_process';
import { once } from 'node:events';
import { after, before, test } from 'node:test';
import { ConsoleSpanExporter, JaegerHttpExporter, OtlpGrpcExporter } from '@ariadne/sdk';
import { startProxy } from '../examples/microservices/proxy.js';
import { startUservice1 } from '../examples/microservices/uservice1.js';
import { startUservice2 } from '../examples/microservices/uservice2.js';
import { startUservice3 } from '../examples/microservices/uservice3.js';
import { DATABASE_MS, REDIS_MS, startUservice4 } from '../examples/microservices/uservice4.js';
import type { RunningService } from '../examples/shared/running-service.js';
import { durationMillis, logFields, tag, waitForTrace } from '../examples/testing/jaeger-query.js';
import { startTestServer, type TestServer } from './support/test-server.js';

const ROOT = new URL('..', import.meta.url).pathname;

let ariadne: TestServer;
const services: RunningService[] = [];
const children: ChildProcessWithoutNullStreams[] = [];
let proxy: RunningService;
// Log lines are tested in the bands demo; here they would only clutter the test output.
const quiet = { write: () => true };

before(async () => {
  ariadne = await startTestServer({ storage: 'memory' });
  const grpc = () => [new OtlpGrpcExporter({ url: ariadne.urlOf('otlpGrpc').replace(/^grpc:/, 'http:'), env: {} })];
  const uservice2 = await startUservice2({ port: 0 });
  const uservice4 = await startUservice4({ port: 0, exporters: grpc(), logStream: quiet });
  const uservice1 = await startUservice1({ port: 0, exporters: grpc(), logStream: quiet, uservice2Url: uservice2.url });
  // The simple processor on one service, the batch processor on the others: both reach the server.
  const uservice3 = await startUservice3({
    port: 0,
    exporters: grpc(),
    processor: 'simple',
    logStream: quiet,
    uservice4Url: uservice4.url,
  });
  proxy = await startProxy({
    port: 0,
    exporters: [new JaegerHttpExporter({ url: `${ariadne.urlOf('jaegerHttp')}/api/traces`, env: {} })],
    logStream: quiet,
    upstreams: { uservice1: uservice1.url, uservice3: uservice3.url },
  });
  services.push(proxy, uservice1, uservice2, uservice3, uservice4);
});

after(async () => {
  for (const child of children) if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
  for (const service of services) await service.close();
  await ariadne?.dispose();
});

async function viaProxy(path: string, spans: number) {
  const response = await fetch(`${proxy.url}${path}`);
  assert.equal(response.status, 200);
  const body = (await response.json()) as { downstream: Record<string, unknown> };
  const traceId = response.headers.get('x-trace-id') ?? '';
  for (const service of services) await service.flush();
  return { body, view: await waitForTrace(ariadne.queryUrl, traceId, spans) };
}

test('uservice1 → uservice2 uninstrumented: the trace stops at uservice1, no header crossed', async () => {
  const { body, view } = await viaProxy('/uservice1/work', 3);
  assert.deepEqual(body.downstream.tracingHeaders, {}, 'uservice2 received no trace header');
  assert.deepEqual(view.trace.spans.map((s) => `${view.serviceOf(s)}:${s.operationName}`).sort(), [
    'proxy:GET /:service/:path',
    'proxy:forward to uservice1',
    'uservice1:GET /work',
  ]);
  const server = view.span('GET /work', 'uservice1');
  const forward = view.span('forward to uservice1', 'proxy');
  assert.equal(view.parentOf(server)?.spanID, forward.spanID);
  assert.equal(tag(server, 'propagation.format'), 'jaeger');
  // uservice1's span is long (uservice2 worked 300–600 ms) and has nothing inside it.
  assert.ok(durationMillis(server) >= Number(body.downstream.workMs));
  assert.equal(view.trace.spans.filter((s) => view.parentOf(s)?.spanID === server.spanID).length, 0);
});

test('uservice3 → uservice4 instrumented: uber-trace-id on every hop, mock Redis and database inside their ranges', async () => {
  const { view } = await viaProxy('/uservice3/work?item=sku-7', 8);
  const traceId = view.trace.traceID;
  const proxyServer = view.span('GET /:service/:path', 'proxy');
  const forward = view.span('forward to uservice3', 'proxy');
  const u3 = view.span('GET /work', 'uservice3');
  const call = view.span('call uservice4', 'uservice3');
  const u4 = view.span('POST /process', 'uservice4');
  const redis = view.span('redis GET', 'uservice4');
  const db = view.span('db query', 'uservice4');
  const compose = view.span('compose response', 'uservice4');

  // Parent and child, across four processes' worth of services.
  assert.equal(view.parentOf(proxyServer), undefined);
  assert.equal(view.parentOf(forward)?.spanID, proxyServer.spanID);
  assert.equal(view.parentOf(u3)?.spanID, forward.spanID);
  assert.equal(view.parentOf(call)?.spanID, u3.spanID);
  assert.equal(view.parentOf(u4)?.spanID, call.spanID);
  for (const child of [redis, db, compose]) assert.equal(view.parentOf(child)?.spanID, u4.spanID);

  // Propagation: Jaeger's header only, on both the proxy's hop and uservice3's.
  for (const [client, server] of [
    [forward, u3],
    [call, u4],
  ] as const) {
    assert.equal(tag(server, 'propagation.format'), 'jaeger');
    assert.equal(tag(server, 'http.request.header.uber-trace-id'), `${traceId}:${client.spanID}:0:1`);
    assert.equal(tag(server, 'http.request.header.traceparent'), undefined);
  }

  // Kinds, status, attributes, the event.
  assert.deepEqual(
    [proxyServer, forward, u3, call, u4, redis, db, compose].map((s) => tag(s, 'span.kind')),
    ['server', 'client', 'server', 'client', 'server', 'client', 'client', 'internal'],
  );
  assert.equal(tag(u4, 'otel.status_code'), 'OK');
  assert.equal(tag(u4, 'order.item'), 'sku-7');
  assert.equal(tag(redis, 'db.system'), 'redis');
  assert.equal(tag(db, 'db.system'), 'postgresql');
  assert.deepEqual(
    logFields(u4).map((f) => [f.event, f.item]),
    [['Request decoded!', 'sku-7']],
  );

  // Durations inside the documented ranges.
  const redisMs = durationMillis(redis);
  const dbMs = durationMillis(db);
  assert.ok(redisMs >= REDIS_MS.min && redisMs <= REDIS_MS.max, `redis ${redisMs} ms`);
  assert.ok(dbMs >= DATABASE_MS.min && dbMs <= DATABASE_MS.max, `database ${dbMs} ms`);
  assert.equal(tag(redis, 'simulated.latency_ms'), Math.round(redisMs));
  assert.ok(durationMillis(u4) >= redisMs + dbMs, 'uservice4 contains both calls');

  // Resources: the proxy's came over Jaeger Thrift, the services' over OTLP/gRPC; both carry the process facts.
  for (const span of [proxyServer, u4]) {
    const process = view.trace.processes[span.processID];
    for (const key of ['os.type', 'process.pid', 'process.command_args']) {
      assert.ok(tag(process ?? { tags: [] }, key) !== undefined, `${process?.serviceName} has ${key}`);
    }
  }
  assert.equal(tag(view.trace.processes[u4.processID] ?? { tags: [] }, 'process.pid'), process.pid);
});

test('the console-exporter variant prints each span as a JSON line (simple processor)', async () => {
  const lines: string[] = [];
  const uservice4 = await startUservice4({
    port: 0,
    exporters: [
      new ConsoleSpanExporter({ stream: { write: (chunk: string) => lines.push(...chunk.trim().split('\n')) } }),
    ],
    processor: 'simple',
    logStream: quiet,
  });
  try {
    await processForCaller(uservice4.url, 'a'.repeat(32));
    assertPrintedSpans(lines, 'a'.repeat(32));
  } finally {
    await uservice4.close();
  }
});

const CALLER_SPAN_ID = 'b'.repeat(16);

/** POST /process on uservice4 as a call from span CALLER_SPAN_ID of `traceId` (Jaeger's header). */
async function processForCaller(uservice4Url: string, traceId: string): Promise<void> {
  const response = await fetch(`${uservice4Url}/process`, {
    method: 'POST',
    headers: { 'uber-trace-id': `${traceId}:${CALLER_SPAN_ID}:0:1` },
    body: '{"item":"sku-1"}',
  });
  assert.equal(response.status, 200);
}

/** uservice4's four spans of that call, as the console exporter's JSON lines. */
function assertPrintedSpans(lines: readonly string[], traceId: string): void {
  const spans = lines.map((l) => JSON.parse(l) as { traceId: string; name: string; parentSpanId?: string });
  assert.deepEqual(spans.map((s) => s.name).sort(), ['POST /process', 'compose response', 'db query', 'redis GET']);
  assert.ok(spans.every((s) => s.traceId === traceId));
  assert.equal(spans.find((s) => s.name === 'POST /process')?.parentSpanId, CALLER_SPAN_ID);
}

/** One service of the demo as its command line runs it (`main.ts <name>`), on a free port, with `env` added. */
async function spawnMain(name: string, env: Record<string, string>) {
  const variable = `${name.toUpperCase()}_PORT`;
  const child = spawn(
    process.execPath,
    ['--conditions=ariadne-source', '--import', 'tsx', 'examples/microservices/main.ts', name],
    { cwd: ROOT, env: { ...process.env, [variable]: '0', ...env } },
  );
  children.push(child);
  let stdout = '';
  let stderr = '';
  child.stdout.on('data', (chunk) => (stdout += chunk));
  child.stderr.on('data', (chunk) => (stderr += chunk));
  const exited = once(child, 'close');
  const listening = new Promise<string>((resolve, reject) => {
    const look = () => {
      const match = new RegExp(`LISTENING ${name} (\\S+)`).exec(stdout);
      if (match) resolve(match[1] as string);
    };
    child.stdout.on('data', look);
    void exited.then(() => reject(new Error(`${name} exited before listening:\n${stdout}${stderr}`)));
  });
  return {
    url: await listening,
    /** The console exporter's lines (the log lines on stdout are JSON too, but start with their level). */
    printedSpans: () => stdout.split('\n').filter((line) => line.startsWith('{"traceId"')),
    /** SIGTERM, as Ctrl-C in `npm run demo`: the service flushes its spans and exits 0. */
    async stop() {
      child.kill('SIGTERM');
      await exited;
      assert.equal(child.exitCode, 0, `${name} stopped cleanly:\n${stderr}`);
    },
  };
}

test('main.ts: DEMO_SPAN_PROCESSOR=simple exports each span as it ends, batch holds them until the service stops', async () => {
  // A batch would wait an hour: only spans exported one by one reach the server while the services run.
  const env = {
    OTEL_EXPORTER_OTLP_ENDPOINT: ariadne.urlOf('otlpGrpc').replace(/^grpc:/, 'http:'),
    OTEL_BSP_SCHEDULE_DELAY: '3600000',
  };
  const uservice4 = await spawnMain('uservice4', { ...env, DEMO_SPAN_PROCESSOR: 'batch' });
  const uservice3 = await spawnMain('uservice3', {
    ...env,
    DEMO_SPAN_PROCESSOR: 'simple',
    USERVICE4_URL: uservice4.url,
  });
  const response = await fetch(`${uservice3.url}/work`);
  assert.equal(response.status, 200);
  const traceId = response.headers.get('x-trace-id') ?? '';

  const running = await waitForTrace(ariadne.queryUrl, traceId, 2);
  assert.deepEqual(running.trace.spans.map((s) => `${running.serviceOf(s)}:${s.operationName}`).sort(), [
    'uservice3:GET /work',
    'uservice3:call uservice4',
  ]);
  // uservice4 has answered, yet none of its spans is there: its batch holds them until it stops.
  await uservice4.stop();
  const stopped = await waitForTrace(ariadne.queryUrl, traceId, 6);
  assert.equal(stopped.trace.spans.filter((s) => stopped.serviceOf(s) === 'uservice4').length, 4);
  assert.equal(
    stopped.parentOf(stopped.span('POST /process', 'uservice4'))?.spanID,
    stopped.span('call uservice4').spanID,
  );
  await uservice3.stop();
});

test('main.ts: DEMO_EXPORTER=console prints each span as a JSON line on stdout, flushed when the service stops', async () => {
  const uservice4 = await spawnMain('uservice4', { DEMO_EXPORTER: 'console' });
  await processForCaller(uservice4.url, 'c'.repeat(32));
  await uservice4.stop();
  assertPrintedSpans(uservice4.printedSpans(), 'c'.repeat(32));
});
