import assert from 'node:assert/strict';
import { test } from 'node:test';
import { AriadneError } from '@ariadne/protocol';
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
