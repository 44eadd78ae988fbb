// Acceptance (issue 14): SIGHUP to a running `ariadne serve` re-reads the
// --auth file and the TLS certificates, without a restart: a token added to
// the file works, one taken out is refused, and new connections get the new
// certificate. The CLI runs from sources in a child process.
import assert from 'node:assert/strict';
import { type ChildProcess, spawn } from 'node:child_process';
import { copyFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, test } from 'node:test';
import { makeTestPki } from '../packages/server/src/tls/testing/openssl-certificates.js';
import { authLine, bearer, testToken } from './support/auth-file.js';
import { httpCall, LISTENER_NAMES } from './support/endpoint-probes.js';
import { makeTempDir, removeTempDir } from './support/test-server.js';

const mainModule = new URL('../packages/server/src/cli/main.ts', import.meta.url).href;
const dir = makeTempDir('ariadne-sighup-');
const children: ChildProcess[] = [];
after(() => {
  for (const child of children) if (child.exitCode === null) child.kill('SIGKILL');
  removeTempDir(dir);
});

/** Waits until `output()` matches `pattern` (the child writes as it goes), or the child exits. */
function waitFor(child: ChildProcess, output: () => string, pattern: RegExp): Promise<RegExpExecArray> {
  return new Promise((resolve, reject) => {
    const check = () => {
      const match = pattern.exec(output());
      if (!match) return;
      child.stdout!.off('data', check);
      child.stderr!.off('data', check);
      resolve(match);
    };
    child.stdout!.on('data', check);
    child.stderr!.on('data', check);
    child.once('exit', (code) => reject(new Error(`ariadne serve exited (${code}) before ${pattern}:\n${output()}`)));
    check();
  });
}

test('SIGHUP reloads the auth file and the certificates of a running ariadne serve', async () => {
  const a = makeTestPki(dir, 'a');
  const b = makeTestPki(dir, 'b');
  const certFile = join(dir, 'server.crt');
  const keyFile = join(dir, 'server.key');
  copyFileSync(a.server.certFile, certFile);
  copyFileSync(a.server.keyFile, keyFile);
  const first = testToken(['team-a'], ['query']);
  const second = testToken(['team-a'], ['query']);
  const authFile = join(dir, 'auth.jsonl');
  writeFileSync(authFile, authLine(first));
  const ports = LISTENER_NAMES.flatMap((name) => [`--${name}-port`, '0']);
  const args = [
    'serve',
    '--storage',
    'memory',
    ...ports,
    '--auth',
    authFile,
    '--tls-cert',
    certFile,
    '--tls-key',
    keyFile,
  ];
  const script = `const { main } = await import(${JSON.stringify(mainModule)}); process.exitCode = await main(process.argv.slice(1));`;
  const child = spawn(
    process.execPath,
    ['--conditions=ariadne-source', '--import', 'tsx', '--input-type=module', '-e', script, ...args],
    { stdio: ['ignore', 'pipe', 'pipe'] },
  );
  children.push(child);
  let output = '';
  child.stdout!.on('data', (chunk) => {
    output += chunk;
  });
  child.stderr!.on('data', (chunk) => {
    output += chunk;
  });
  const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));

  const queryUrl = (await waitFor(child, () => output, /web UI and query API\s+(https:\S+)/))[1]!;
  assert.match(output, /Jaeger agent UDP receivers are off: with --auth they need --udp-tenant/);
  const services = (token: typeof first, ca: Buffer) =>
    httpCall(`${queryUrl}/api/services`, { headers: bearer(token), tls: { ca } }).then((answer) => answer.status);
  assert.equal(await services(first, a.ca.cert), 200);
  assert.equal(await services(second, a.ca.cert), 401);

  writeFileSync(authFile, authLine(second));
  copyFileSync(b.server.certFile, certFile);
  copyFileSync(b.server.keyFile, keyFile);
  child.kill('SIGHUP');
  await waitFor(child, () => output, /tls: reloaded certificates from/);
  assert.match(output, /auth: reloaded 1 tokens from/);
  assert.equal(await services(second, b.ca.cert), 200, 'the new token, over the new certificate');
  assert.equal(await services(first, b.ca.cert), 401, 'the token taken out of the file');
  await assert.rejects(services(second, a.ca.cert), 'new connections no longer get the old certificate');

  child.kill('SIGTERM');
  assert.equal(await exited, 0, output);
  assert.match(output, /SIGTERM: closing/);
});
