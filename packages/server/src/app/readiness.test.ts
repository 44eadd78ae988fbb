import assert from 'node:assert/strict';
import { test } from 'node:test';
import { cachedCheck, Readiness } from './readiness.js';

test('ready when every check passes; each failing one is named with its reason', async () => {
  const readiness = new Readiness();
  assert.deepEqual(await readiness.report(), { ready: true, reasons: [] });
  let storeDown = false;
  readiness.add('store', () => (storeDown ? 'ClickHouse unreachable' : undefined));
  const removeSpool = readiness.add('spool', async () => {
    throw new Error('spool is full');
  });
  assert.deepEqual(await readiness.report(), { ready: false, reasons: [{ check: 'spool', reason: 'spool is full' }] });
  storeDown = true;
  assert.equal((await readiness.report()).reasons.length, 2);
  removeSpool();
  storeDown = false;
  assert.deepEqual(await readiness.report(), { ready: true, reasons: [] });
  assert.throws(() => readiness.add('store', () => undefined), /registered twice/);
});

test('a cached check asks again only after its time to live, and once for concurrent callers', async () => {
  let calls = 0;
  let reason: string | undefined = 'down';
  const check = cachedCheck(async () => {
    calls++;
    return reason;
  }, 60_000);
  assert.deepEqual(await Promise.all([check(), check()]), ['down', 'down']);
  assert.equal(calls, 1);
  reason = undefined;
  assert.equal(await check(), 'down', 'still the cached answer');
  assert.equal(calls, 1);
  const fresh = cachedCheck(async () => {
    calls++;
    throw new Error('refused');
  }, 0);
  assert.equal(await fresh(), 'refused');
});
