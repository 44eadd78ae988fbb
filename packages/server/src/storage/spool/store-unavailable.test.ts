import assert from 'node:assert/strict';
import { createServer, type Server } from 'node:net';
import { test } from 'node:test';
import { ClickHouseError, ClickHouseHttp } from '../clickhouse/clickhouse-http.js';
import { StoreNotOpenError } from './store-not-open-error.js';
import { isStoreUnavailable, surelyNotStored } from './store-unavailable.js';

const listen = (server: Server) =>
  new Promise<number>((resolve) => {
    server.listen(0, '127.0.0.1', () => resolve((server.address() as { port: number }).port));
  });

const insertTo = (port: number) =>
  new ClickHouseHttp({ url: `http://127.0.0.1:${port}` }).insert('db.spans', ['a'], new Uint8Array([1])).then(
    () => assert.fail('the insert should fail'),
    (error: unknown) => error,
  );

test('a refused connection: the store is away and surely holds nothing of the insert', async () => {
  const server = createServer();
  const port = await listen(server);
  await new Promise((resolve) => server.close(resolve));
  const error = await insertTo(port);
  assert.equal(isStoreUnavailable(error), true);
  assert.equal(surelyNotStored(error), true);
});

test('a connection reset after the request was sent, then refused: the first request may have landed', async () => {
  // A server that reads the whole request and dies before answering, as a ClickHouse SIGKILLed after committing.
  const server = createServer((socket) => {
    socket.once('data', () => {
      server.close();
      socket.resetAndDestroy();
    });
  });
  const port = await listen(server);
  const error = await insertTo(port);
  assert.equal(isStoreUnavailable(error), true);
  assert.equal(surelyNotStored(error), false);
});

test('ClickHouse errors: away or read-only is spooled, a batch it cannot parse is not', () => {
  for (const code of [242, 999, 225, 252, 159, 209, 210, 279, 285, 286, 319, 60, 81, Number.NaN]) {
    assert.equal(isStoreUnavailable(new ClickHouseError(code, `Code: ${code}`)), true, String(code));
    assert.equal(surelyNotStored(new ClickHouseError(code, `Code: ${code}`)), false, String(code));
  }
  for (const code of [27, 33, 53, 117]) {
    assert.equal(isStoreUnavailable(new ClickHouseError(code, `Code: ${code}`)), false, String(code));
  }
  assert.equal(isStoreUnavailable(new TypeError('a bug')), false);
});

test('a store not open yet was surely not written', () => {
  const error = new StoreNotOpenError(new Error('connection refused'));
  assert.equal(isStoreUnavailable(error), true);
  assert.equal(surelyNotStored(error), true);
});
