import assert from 'node:assert/strict';
import { test } from 'node:test';
import { PointReadPriority } from './point-read-priority.js';

test('a scan waits between pieces while a point read runs, and goes on once none does', async () => {
  const priority = new PointReadPriority();
  assert.equal(priority.idle(), undefined, 'nothing runs: no wait');
  const order: string[] = [];
  let finish: () => void = () => {};
  const read = priority.run(
    () =>
      new Promise<string>((resolve) => {
        finish = () => {
          order.push('read done');
          resolve('span');
        };
      }),
  );
  const scan = (async () => {
    await priority.yieldToPointReads();
    order.push('scan piece');
  })();
  // The scan is held while the read runs.
  await new Promise((resolve) => setImmediate(resolve));
  assert.deepEqual(order, []);
  finish();
  assert.equal(await read, 'span');
  await scan;
  assert.deepEqual(order, ['read done', 'scan piece']);
  assert.equal(priority.idle(), undefined);
});

test('a failed point read releases the scans too', async () => {
  const priority = new PointReadPriority();
  let fail: (error: Error) => void = () => {};
  const read = priority.run(() => new Promise<never>((_, reject) => (fail = reject)));
  const scan = priority.yieldToPointReads();
  fail(new Error('no such span'));
  await assert.rejects(read, /no such span/);
  await scan;
  assert.equal(priority.idle(), undefined);
});
