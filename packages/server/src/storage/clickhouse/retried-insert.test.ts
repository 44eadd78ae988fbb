import assert from 'node:assert/strict';
import { test } from 'node:test';
import { AriadneError } from '@ariadne/protocol';
import { ClickHouseError } from './clickhouse-http.js';
import { sendWithRetries } from './retried-insert.js';

const quick = { firstDelayMs: 1, maxDelayMs: 2 };

test('a storage failure is sent again until it succeeds', async () => {
  let sends = 0;
  await sendWithRetries(async () => {
    sends++;
    if (sends < 3) throw new AriadneError('StorageFailure', 'replica gone');
  }, quick);
  assert.equal(sends, 3);
});

test('after the last attempt the failure reaches the caller', async () => {
  let sends = 0;
  await assert.rejects(
    sendWithRetries(
      async () => {
        sends++;
        throw new AriadneError('StorageFailure', `attempt ${sends}`);
      },
      { ...quick, attempts: 4 },
    ),
    /attempt 4/,
  );
  assert.equal(sends, 4);
});

test('Overloaded and errors that are no storage failure are not retried', async () => {
  for (const error of [new AriadneError('Overloaded', 'too many parts'), new TypeError('a bug')]) {
    let sends = 0;
    await assert.rejects(
      sendWithRetries(async () => {
        sends++;
        throw error;
      }, quick),
      error,
    );
    assert.equal(sends, 1);
  }
});

test('an insert whose status ClickHouse calls unknown (319) is sent again past the attempts, until it succeeds', async () => {
  let sends = 0;
  await sendWithRetries(
    async () => {
      sends++;
      // The commit was cut (319), then ZooKeeper stays away a while (read-only tables: 242).
      if (sends === 1) throw new ClickHouseError(319, 'Unknown status, client must retry. Reason: Connection loss');
      if (sends < 10) throw new ClickHouseError(242, 'Table is in readonly mode');
    },
    { ...quick, attempts: 3 },
  );
  assert.equal(sends, 10);
});

test('an unknown status is sent again only within its patience', async () => {
  let sends = 0;
  await assert.rejects(
    sendWithRetries(
      async () => {
        sends++;
        throw new ClickHouseError(sends === 1 ? 319 : 242, `attempt ${sends}`);
      },
      { ...quick, attempts: 2, unknownStatusPatienceMs: 30 },
    ),
    /attempt \d+/,
  );
  assert.ok(sends > 2, `${sends} sends`);
});

test('a closed store stops sending again at once, even an unknown status', async () => {
  let sends = 0;
  let closed = false;
  await assert.rejects(
    sendWithRetries(
      async () => {
        sends++;
        if (sends === 2) closed = true;
        throw new ClickHouseError(319, `attempt ${sends}`);
      },
      { ...quick, abandoned: () => closed },
    ),
    /attempt 2/,
  );
});
