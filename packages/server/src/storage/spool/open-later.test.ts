import assert from 'node:assert/strict';
import { createServer } from 'node:net';
import { test } from 'node:test';
import { AriadneError } from '@ariadne/protocol';
import { ClickHouseError } from '../clickhouse/clickhouse-http.js';
import { openClickHouseStore } from '../clickhouse/clickhouse-store.js';
import { openLater } from './open-later.js';
import { StoreNotOpenError } from './store-not-open-error.js';

/** A loopback port nothing listens on. */
async function closedPort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as { port: number };
  await new Promise((resolve) => server.close(resolve));
  return port;
}

test('a store that cannot open because it is away is handed out, and answers "not open" until it opens', async () => {
  const url = `http://127.0.0.1:${await closedPort()}`;
  let attempts = 0;
  const store = await openLater(
    () => {
      attempts++;
      return openClickHouseStore({ url, database: 'later' });
    },
    ['writeSpans', 'getTrace', 'getServices'],
    { retryMs: 20 },
  );
  await assert.rejects(store.writeSpans([]), StoreNotOpenError);
  await assert.rejects(
    store.getServices(),
    (error: unknown) => error instanceof AriadneError && error.kind === 'StorageFailure',
  );
  assert.equal(typeof (store as { getDependencies?: unknown }).getDependencies, 'undefined');
  // It keeps trying in the background...
  const deadline = Date.now() + 30_000;
  while (attempts < 3 && Date.now() < deadline) await new Promise((resolve) => setTimeout(resolve, 20));
  assert.ok(attempts >= 3, `${attempts} attempts`);
  // ...until closed (close waits for an attempt under way).
  await store.close();
});

test('a failure of another kind than "away" rejects at once', async () => {
  await assert.rejects(
    openLater(() => Promise.reject(new AriadneError('InvalidQuery', 'bad configuration')), ['writeSpans']),
    /bad configuration/,
  );
});

test('credentials ClickHouse refuses stop the open at once: waiting would not fix them', async () => {
  let attempts = 0;
  await assert.rejects(
    openLater(
      () => {
        attempts++;
        return Promise.reject(new ClickHouseError(193, 'Wrong password for user ariadne'));
      },
      ['writeSpans'],
      { retryMs: 20 },
    ),
    (error: unknown) => error instanceof ClickHouseError && error.code === 193,
  );
  assert.equal(attempts, 1);
});
