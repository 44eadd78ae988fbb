import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { isAriadneError } from '@ariadne/protocol';
import {
  currentQueryDeadline,
  QueryDeadline,
  raceQueryDeadline,
  ScanPacer,
  withQueryDeadline,
} from './query-deadline.js';

const isTimeout = (error: unknown) =>
  isAriadneError(error, 'QueryTimeout') && /did not finish within 30 s \(--query-timeout\)/.test(error.message);

describe('query deadlines', () => {
  test('the deadline bound to a request is seen through every await of its work', async () => {
    const deadline = QueryDeadline.after(30_000);
    const seen = await withQueryDeadline(deadline, async () => {
      await new Promise((resolve) => setImmediate(resolve));
      return currentQueryDeadline();
    });
    assert.equal(seen, deadline);
    assert.equal(currentQueryDeadline(), undefined, 'nothing leaks outside the request');
  });

  test('a scan does not start past the deadline, and stops at it', async () => {
    const passed = new QueryDeadline(Date.now() - 1, 30_000);
    assert.throws(() => withQueryDeadline(passed, () => new ScanPacer()), isTimeout);
    const deadline = new QueryDeadline(Date.now() + 30, 30_000);
    const steps = await withQueryDeadline(deadline, async () => {
      const pacer = new ScanPacer();
      let count = 0;
      try {
        for (;;) {
          await pacer.step();
          count++;
        }
      } catch (error) {
        assert.ok(isTimeout(error), String(error));
        assert.ok(deadline.passed());
      }
      return count;
    });
    assert.ok(steps > 0);
  });

  test('a cancelled query stops at its next check, and a deadline sharing its flag (another thread) sees it', async () => {
    const deadline = QueryDeadline.after(30_000);
    // What the store's thread makes from the call's message.
    const there = new QueryDeadline(deadline.atMs, deadline.timeoutMs, deadline.cancelled);
    assert.equal(there.passed(), false);
    const stopped = withQueryDeadline(there, async () => {
      const pacer = new ScanPacer();
      for (;;) await pacer.step();
    });
    setTimeout(() => deadline.cancel(), 20);
    await assert.rejects(stopped, (error) => isAriadneError(error, 'QueryTimeout') && /cancelled/.test(error.message));
    assert.ok(there.passed());
  });

  test('a pacer outside any request never stops the loop', async () => {
    const pacer = new ScanPacer();
    for (let i = 0; i < 1_000; i++) await pacer.step();
    pacer.check();
  });

  test('a request waiting on work past its deadline is answered with QueryTimeout', async () => {
    const never = new Promise<string>(() => {});
    await assert.rejects(
      withQueryDeadline(new QueryDeadline(Date.now() + 20, 30_000), () => raceQueryDeadline(never)),
      isTimeout,
    );
    assert.equal(
      await withQueryDeadline(QueryDeadline.after(30_000), () => raceQueryDeadline(Promise.resolve('done'))),
      'done',
    );
    assert.equal(await raceQueryDeadline(Promise.resolve('no deadline')), 'no deadline');
  });
});
