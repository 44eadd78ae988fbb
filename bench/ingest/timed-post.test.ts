import assert from 'node:assert/strict';
import { once } from 'node:events';
import { Agent, createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { test } from 'node:test';
import { timedPost } from './timed-post.js';

async function withServer(
  handle: (req: IncomingMessage, res: ServerResponse) => void,
  body: (url: URL, agent: Agent) => Promise<void>,
): Promise<void> {
  const server = createServer(handle);
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  const agent = new Agent({ keepAlive: true, maxSockets: 1 });
  try {
    await body(new URL(`http://127.0.0.1:${(server.address() as AddressInfo).port}/v1/traces`), agent);
  } finally {
    agent.destroy();
    server.closeAllConnections();
    server.close();
  }
}

const BODY = new Uint8Array(300_000).fill(7);

test('answers come back with their status and Retry-After, the text only when not 2xx', async () => {
  let served = 0;
  await withServer(
    (req, res) => {
      let bytes = 0;
      req.on('data', (chunk: Buffer) => {
        bytes += chunk.length;
      });
      req.on('end', () => {
        assert.equal(bytes, BODY.length);
        if (served++ === 0) res.writeHead(200).end('ok');
        else res.writeHead(429, { 'Retry-After': '2' }).end('slow down');
      });
    },
    async (url, agent) => {
      assert.deepEqual(await timedPost(url, BODY, 'application/x-protobuf', agent, 10_000), {
        kind: 'answer',
        status: 200,
        retryAfter: undefined,
        body: '',
      });
      assert.deepEqual(await timedPost(url, BODY, 'application/x-protobuf', agent, 10_000), {
        kind: 'answer',
        status: 429,
        retryAfter: '2',
        body: 'slow down',
      });
    },
  );
});

test('a server that never answers is recorded as a timeout, not waited on', async () => {
  await withServer(
    (req) => req.resume(),
    async (url, agent) => {
      assert.deepEqual(await timedPost(url, BODY, 'application/x-protobuf', agent, 300), { kind: 'timeout' });
    },
  );
});

test('nothing listening is a network error', async () => {
  const server = createServer();
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  const port = (server.address() as AddressInfo).port;
  server.close();
  await once(server, 'close');
  const agent = new Agent();
  const outcome = await timedPost(new URL(`http://127.0.0.1:${port}/`), BODY, 'application/x-protobuf', agent, 10_000);
  agent.destroy();
  assert.equal(outcome.kind, 'network-error');
});
