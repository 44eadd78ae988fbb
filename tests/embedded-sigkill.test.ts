// Crash safety at the server level: SIGKILL the real server mid-ingest, restart
// it on the same folder, and find every span whose request was answered 200.
import assert from 'node:assert/strict';
import { type ChildProcess, spawn } from 'node:child_process';
import { after, test } from 'node:test';
import { makeTempDir, removeTempDir } from './support/test-server.js';

const serverModule = new URL('../packages/server/src/index.ts', import.meta.url).href;

interface ServerProcess {
  readonly child: ChildProcess;
  readonly otlpHttpUrl: string;
  readonly queryUrl: string;
  readonly exited: Promise<NodeJS.Signals | null>;
}

/** The all-in-one server in a child process, from sources. */
async function startServerProcess(dataDir: string): Promise<ServerProcess> {
  const script = `
    const { startServer, DEFAULT_SERVE_CONFIG } = await import(${JSON.stringify(serverModule)});
    // Every listener on a free port, whatever listeners the server has.
    const ports = Object.fromEntries(Object.keys(DEFAULT_SERVE_CONFIG.ports).map((name) => [name, 0]));
    const server = await startServer({ ...DEFAULT_SERVE_CONFIG, dataDir: ${JSON.stringify(dataDir)}, ports });
    console.log(JSON.stringify({ otlpHttpUrl: server.listeners.otlpHttp.url, queryUrl: server.listeners.query.url }));
  `;
  const child = spawn(
    process.execPath,
    ['--conditions=ariadne-source', '--import', 'tsx', '--input-type=module', '-e', script],
    { stdio: ['ignore', 'pipe', 'pipe'] },
  );
  let stderr = '';
  child.stderr!.on('data', (chunk) => {
    stderr += chunk;
  });
  const exited = new Promise<NodeJS.Signals | null>((resolve) => child.on('exit', (_code, signal) => resolve(signal)));
  const urls = await new Promise<{ otlpHttpUrl: string; queryUrl: string }>((resolve, reject) => {
    let out = '';
    child.stdout!.on('data', (chunk: Buffer) => {
      out += chunk.toString();
      const line = out.split('\n').find((text) => text.startsWith('{'));
      if (line !== undefined) resolve(JSON.parse(line));
    });
    child.on('exit', (code) => reject(new Error(`server exited with ${code}: ${stderr}`)));
  });
  return { child, exited, ...urls };
}

const hex = (n: number, width: number) => n.toString(16).padStart(width, '0');
const SPANS_PER_REQUEST = 5;

/** One OTLP/JSON request: a trace of five spans, numbered so the test can find it again. */
function request(n: number): string {
  const start = 1_767_225_600_000_000_000n + BigInt(n) * 1_000_000n;
  return JSON.stringify({
    resourceSpans: [
      {
        resource: { attributes: [{ key: 'service.name', value: { stringValue: `svc-${n % 3}` } }] },
        scopeSpans: [
          {
            scope: { name: 'sigkill-test' },
            spans: Array.from({ length: SPANS_PER_REQUEST }, (_, i) => ({
              traceId: hex(n, 32),
              spanId: hex(i + 1, 16),
              parentSpanId: i === 0 ? '' : hex(1, 16),
              name: `request-${n}`,
              kind: 2,
              startTimeUnixNano: String(start + BigInt(i)),
              endTimeUnixNano: String(start + BigInt(i) + 1_000n),
            })),
          },
        ],
      },
    ],
  });
}

const dataDir = makeTempDir('ariadne-sigkill-');
const children: ChildProcess[] = [];
after(() => {
  for (const child of children) child.kill('SIGKILL');
  removeTempDir(dataDir);
});

test('every span acknowledged with 200 survives a SIGKILL of the server mid-ingest', async () => {
  const first = await startServerProcess(dataDir);
  children.push(first.child);
  const acknowledged: number[] = [];
  let next = 0;
  let killed = false;
  // Four clients send continuously until the server is gone; the kill lands
  // while the others' requests are in flight (whether those were answered
  // before the process died is up to the race: only 200s count).
  const client = async () => {
    for (;;) {
      const n = ++next;
      try {
        const response = await fetch(`${first.otlpHttpUrl}/v1/traces`, {
          method: 'POST',
          headers: { 'content-type': 'application/json' },
          body: request(n),
        });
        await response.arrayBuffer();
        if (response.status === 200) acknowledged.push(n);
      } catch {
        // The connection died with the server: not acknowledged, and this client is done.
        if (killed) return;
      }
      if (acknowledged.length >= 200 && !killed) {
        killed = true;
        first.child.kill('SIGKILL');
      }
    }
  };
  await Promise.all([client(), client(), client(), client()]);
  assert.equal(await first.exited, 'SIGKILL');
  assert.ok(acknowledged.length >= 200, 'the kill came after at least 200 acknowledged requests');

  const second = await startServerProcess(dataDir);
  children.push(second.child);
  for (const n of acknowledged) {
    const response = await fetch(`${second.queryUrl}/api/traces/${hex(n, 32)}`);
    assert.equal(response.status, 200, `trace of request ${n}`);
    const body = (await response.json()) as { data: { spans: { operationName: string }[] }[] };
    const spans = body.data[0]?.spans ?? [];
    assert.equal(spans.length, SPANS_PER_REQUEST, `spans of request ${n}`);
    assert.ok(spans.every((span) => span.operationName === `request-${n}`));
  }
  second.child.kill('SIGTERM');
  await second.exited;
});
