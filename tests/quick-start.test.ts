// Acceptance (ground floor): `npm start` serves /health, the UI and OTLP/HTTP
// within 20 seconds, and stops cleanly on SIGTERM. Runs the built CLI exactly
// as the README says (with free ports and a temporary data folder, so it can run
// beside a real server); `npm test` builds first.
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { test } from 'node:test';
import { makeTempDir, removeTempDir } from './support/test-server.js';

const ROOT = new URL('..', import.meta.url).pathname;

// Free ports for every listener, so the test runs beside a real server on the defaults.
const EVERY_PORT_FREE = [
  'query',
  'otlp-http',
  'otlp-grpc',
  'jaeger-http',
  'jaeger-grpc',
  'jaeger-compact',
  'jaeger-binary',
  'zipkin',
  'sampling',
  'tempo',
].flatMap((name) => [`--${name}-port`, '0']);

test('npm start serves health, UI and OTLP/HTTP within 20 seconds', async () => {
  const dataDir = makeTempDir();
  const startedAt = Date.now();
  const child = spawn('npm', ['start', '--silent', '--', ...EVERY_PORT_FREE, '--data-dir', dataDir], {
    cwd: ROOT,
    detached: true,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  child.stdout.on('data', (chunk) => {
    output += chunk;
  });
  child.stderr.on('data', (chunk) => {
    output += chunk;
  });
  let serverPid: number | undefined;
  const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
  try {
    const urls = await new Promise<{ query: string; otlp: string; pid: number }>((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`not ready after 20 s; output:\n${output}`)), 20_000);
      const check = () => {
        const query = /web UI and query API\s+(\S+)/.exec(output)?.[1];
        const otlp = /OTLP\/HTTP receiver\s+(\S+)/.exec(output)?.[1];
        const pid = Number(/Ariadne is ready \(pid (\d+)/.exec(output)?.[1]);
        if (query && otlp && pid) {
          clearTimeout(timer);
          serverPid = pid;
          resolve({ query, otlp, pid });
        }
      };
      child.stdout.on('data', check);
      child.on('exit', () => reject(new Error(`npm start exited early:\n${output}`)));
    });
    const health = await fetch(`${urls.query}/health`);
    assert.equal(health.status, 200);
    const ui = await fetch(`${urls.query}/`);
    assert.equal(ui.status, 200);
    assert.match(await ui.text(), /<div id="root">/);
    const otlp = await fetch(urls.otlp, {
      method: 'POST',
      headers: { 'Content-Type': 'application/json' },
      body: '{"resourceSpans":[]}',
    });
    assert.equal(otlp.status, 200);
    assert.ok(Date.now() - startedAt < 20_000, 'all three answered within 20 seconds of npm start');
  } finally {
    // SIGTERM to the server itself (as a process manager would send it); npm
    // then exits with the server's exit code. Without a pid, stop the group.
    if (serverPid) process.kill(serverPid, 'SIGTERM');
    else if (child.exitCode === null) process.kill(-child.pid!, 'SIGKILL');
    const code = await exited;
    removeTempDir(dataDir);
    assert.equal(code, 0, `npm start should exit cleanly on SIGTERM; output:\n${output}`);
    assert.match(output, /SIGTERM: closing/);
  }
});
