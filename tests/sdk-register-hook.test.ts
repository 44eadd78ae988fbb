// Acceptance (SDK, the one line): a plain Node app that knows nothing of
// tracing, started with `node --import @ariadne/sdk/register` and configured
// only by OTEL_* variables, sends its server span (parented by the incoming
// traceparent) and its client spans (http.request and fetch) to a real
// Ariadne server. The batch delay is an hour, so the spans can only arrive
// through the flush at exit: on SIGTERM (the process still dies of the
// signal), on SIGINT when the app handles it itself, and when the event loop
// runs dry. OTEL_SDK_DISABLED=true installs nothing.
import assert from 'node:assert/strict';
import { type ChildProcess, spawn } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { createServer, type IncomingHttpHeaders, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { after, before, beforeEach, test } from 'node:test';
import type { JaegerEnvelope, JaegerSpan, JaegerTrace } from '@ariadne/protocol';
import { getJson, makeTempDir, removeTempDir, startTestServer, type TestServer } from './support/test-server.js';

const ROOT = new URL('..', import.meta.url).pathname;

/** An app with no tracing code: a server whose handler calls downstream with http.request, then with fetch. */
const SERVER_APP = `
import { createServer, request } from 'node:http';
const downstream = process.env.DOWNSTREAM_URL;
const server = createServer((req, res) => {
  request(downstream + '/by-http', (reply) => {
    reply.resume();
    reply.on('end', async () => {
      await (await fetch(downstream + '/by-fetch')).text();
      res.end('ok');
    });
  }).end();
});
if (process.env.APP_HANDLES_SIGINT) process.on('SIGINT', () => server.close());
server.listen(0, '127.0.0.1', () => console.log(JSON.stringify({ port: server.address().port })));
`;

/** A script that calls downstream once and ends when its event loop runs dry. */
const SCRIPT_APP = `
import { get } from 'node:http';
get(process.env.DOWNSTREAM_URL + '/once', (reply) => reply.resume());
process.exitCode = 3;
`;

let ariadne: TestServer;
let appDir: string;
let downstream: Server;
let downstreamUrl: string;
/** What downstream received: path and headers. */
let received: { url: string; headers: IncomingHttpHeaders }[] = [];

before(async () => {
  ariadne = await startTestServer({ storage: 'memory' });
  appDir = makeTempDir('ariadne-register-app-');
  writeFileSync(join(appDir, 'server-app.mjs'), SERVER_APP);
  writeFileSync(join(appDir, 'script-app.mjs'), SCRIPT_APP);
  downstream = createServer((req, res) => {
    received.push({ url: req.url ?? '', headers: req.headers });
    res.end('down');
  });
  await new Promise<void>((resolve) => downstream.listen(0, '127.0.0.1', resolve));
  downstreamUrl = `http://127.0.0.1:${(downstream.address() as AddressInfo).port}`;
});

after(async () => {
  await new Promise<void>((resolve) => downstream.close(() => resolve()));
  await ariadne.dispose();
  removeTempDir(appDir);
});

beforeEach(() => {
  received = [];
});

interface App {
  readonly child: ChildProcess;
  readonly exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
  readonly stdout: () => string;
  readonly stderr: () => string;
}

/**
 * `node --import @ariadne/sdk/register app.mjs`, from the repository root so the workspace link
 * node_modules/@ariadne/sdk resolves it (to its sources, as every test runs: `--conditions=ariadne-source
 * --import tsx`). The environment holds no OTEL_* variable but those given.
 */
function startApp(file: string, env: Record<string, string>): App {
  const inherited = Object.fromEntries(Object.entries(process.env).filter(([name]) => !name.startsWith('OTEL_')));
  const child = spawn(
    process.execPath,
    ['--conditions=ariadne-source', '--import', 'tsx', '--import', '@ariadne/sdk/register', join(appDir, file)],
    {
      cwd: ROOT,
      env: {
        ...inherited,
        OTEL_SERVICE_NAME: 'plain-app',
        OTEL_EXPORTER_OTLP_ENDPOINT: ariadne.otlpHttpUrl,
        OTEL_BSP_SCHEDULE_DELAY: '3600000',
        DOWNSTREAM_URL: downstreamUrl,
        ...env,
      },
      stdio: ['ignore', 'pipe', 'pipe'],
    },
  );
  let stdout = '';
  let stderr = '';
  child.stdout?.on('data', (chunk) => {
    stdout += chunk;
  });
  child.stderr?.on('data', (chunk) => {
    stderr += chunk;
  });
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) =>
    child.on('exit', (code, signal) => resolve({ code, signal })),
  );
  return { child, exited, stdout: () => stdout, stderr: () => stderr };
}

async function portOf(app: App): Promise<number> {
  while (!app.stdout().includes('\n')) {
    const outcome = await Promise.race([
      app.exited,
      new Promise<undefined>((resolve) => app.child.stdout?.once('data', () => resolve(undefined))),
    ]);
    if (outcome !== undefined) throw new Error(`the app exited (${JSON.stringify(outcome)}): ${app.stderr()}`);
  }
  return (JSON.parse(app.stdout().split('\n')[0] as string) as { port: number }).port;
}

async function traceSpans(traceId: string): Promise<{ spans: JaegerSpan[]; services: string[] }> {
  const body = await getJson<JaegerEnvelope<JaegerTrace[]>>(`${ariadne.queryUrl}/api/traces/${traceId}`);
  const found = body.data[0];
  assert.ok(found, `trace ${traceId}`);
  return { spans: found.spans, services: Object.values(found.processes).map((p) => p.serviceName) };
}

const kindOf = (span: JaegerSpan) => span.tags.find((t) => t.key === 'span.kind')?.value;
const parentOf = (span: JaegerSpan) => span.references.map((r) => [r.refType, r.spanID]);
/** The parent span id in a traceparent header. */
const parentIdIn = (traceparent: unknown) => String(traceparent).split('-')[2];
const randomHex = (length: number) =>
  Array.from({ length }, () => Math.floor(Math.random() * 16).toString(16))
    .join('')
    .replace(/^0/, '1');

/** Calls the server app with a traceparent and checks the trace it exported at exit. */
async function checkServerTrace(app: App, traceId: string, callerSpanId: string, stop: () => void) {
  const port = await portOf(app);
  const answer = await fetch(`http://127.0.0.1:${port}/checkout`, {
    headers: { traceparent: `00-${traceId}-${callerSpanId}-01`, tracestate: 'vendor=opaque' },
  });
  assert.equal(await answer.text(), 'ok');
  const traceresponse = answer.headers.get('traceresponse');
  assert.match(String(traceresponse), new RegExp(`^00-${traceId}-[0-9a-f]{16}-01$`));
  stop();
  const exit = await app.exited;
  const { spans, services } = await traceSpans(traceId);
  const server = spans.find((s) => kindOf(s) === 'server');
  assert.ok(server, `a server span among ${spans.map((s) => s.operationName)}`);
  assert.deepEqual(parentOf(server), [['CHILD_OF', callerSpanId]]);
  assert.equal(server.spanID, parentIdIn(traceresponse));
  const clients = spans.filter((s) => kindOf(s) === 'client');
  assert.equal(clients.length, 2, 'http.request and fetch');
  for (const client of clients) assert.deepEqual(parentOf(client), [['CHILD_OF', server.spanID]]);
  // Downstream was called with the client spans' contexts, the caller's tracestate carried along.
  assert.deepEqual(received.map((r) => r.url).sort(), ['/by-fetch', '/by-http']);
  assert.deepEqual(received.map((r) => parentIdIn(r.headers.traceparent)).sort(), clients.map((c) => c.spanID).sort());
  for (const r of received) assert.equal(r.headers.tracestate, 'vendor=opaque');
  assert.deepEqual([...new Set(services)], ['plain-app']);
  assert.equal(spans.length, 3);
  return exit;
}

test('SIGTERM: server and client spans are flushed, then the process dies of the signal as it would have', async () => {
  const traceId = randomHex(32);
  const app = startApp('server-app.mjs', {});
  const exit = await checkServerTrace(app, traceId, randomHex(16), () => app.child.kill('SIGTERM'));
  assert.deepEqual(exit, { code: null, signal: 'SIGTERM' }, app.stderr());
});

test('SIGINT handled by the app: its graceful close is left alone, the spans are flushed and it exits normally', async () => {
  const traceId = randomHex(32);
  const app = startApp('server-app.mjs', { APP_HANDLES_SIGINT: '1' });
  const exit = await checkServerTrace(app, traceId, randomHex(16), () => app.child.kill('SIGINT'));
  assert.deepEqual(exit, { code: 0, signal: null }, app.stderr());
});

test('a script whose event loop runs dry exports its client span at beforeExit and keeps its exit code', async () => {
  const app = startApp('script-app.mjs', {});
  const exit = await app.exited;
  assert.deepEqual(exit, { code: 3, signal: null }, app.stderr());
  const [call] = received;
  assert.ok(call, 'downstream was called');
  const [, traceId, spanId] = String(call.headers.traceparent).split('-');
  const { spans } = await traceSpans(traceId as string);
  assert.deepEqual(
    spans.map((s) => [kindOf(s), s.spanID, s.references.length]),
    [['client', spanId, 0]],
  );
});

test('OTEL_SDK_DISABLED=true: nothing is installed, no header is injected', async () => {
  const app = startApp('script-app.mjs', { OTEL_SDK_DISABLED: 'true' });
  const exit = await app.exited;
  assert.deepEqual(exit, { code: 3, signal: null }, app.stderr());
  assert.equal(received.length, 1);
  assert.equal(received[0]?.headers.traceparent, undefined);
});
