// Acceptance (issue 6): `npm run demo` brings up the server and every demo
// service, its traffic generator makes traces of every service appear through
// the query API, and Ctrl-C (SIGINT to the whole process group, as a terminal
// sends it) stops every process it started. Every port is 0, so it runs beside
// a real server on the default ports.
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { test } from 'node:test';
import { makeTempDir, removeTempDir } from './support/test-server.js';

const ROOT = new URL('..', import.meta.url).pathname;

const PORT_VARIABLES = [
  ...['QUERY', 'OTLP_HTTP', 'OTLP_GRPC', 'JAEGER_HTTP', 'JAEGER_GRPC', 'JAEGER_COMPACT', 'JAEGER_BINARY', 'ZIPKIN']
    .concat(['SAMPLING', 'TEMPO'])
    .map((name) => `ARIADNE_${name}_PORT`),
  'HELLO_PORT',
  'BANDS_PORT',
  'REVIEWS_PORT',
  'PROXY_PORT',
  'USERVICE1_PORT',
  'USERVICE2_PORT',
  'USERVICE3_PORT',
  'USERVICE4_PORT',
  'USER_REQUEST_PORT',
  'ON_DEMAND_PORT',
];

const EXPECTED_SERVICES = [
  'TracingExample',
  'bands-api',
  'proxy',
  'reviews-api',
  'traced-on-demand',
  'user-request-demo',
  'uservice1',
  'uservice3',
  'uservice4',
];

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

async function until<T>(
  what: string,
  timeoutMs: number,
  probe: () => Promise<T | undefined>,
  output: () => string,
): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await probe().catch(() => undefined);
    if (value !== undefined) return value;
    if (Date.now() > deadline) throw new Error(`${what} not within ${timeoutMs} ms; output:\n${output()}`);
    await new Promise((resolve) => setTimeout(resolve, 250));
  }
}

test('npm run demo: every service traced, Ctrl-C stops every process it started', async () => {
  const dataDir = makeTempDir('ariadne-demo-');
  const env: Record<string, string | undefined> = {
    ...process.env,
    ARIADNE_STORAGE: 'memory',
    ARIADNE_DATA_DIR: dataDir,
    DEMO_TRAFFIC_INTERVAL_MS: '200',
  };
  for (const variable of PORT_VARIABLES) env[variable] = '0';
  // Its own process group, so the test can signal the group the way a terminal's Ctrl-C does.
  const started = Date.now();
  const demo = spawn('npm', ['run', '--silent', 'demo'], {
    cwd: ROOT,
    env,
    detached: true,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  demo.stdout.on('data', (chunk) => {
    output += chunk;
  });
  demo.stderr.on('data', (chunk) => {
    output += chunk;
  });
  // npm itself dies of the SIGINT (as it does in a terminal); scripts/demo.mjs stops its children and exits 0.
  const exited = new Promise<string>((resolve) => demo.on('exit', (code, signal) => resolve(signal ?? `exit ${code}`)));
  const pids = () => [...output.matchAll(/STARTED (\S+) pid (\d+)/g)].map((m) => ({ name: m[1], pid: Number(m[2]) }));
  try {
    const ui = await until(
      'READY',
      90_000,
      async () => (output.includes('READY') ? /Open (\S+)/.exec(output)?.[1] : undefined),
      () => output,
    );
    const queryUrl = ui.replace('localhost', '127.0.0.1');
    assert.deepEqual(
      pids()
        .map((p) => p.name)
        .sort(),
      ['TracingExample', 'ariadne', 'bands-api', 'proxy', 'reviews-api', 'traced-on-demand', 'user-request-demo']
        .concat(['uservice1', 'uservice2', 'uservice3', 'uservice4'])
        .sort(),
    );
    // Every instrumented service's spans reach the server over its own route (OTLP/HTTP, OTLP/gRPC, Jaeger HTTP, Jaeger UDP).
    const services = await until(
      'traces from every demo service',
      60_000,
      async () => {
        const body = (await (await fetch(`${queryUrl}/api/services`)).json()) as { data: string[] | null };
        const have = body.data ?? [];
        return EXPECTED_SERVICES.every((s) => have.includes(s)) ? have : undefined;
      },
      () => output,
    );
    // The issue asks for traces within 30 s of the command; reported, not asserted (no timing in tests).
    console.log(`npm run demo: traces from every demo service after ${Date.now() - started} ms`);
    assert.ok(!services.includes('uservice2'), 'uservice2 is not instrumented');
    const traces = (await (await fetch(`${queryUrl}/api/traces?service=TracingExample&limit=5`)).json()) as {
      data: { spans: unknown[] }[];
    };
    assert.ok(
      traces.data.some((t) => t.spans.length === 4),
      'a whole hello-world trace',
    );
  } finally {
    if (demo.exitCode === null) process.kill(-demo.pid!, 'SIGINT');
    const code = await Promise.race([
      exited,
      new Promise<'timeout'>((resolve) => setTimeout(() => resolve('timeout'), 30_000).unref()),
    ]);
    await until(
      'the demo to report it stopped',
      30_000,
      async () => (/^stopped$/m.test(output) ? true : undefined),
      () => output,
    ).catch(() => undefined);
    // The whole process group (npm, its shell, scripts/demo.mjs, the server, the services) must be gone.
    const groupGone = await until(
      'the process group to empty',
      10_000,
      async () => (alive(-demo.pid!) ? undefined : true),
      () => output,
    ).catch(() => false);
    const survivors = pids().filter((p) => alive(p.pid));
    // Never leave strays behind, whatever the assertions say.
    for (const { pid } of survivors) process.kill(pid, 'SIGKILL');
    if (!groupGone) process.kill(-demo.pid!, 'SIGKILL');
    removeTempDir(dataDir);
    assert.deepEqual(survivors, [], `every child stopped; output:\n${output.slice(-3000)}`);
    assert.equal(groupGone, true, 'nothing is left in the process group');
    assert.ok(code === 'SIGINT' || code === 'exit 0', `npm run demo ends on Ctrl-C (${code})`);
    assert.match(output, /SIGINT: stopping 11 processes/);
    assert.match(output, /^stopped$/m, 'scripts/demo.mjs waited for every child');
  }
});
