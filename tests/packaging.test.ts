// Issue 16: Ariadne installs the way Node tools ship. A fresh `npm ci` of the
// repo prints no warning; the server (with the built UI) and the SDK are packed
// with `npm pack`, installed from their tarballs into empty folders with
// third-party packages from the registry, and then run there: `npx ariadne
// --version`, `npx ariadne serve --config FILE` with the UI and a span round
// trip, the SDK alone sending a span to that server, and the systemd unit from
// packaging/ checked by `systemd-analyze verify` where that command exists.
// `npm test` builds first; run alone, this test packs whatever dist/ holds.
import assert from 'node:assert/strict';
import { type ChildProcess, spawn } from 'node:child_process';
import { copyFileSync, existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';

const ROOT = new URL('..', import.meta.url).pathname;
const UNIT_FILE = join(ROOT, 'packaging/ariadne.service');
/** Where the unit file expects Ariadne's packages to be installed. */
const UNIT_PREFIX = '/opt/ariadne';

/**
 * Install scripts a stranger's npm lists as unreviewed when installing our
 * packages (their project has no allowScripts of ours): protobufjs's postinstall,
 * which only prints advice about version ranges, comes with @grpc/grpc-js. The
 * README says so. Anything else is a new warning.
 */
const EXPECTED_UNREVIEWED_SCRIPTS = new Set(['protobufjs']);

interface Run {
  readonly code: number | null;
  readonly output: string;
}

/** The environment without what an outer `npm test` sets for its scripts (npm_config_*, npm_lifecycle_*, ...). */
function cleanEnv(extra: NodeJS.ProcessEnv = {}): NodeJS.ProcessEnv {
  const env = Object.fromEntries(Object.entries(process.env).filter(([key]) => !/^npm_/i.test(key)));
  return { ...env, ...extra };
}

function run(command: string, args: readonly string[], cwd: string, env = cleanEnv()): Promise<Run> {
  return new Promise((resolve, reject) => {
    const child = spawn(command, args, { cwd, env, stdio: ['ignore', 'pipe', 'pipe'] });
    let output = '';
    child.stdout.on('data', (chunk) => {
      output += chunk;
    });
    child.stderr.on('data', (chunk) => {
      output += chunk;
    });
    child.on('error', reject);
    child.on('close', (code) => resolve({ code, output }));
  });
}

async function runOk(command: string, args: readonly string[], cwd: string, env?: NodeJS.ProcessEnv): Promise<string> {
  const result = await run(command, args, cwd, env);
  assert.equal(result.code, 0, `${command} ${args.join(' ')} failed in ${cwd}:\n${result.output}`);
  return result.output;
}

/** Every `npm warn` line, except the unreviewed install scripts we expect (see EXPECTED_UNREVIEWED_SCRIPTS). */
function unexpectedWarnings(output: string): string[] {
  const warnings = output.split('\n').filter((line) => /^npm warn/i.test(line));
  const scriptLines = warnings.filter((line) => /^npm warn install-scripts/i.test(line));
  const listed = scriptLines
    .map((line) => /^npm warn install-scripts {3}(@?[^@\s]+)@/i.exec(line)?.[1])
    .filter((name) => name !== undefined);
  if (listed.length > 0 && listed.every((name) => EXPECTED_UNREVIEWED_SCRIPTS.has(name))) {
    return warnings.filter((line) => !scriptLines.includes(line));
  }
  return warnings;
}

function tempDir(name: string): string {
  return mkdtempSync(join(tmpdir(), `ariadne-packaging-${name}-`));
}

const readJson = <T>(path: string): T => JSON.parse(readFileSync(path, 'utf8')) as T;

interface Manifest {
  name: string;
  version: string;
  workspaces?: string[];
  scripts?: Record<string, string>;
  dependencies?: Record<string, string>;
  peerDependencies?: Record<string, string>;
  allowScripts?: Record<string, boolean>;
}

test('a fresh npm ci prints no warning', async () => {
  // The lockfile and manifests alone, in a scratch folder: npm resolves the
  // tree, checks every engine and lists install scripts without the policy
  // (`npm ci --dry-run`), with no node_modules touched. The root's scripts are
  // left out because a dry run still runs `prepare` (the build).
  const dir = tempDir('ci');
  try {
    const root = readJson<Manifest>(join(ROOT, 'package.json'));
    const { scripts: _scripts, ...withoutScripts } = root;
    writeFileSync(join(dir, 'package.json'), JSON.stringify(withoutScripts, null, 2));
    copyFileSync(join(ROOT, 'package-lock.json'), join(dir, 'package-lock.json'));
    if (existsSync(join(ROOT, '.npmrc'))) copyFileSync(join(ROOT, '.npmrc'), join(dir, '.npmrc'));
    for (const workspace of root.workspaces ?? []) {
      mkdirSync(join(dir, workspace), { recursive: true });
      copyFileSync(join(ROOT, workspace, 'package.json'), join(dir, workspace, 'package.json'));
    }
    const result = await run('npm', ['ci', '--dry-run', '--no-audit', '--no-fund'], dir);
    assert.equal(result.code, 0, result.output);
    const warnings = result.output.split('\n').filter((line) => /^npm warn/i.test(line));
    assert.deepEqual(warnings, [], `npm ci warns:\n${result.output}`);

    // Every install script is decided in package.json (allowScripts), not left to npm's default.
    const lock = readJson<{ packages: Record<string, { hasInstallScript?: boolean }> }>(
      join(ROOT, 'package-lock.json'),
    );
    const withScripts = Object.entries(lock.packages)
      .filter(([, entry]) => entry.hasInstallScript)
      .map(([path]) => path.slice(path.lastIndexOf('node_modules/') + 'node_modules/'.length));
    for (const name of withScripts) {
      assert.equal(typeof root.allowScripts?.[name], 'boolean', `allowScripts decides ${name}'s install script`);
    }
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

describe('installed from npm pack tarballs', () => {
  const work = tempDir('install');
  const tarballs = join(work, 'tarballs');
  const serverDir = join(work, 'server');
  const sdkDir = join(work, 'sdk');
  const tarball: Record<string, string> = {};
  const installOutput: Record<'server' | 'sdk', string> = { server: '', sdk: '' };
  const serverVersion = readJson<Manifest>(join(ROOT, 'packages/server/package.json')).version;
  let server: ChildProcess | undefined;
  let serverPid: number | undefined;
  let serverOutput = '';
  let serverExit: Promise<number | null> | undefined;
  let urls: { query: string; otlpHttp: string; otlpGrpc: string } | undefined;

  before(async () => {
    mkdirSync(tarballs);
    const packed = JSON.parse(
      await runOk(
        'npm',
        [
          'pack',
          ...['protocol', 'ui', 'server', 'sdk'].flatMap((name) => ['--workspace', `packages/${name}`]),
          '--pack-destination',
          tarballs,
          '--json',
          '--ignore-scripts',
          '--silent',
        ],
        ROOT,
      ),
    ) as { name: string; filename: string; files: { path: string }[] }[];
    for (const entry of packed) {
      tarball[entry.name] = join(tarballs, entry.filename);
      const paths = entry.files.map((file) => file.path);
      assert.deepEqual(
        paths.filter((path) => /\.test\.|(^|\/)src\//.test(path)),
        [],
        `${entry.name} ships no tests or sources`,
      );
      if (entry.name === '@ariadne/ui')
        assert.ok(paths.includes('dist/index.html'), 'the UI tarball holds the built UI');
      if (entry.name === '@ariadne/server') {
        assert.ok(paths.includes('bin/ariadne.js') && paths.includes('dist/cli/main.js'), paths.join('\n'));
      }
    }
    // Like a user: an empty project, our tarballs, everything else from the registry.
    for (const dir of [serverDir, sdkDir]) {
      mkdirSync(dir);
      writeFileSync(join(dir, 'package.json'), JSON.stringify({ name: 'app', version: '1.0.0', private: true }));
    }
    const install = (dir: string, specs: string[]) =>
      runOk('npm', ['install', '--no-audit', '--no-fund', ...specs], dir);
    [installOutput.server, installOutput.sdk] = await Promise.all([
      install(serverDir, [tarball['@ariadne/protocol']!, tarball['@ariadne/ui']!, tarball['@ariadne/server']!]),
      install(sdkDir, [tarball['@ariadne/protocol']!, tarball['@ariadne/sdk']!, '@opentelemetry/api']),
    ]);
  });

  after(async () => {
    if (server && server.exitCode === null && server.signalCode === null) {
      if (serverPid) process.kill(serverPid, 'SIGKILL');
      process.kill(-server.pid!, 'SIGKILL');
      await serverExit;
    }
    rmSync(work, { recursive: true, force: true });
  });

  test('installing prints no warning but the install scripts we expect', () => {
    assert.deepEqual(unexpectedWarnings(installOutput.server), [], installOutput.server);
    assert.deepEqual(unexpectedWarnings(installOutput.sdk), [], installOutput.sdk);
  });

  test('npx ariadne --version prints the server package version', async () => {
    const output = await runOk('npx', ['--no-install', 'ariadne', '--version'], serverDir);
    assert.equal(output.trim(), serverVersion);
  });

  test('npx ariadne serve --config starts: the UI loads and a span round-trips', async () => {
    // The file fixes ports that may be taken (a real server may run beside the
    // tests); the flags' free ports win. What only the file says shows too:
    // the memory store, and no Jaeger agent listeners.
    writeFileSync(
      join(serverDir, 'ariadne.yaml'),
      [
        'storage: memory',
        'max-traces: 1000',
        'query-port: 16686',
        'otlp-http-port: 4318',
        'jaeger-compact-port: off',
        'jaeger-binary-port: off',
        '',
      ].join('\n'),
    );
    const freePorts = ['query', 'otlp-http', 'otlp-grpc', 'jaeger-http', 'jaeger-grpc', 'zipkin', 'sampling', 'tempo'];
    server = spawn(
      'npx',
      [
        '--no-install',
        'ariadne',
        'serve',
        '--config',
        'ariadne.yaml',
        ...freePorts.flatMap((p) => [`--${p}-port`, '0']),
      ],
      { cwd: serverDir, env: cleanEnv(), detached: true, stdio: ['ignore', 'pipe', 'pipe'] },
    );
    const child = server;
    serverExit = new Promise((resolve) => child.on('exit', (code) => resolve(code)));
    child.stdout!.on('data', (chunk) => {
      serverOutput += chunk;
    });
    child.stderr!.on('data', (chunk) => {
      serverOutput += chunk;
    });
    const ready = await new Promise<NonNullable<typeof urls>>((resolve, reject) => {
      const check = () => {
        const query = /web UI and query API\s+(\S+)/.exec(serverOutput)?.[1];
        const otlpHttp = /OTLP\/HTTP receiver\s+(\S+)/.exec(serverOutput)?.[1];
        const otlpGrpc = /OTLP\/gRPC receiver\s+(\S+)/.exec(serverOutput)?.[1];
        const pid = Number(/Ariadne is ready \(pid (\d+)/.exec(serverOutput)?.[1]);
        if (query && otlpHttp && otlpGrpc && pid) {
          serverPid = pid;
          resolve({ query, otlpHttp, otlpGrpc });
        }
      };
      child.stdout!.on('data', check);
      child.on('exit', () => reject(new Error(`npx ariadne serve exited early:\n${serverOutput}`)));
    });
    urls = ready;
    assert.match(serverOutput, /storage: memory/);
    assert.doesNotMatch(serverOutput, /Jaeger agent/);
    assert.doesNotMatch(ready.query, /:16686$/);

    const page = await fetch(`${ready.query}/`);
    assert.equal(page.status, 200);
    const html = await page.text();
    assert.match(html, /<div id="root">/);
    const script = /<script[^>]+src="([^"]+)"/.exec(html)?.[1];
    assert.ok(script, html);
    const asset = await fetch(new URL(script, `${ready.query}/`));
    assert.equal(asset.status, 200);
    assert.match(asset.headers.get('content-type') ?? '', /javascript/);

    const traceId = '5b8efff798038103d269b633813fc60c';
    const posted = await fetch(ready.otlpHttp, {
      method: 'POST',
      headers: { 'Content-Type': 'application/json' },
      body: JSON.stringify({
        resourceSpans: [
          {
            resource: { attributes: [{ key: 'service.name', value: { stringValue: 'packaged-server' } }] },
            scopeSpans: [
              {
                spans: [
                  {
                    traceId,
                    spanId: 'eee19b7ec3c1b174',
                    name: 'from-a-tarball',
                    kind: 2,
                    startTimeUnixNano: String(BigInt(Date.now() - 1000) * 1_000_000n),
                    endTimeUnixNano: String(BigInt(Date.now()) * 1_000_000n),
                  },
                ],
              },
            ],
          },
        ],
      }),
    });
    assert.equal(posted.status, 200, await posted.text());
    const spans = await waitForTrace(ready.query, traceId);
    assert.deepEqual(
      spans.map((span) => [span.serviceName, span.operationName]),
      [['packaged-server', 'from-a-tarball']],
    );
  });

  test('@ariadne/sdk alone, with @opentelemetry/api its only peer, sends a span over OTLP/gRPC', async () => {
    assert.ok(urls, 'the server test ran first');
    const manifest = readJson<Manifest>(join(sdkDir, 'node_modules/@ariadne/sdk/package.json'));
    assert.deepEqual(Object.keys(manifest.peerDependencies ?? {}), ['@opentelemetry/api']);
    const installed = readJson<{ packages: Record<string, unknown> }>(join(sdkDir, 'package-lock.json')).packages;
    const names = Object.keys(installed).map((path) => path.slice(path.lastIndexOf('node_modules/') + 13));
    assert.deepEqual(
      names.filter((name) => name.startsWith('@opentelemetry/') || name.startsWith('@ariadne/')).sort(),
      ['@ariadne/protocol', '@ariadne/sdk', '@opentelemetry/api'],
    );
    writeFileSync(
      join(sdkDir, 'send-span.mjs'),
      [
        "import { trace } from '@opentelemetry/api';",
        "import { register } from '@ariadne/sdk';",
        'const registration = register();',
        "const span = trace.getTracer('packaging-test').startSpan('sdk-from-a-tarball');",
        'span.end();',
        'await registration.shutdown();',
        'process.stdout.write(span.spanContext().traceId);',
        '',
      ].join('\n'),
    );
    const grpcAddress = urls.otlpGrpc.replace(/^\w+:\/\//, '');
    const traceId = (
      await runOk(
        process.execPath,
        ['send-span.mjs'],
        sdkDir,
        cleanEnv({
          OTEL_SERVICE_NAME: 'packaged-sdk',
          OTEL_EXPORTER_OTLP_PROTOCOL: 'grpc',
          OTEL_EXPORTER_OTLP_ENDPOINT: `http://${grpcAddress}`,
        }),
      )
    ).trim();
    assert.match(traceId, /^[0-9a-f]{32}$/);
    const spans = await waitForTrace(urls.query, traceId);
    assert.deepEqual(
      spans.map((span) => [span.serviceName, span.operationName]),
      [['packaged-sdk', 'sdk-from-a-tarball']],
    );
  });

  test('SIGTERM stops the installed server cleanly', async () => {
    assert.ok(serverPid && serverExit, 'the server test ran first');
    process.kill(serverPid, 'SIGTERM');
    assert.equal(await serverExit, 0, serverOutput);
    assert.match(serverOutput, /SIGTERM: closing/);
  });

  test('the systemd unit passes systemd-analyze verify', async (t) => {
    const unit = readFileSync(UNIT_FILE, 'utf8');
    assert.match(unit, /^ExecStart=\/opt\/ariadne\/node_modules\/\.bin\/ariadne serve --config /m);
    const verify = await run('systemd-analyze', ['--version'], work).catch(() => undefined);
    if (verify?.code !== 0) {
      t.skip('systemd-analyze is not installed (.ci/run installs systemd)');
      return;
    }
    // The unit as installed: its ExecStart must exist, so it points into this install.
    const unitDir = join(work, 'unit');
    mkdirSync(unitDir);
    const unitPath = join(unitDir, 'ariadne.service');
    writeFileSync(unitPath, unit.replaceAll(`${UNIT_PREFIX}/`, `${serverDir}/`));
    const result = await run('systemd-analyze', ['verify', '--man=no', unitPath], unitDir);
    assert.equal(result.code, 0, result.output);
    assert.equal(result.output.trim(), '', 'systemd-analyze verify has nothing to say');
  });
});

interface JaegerSpan {
  readonly operationName: string;
  readonly serviceName: string;
}

/** Polls Jaeger's trace API until the trace is there (the server answers before the store has it). */
async function waitForTrace(queryUrl: string, traceId: string): Promise<JaegerSpan[]> {
  const deadline = Date.now() + 30_000;
  for (;;) {
    const response = await fetch(`${queryUrl}/api/traces/${traceId}`);
    if (response.status === 200) {
      const body = (await response.json()) as {
        data: {
          spans: { operationName: string; processID: string }[];
          processes: Record<string, { serviceName: string }>;
        }[];
      };
      const trace = body.data[0];
      if (trace && trace.spans.length > 0) {
        return trace.spans.map((span) => ({
          operationName: span.operationName,
          serviceName: trace.processes[span.processID]?.serviceName ?? '',
        }));
      }
    } else {
      await response.body?.cancel();
      assert.equal(response.status, 404, `GET /api/traces/${traceId}`);
    }
    if (Date.now() > deadline) assert.fail(`trace ${traceId} not found within 30 s`);
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}
