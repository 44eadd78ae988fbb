import assert from 'node:assert/strict';
import { test } from 'node:test';
import { DEFAULT_SERVE_CONFIG, type ServeConfig } from './serve-config.js';
import type { ServerModule } from './server-module.js';
import { SERVER_MODULES } from './server-modules.js';
import { startServer } from './start-server.js';

const config: ServeConfig = {
  ...DEFAULT_SERVE_CONFIG,
  storage: 'memory',
  ports: {
    query: 0,
    otlpHttp: 'off',
    otlpGrpc: 'off',
    jaegerHttp: 'off',
    jaegerGrpc: 'off',
    jaegerCompact: 'off',
    jaegerBinary: 'off',
    zipkin: 'off',
    sampling: 'off',
    tempo: 'off',
  },
};

test('serve is ready once started (its store is open); /ready follows the checks modules register', async () => {
  let spoolFull = false;
  // What the collector's spool registers: a module adds a check, /ready then answers by it.
  const spool: ServerModule = {
    name: 'spool',
    start: async (context) => {
      context.onStop(context.readiness.add('spool', () => (spoolFull ? 'the spool is full' : undefined)));
      return [];
    },
  };
  const server = await startServer(config, undefined, [...SERVER_MODULES, spool]);
  try {
    const url = server.listeners.query.url;
    const ready = await fetch(`${url}/ready`);
    assert.equal(ready.status, 200);
    assert.deepEqual(await ready.json(), { status: 'ready' });
    spoolFull = true;
    const full = await fetch(`${url}/ready`);
    assert.equal(full.status, 503);
    assert.deepEqual(await full.json(), {
      status: 'not ready',
      reasons: [{ check: 'spool', reason: 'the spool is full' }],
    });
    assert.equal((await fetch(`${url}/health`)).status, 200, '/health says the process runs, whatever /ready says');
  } finally {
    await server.close();
  }
});
