// `npm run demo`: the five classic tracing demos (examples/README.md), all at once.
// Starts `ariadne serve` unless a server already answers on the query port, then
// every demo service on its documented port, then a gentle traffic generator (a
// request every DEMO_TRAFFIC_INTERVAL_MS, default 1500, across the scenarios).
// Ctrl-C (SIGINT) or SIGTERM stops every process it started.
//
// Every port can be overridden (0 picks a free one), so it can run beside a real
// server and in tests: ARIADNE_<QUERY|OTLP_HTTP|OTLP_GRPC|JAEGER_HTTP|JAEGER_GRPC|
// JAEGER_COMPACT|JAEGER_BINARY|ZIPKIN|SAMPLING|TEMPO>_PORT for the server, and
// HELLO_PORT, BANDS_PORT, REVIEWS_PORT, PROXY_PORT, USERVICE1_PORT … USERVICE4_PORT,
// USER_REQUEST_PORT, ON_DEMAND_PORT for the services. ARIADNE_STORAGE (default
// embedded) and ARIADNE_DATA_DIR (default ./data) choose the server's store.
import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { join } from 'node:path';

const root = new URL('..', import.meta.url).pathname;
const env = process.env;

const SERVER_PORTS = {
  query: 16686,
  'otlp-http': 4318,
  'otlp-grpc': 4317,
  'jaeger-http': 14268,
  'jaeger-grpc': 14250,
  'jaeger-compact': 6831,
  'jaeger-binary': 6832,
  zipkin: 9411,
  sampling: 5778,
  tempo: 3200,
};

function portOf(variable, fallback) {
  const raw = env[variable]?.trim();
  if (raw === undefined || raw === '') return fallback;
  const port = Number(raw);
  if (!Number.isInteger(port) || port < 0 || port > 65535) throw new Error(`${variable}=${raw} is not a port`);
  return port;
}

function serverPortVariable(name) {
  return `ARIADNE_${name.toUpperCase().replace(/-/g, '_')}_PORT`;
}

/** Every child we started, so that stopping reaches each one even if one of them is stuck. */
const children = [];
let stopping = false;

function log(line) {
  process.stdout.write(`${line}\n`);
}

/**
 * Spawns a child and resolves with what `ready` finds in its output (the
 * server's endpoint table, a service's `LISTENING` line); rejects when it exits
 * first or stays silent for 60 s.
 */
function startChild(name, args, childEnv, ready, { detached = false } = {}) {
  const child = spawn(process.execPath, args, {
    cwd: root,
    env: childEnv,
    detached,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  children.push({ name, child });
  log(`STARTED ${name} pid ${child.pid}`);
  let output = '';
  child.stderr.on('data', (chunk) => process.stderr.write(`[${name}] ${chunk}`));
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`${name} not ready after 60 s:\n${output}`)), 60_000);
    const onData = (chunk) => {
      output += chunk;
      const found = ready(output);
      if (found !== undefined) {
        clearTimeout(timer);
        child.stdout.off('data', onData);
        // Keep draining stdout (log lines) so the child never blocks on a full pipe.
        child.stdout.resume();
        resolve(found);
      }
    };
    child.stdout.on('data', onData);
    child.once('exit', (code, signal) => {
      clearTimeout(timer);
      if (!stopping) log(`${name} exited (${signal ?? code})`);
      reject(new Error(`${name} exited (${signal ?? code}) before it was ready:\n${output}`));
    });
  });
}

async function answers(url) {
  try {
    const response = await fetch(url, { signal: AbortSignal.timeout(1000) });
    return response.ok;
  } catch {
    return false;
  }
}

/** Where the receivers are: our own server's chosen ports, or the defaults (and overrides) of one already running. */
async function ensureServer() {
  const ports = Object.fromEntries(
    Object.entries(SERVER_PORTS).map(([name, port]) => [name, portOf(serverPortVariable(name), port)]),
  );
  if (ports.query !== 0 && (await answers(`http://127.0.0.1:${ports.query}/health`))) {
    log(`Ariadne already answers on http://127.0.0.1:${ports.query}: using it`);
    return { ...ports, started: false };
  }
  const bin = join(root, 'packages/server/bin/ariadne.js');
  if (!existsSync(join(root, 'packages/server/dist/cli/main.js'))) {
    throw new Error('the server is not built: run `npm ci` (or `npm run build`) first');
  }
  const args = [
    bin,
    'serve',
    '--storage',
    env.ARIADNE_STORAGE || 'embedded',
    '--data-dir',
    env.ARIADNE_DATA_DIR || 'data',
  ];
  for (const [name, port] of Object.entries(ports)) args.push(`--${name}-port`, String(port));
  const labels = {
    query: 'web UI and query API',
    'otlp-http': 'OTLP/HTTP receiver',
    'otlp-grpc': 'OTLP/gRPC receiver',
    'jaeger-http': 'Jaeger Thrift/HTTP',
    'jaeger-compact': 'Jaeger agent compact',
  };
  // Its own process group: a terminal's Ctrl-C reaches the services at once, but the
  // server must outlive them to receive their last spans; stopAll stops it last.
  const chosen = await startChild(
    'ariadne',
    args,
    env,
    (output) => {
      if (!output.includes('Ariadne is ready')) return undefined;
      const found = {};
      for (const [name, label] of Object.entries(labels)) {
        const match = new RegExp(`${label.replace(/[/]/g, '\\/')}\\s+\\w+:\\/\\/[^:]+:(\\d+)`).exec(output);
        if (!match) return undefined;
        found[name] = Number(match[1]);
      }
      return found;
    },
    { detached: true },
  );
  return { ...ports, ...chosen, started: true };
}

const TSX = ['--conditions=ariadne-source', '--import', 'tsx'];

function startService(name, file, extraArgs, childEnv) {
  return startChild(name, [...TSX, file, ...extraArgs], childEnv, (output) => {
    const match = new RegExp(`LISTENING ${name} (\\S+)`).exec(output);
    return match ? match[1] : undefined;
  });
}

async function startServices(server) {
  const base = { ...env, OTEL_BSP_SCHEDULE_DELAY: env.OTEL_BSP_SCHEDULE_DELAY || '1000' };
  // Ours decide where spans go; stray OTEL settings from the shell would send them elsewhere.
  for (const key of ['OTEL_EXPORTER_OTLP_TRACES_ENDPOINT', 'OTEL_EXPORTER_OTLP_PROTOCOL', 'OTEL_TRACES_EXPORTER']) {
    delete base[key];
  }
  const otlpHttp = { ...base, OTEL_EXPORTER_OTLP_ENDPOINT: `http://127.0.0.1:${server['otlp-http']}` };
  const otlpGrpc = { ...base, OTEL_EXPORTER_OTLP_ENDPOINT: `http://127.0.0.1:${server['otlp-grpc']}` };
  const port = (variable, fallback) => String(portOf(variable, fallback));
  const micro = 'examples/microservices/main.ts';

  // First the services nobody depends on, then their callers, then the proxy.
  const [reviews, hello, uservice2, uservice4, userRequest, onDemand] = await Promise.all([
    startService('reviews-api', 'examples/bands-and-reviews/reviews-main.ts', [], {
      ...otlpHttp,
      REVIEWS_PORT: port('REVIEWS_PORT', 8081),
    }),
    startService('TracingExample', 'examples/hello-tracing-world/main.ts', [], {
      ...otlpHttp,
      HELLO_PORT: port('HELLO_PORT', 8080),
    }),
    startService('uservice2', micro, ['uservice2'], { ...base, USERVICE2_PORT: port('USERVICE2_PORT', 8092) }),
    startService('uservice4', micro, ['uservice4'], { ...otlpGrpc, USERVICE4_PORT: port('USERVICE4_PORT', 8094) }),
    startService('user-request-demo', 'examples/user-request/main.ts', [], {
      ...otlpHttp,
      USER_REQUEST_PORT: port('USER_REQUEST_PORT', 8082),
    }),
    startService('traced-on-demand', 'examples/traced-on-demand/main.ts', [], {
      ...base,
      ON_DEMAND_PORT: port('ON_DEMAND_PORT', 8083),
      TRACES_EXPORTER: 'jaeger',
      TRACES_EXPORTER_JAEGER_AGENT_HOST: '127.0.0.1',
      TRACES_EXPORTER_JAEGER_AGENT_PORT: String(server['jaeger-compact']),
    }),
  ]);
  const [bands, uservice1, uservice3] = await Promise.all([
    startService('bands-api', 'examples/bands-and-reviews/bands-main.ts', [], {
      ...otlpHttp,
      BANDS_PORT: port('BANDS_PORT', 8000),
      REVIEWS_URL: reviews,
    }),
    startService('uservice1', micro, ['uservice1'], {
      ...otlpGrpc,
      USERVICE1_PORT: port('USERVICE1_PORT', 8091),
      USERVICE2_URL: uservice2,
    }),
    startService('uservice3', micro, ['uservice3'], {
      ...otlpGrpc,
      USERVICE3_PORT: port('USERVICE3_PORT', 8093),
      USERVICE4_URL: uservice4,
    }),
  ]);
  const proxy = await startService('proxy', micro, ['proxy'], {
    ...base,
    OTEL_EXPORTER_JAEGER_ENDPOINT: `http://127.0.0.1:${server['jaeger-http']}/api/traces`,
    PROXY_PORT: port('PROXY_PORT', 8090),
    USERVICE1_URL: uservice1,
    USERVICE3_URL: uservice3,
  });
  return { hello, bands, reviews, proxy, userRequest, onDemand };
}

/** One request at a time, round the scenarios; failures are reported once per scenario, never fatal. */
function startTraffic(urls) {
  const scenarios = [
    { name: 'hello /trace', url: `${urls.hello}/trace` },
    { name: 'bands (one request per review)', url: `${urls.bands}/bands/1` },
    { name: 'uservice3 via proxy', url: `${urls.proxy}/uservice3/work` },
    { name: 'user_request', url: `${urls.userRequest}/` },
    { name: 'on demand, not traced', url: `${urls.onDemand}/` },
    { name: 'hello /', url: `${urls.hello}/` },
    { name: 'bands (batched)', url: `${urls.bands}/bands/2?batch=true` },
    { name: 'uservice1 via proxy', url: `${urls.proxy}/uservice1/work` },
    {
      name: 'on demand, traced',
      url: `${urls.onDemand}/`,
      headers: { 'jaeger-debug-id': 'tracing-is-a-great-idea' },
    },
  ];
  const failed = new Set();
  const interval = Number(env.DEMO_TRAFFIC_INTERVAL_MS) || 1500;
  let next = 0;
  let timer;
  const tick = async () => {
    const scenario = scenarios[next++ % scenarios.length];
    try {
      const response = await fetch(scenario.url, { headers: scenario.headers, signal: AbortSignal.timeout(10_000) });
      await response.arrayBuffer();
      if (!response.ok) throw new Error(`HTTP ${response.status}`);
    } catch (error) {
      if (!stopping && !failed.has(scenario.name)) {
        failed.add(scenario.name);
        log(`traffic: ${scenario.name} failed (${error.message}); will keep trying`);
      }
    }
    if (!stopping) timer = setTimeout(tick, interval);
  };
  timer = setTimeout(tick, 0);
  return () => clearTimeout(timer);
}

/** SIGTERM to every child (services first, so their last spans reach the server), SIGKILL after 10 s. */
async function stopAll(reason) {
  if (stopping) return;
  stopping = true;
  log(`${reason}: stopping ${children.length} processes`);
  const exited = ({ child }) =>
    child.exitCode !== null || child.signalCode !== null
      ? Promise.resolve()
      : new Promise((resolve) => child.once('exit', resolve));
  const services = children.filter((c) => c.name !== 'ariadne');
  const server = children.filter((c) => c.name === 'ariadne');
  const stopGroup = async (group) => {
    for (const { child } of group) if (child.exitCode === null && child.signalCode === null) child.kill('SIGTERM');
    const timer = setTimeout(() => {
      for (const { child } of group) if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
    }, 10_000);
    await Promise.all(group.map(exited));
    clearTimeout(timer);
  };
  await stopGroup(services);
  await stopGroup(server);
  log('stopped');
}

let stopTraffic = () => {};
for (const signal of ['SIGINT', 'SIGTERM']) {
  process.on(signal, () => {
    stopTraffic();
    stopAll(signal).then(() => process.exit(0));
  });
}

try {
  const server = await ensureServer();
  const urls = await startServices(server);
  stopTraffic = startTraffic(urls);
  const ui = env.ARIADNE_UI_URL || `http://localhost:${server.query}`;
  log('');
  log(`All demos are running; traces appear within seconds. Open ${ui}`);
  log(`  1. Hello Tracing World   ${urls.hello}/trace`);
  log(`  2. Bands and reviews     ${urls.bands}/bands/1   (npm run demo:bands)`);
  log(`  3. Microservices         ${urls.proxy}/uservice1/work  ${urls.proxy}/uservice3/work`);
  log(`  4. A user request        ${urls.userRequest}/`);
  log(`  5. Traced on demand      curl -H 'jaeger-debug-id: tracing-is-a-great-idea' ${urls.onDemand}/`);
  log('READY');
  log('Ctrl-C stops everything.');
} catch (error) {
  process.stderr.write(`demo: ${error.message}\n`);
  await stopAll('error');
  process.exit(1);
}
