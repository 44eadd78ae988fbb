// `npm run w3c-service -w @ariadne/sdk -- PORT`, run as npm runs it: the
// script's command from package.json, in the package's folder, with the port
// appended. The harness's POST /test is answered with a callback in the
// caller's trace, and SIGTERM stops the service cleanly.
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { test } from 'node:test';
import { testHttpEndpoint } from '../export/test-http-endpoint.js';

const PACKAGE_DIR = new URL('../../', import.meta.url).pathname;
const TRACE_ID = '12345678901234567890123456789012';
const PARENT_ID = '1234567890123456';

/** A port the kernel just handed out; the service binds it a moment later. */
function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as { port: number };
      server.close(() => resolve(port));
    });
  });
}

test('npm run w3c-service -- PORT listens on PORT and answers POST /test', { timeout: 60_000 }, async () => {
  const { scripts } = JSON.parse(readFileSync(`${PACKAGE_DIR}package.json`, 'utf8')) as {
    scripts: Record<string, string>;
  };
  const [command = '', ...args] = (scripts['w3c-service'] ?? '').split(/\s+/);
  const port = await freePort();
  const endpoint = await testHttpEndpoint([{ status: 200 }]);
  const service = spawn(command, [...args, String(port)], { cwd: PACKAGE_DIR, stdio: ['ignore', 'pipe', 'pipe'] });
  let output = '';
  const exited = new Promise<number | null>((resolve) => service.on('exit', (code) => resolve(code)));
  try {
    await new Promise<void>((resolve, reject) => {
      const read = (chunk: Buffer) => {
        output += chunk.toString();
        if (output.includes('listening on')) resolve();
      };
      service.stdout.on('data', read);
      service.stderr.on('data', read);
      service.on('exit', (code) => reject(new Error(`the service exited (${code}):\n${output}`)));
    });
    assert.match(output, new RegExp(`listening on http://127\\.0\\.0\\.1:${port}/test`));
    const response = await fetch(`http://127.0.0.1:${port}/test`, {
      method: 'POST',
      headers: { traceparent: `00-${TRACE_ID}-${PARENT_ID}-01`, 'content-type': 'application/json' },
      body: JSON.stringify([{ url: `${endpoint.base}/callback`, arguments: ['x'] }]),
    });
    assert.equal(response.status, 200, await response.text());
    const [callback, ...more] = endpoint.received;
    assert.equal(more.length, 0);
    assert.equal(callback?.url, '/callback');
    assert.deepEqual(JSON.parse(String(callback?.body)), ['x']);
    const traceparent = /^00-([0-9a-f]{32})-([0-9a-f]{16})-01$/.exec(String(callback?.headers.traceparent));
    assert.ok(traceparent, `traceparent ${callback?.headers.traceparent}`);
    assert.equal(traceparent[1], TRACE_ID);
    assert.notEqual(traceparent[2], PARENT_ID);
  } finally {
    service.kill('SIGTERM');
    await endpoint.close();
  }
  assert.equal(await exited, 0, output);
});
