import assert from 'node:assert/strict';
import { test } from 'node:test';
import { isAriadneError } from '@ariadne/protocol';
import { EvaluationSlots } from './evaluation-slots.js';
import { QueryDeadline, withQueryDeadline } from './query-deadline.js';

test('past its slots, work waits its turn, in order', async () => {
  const slots = new EvaluationSlots(2);
  const first = await slots.acquire();
  const second = await slots.acquire();
  const order: string[] = [];
  const third = slots.acquire().then((release) => {
    order.push('third');
    return release;
  });
  const fourth = slots.acquire().then((release) => {
    order.push('fourth');
    return release;
  });
  assert.equal(slots.waiting, 2);
  first();
  first(); // a second call gives nothing back twice
  (await third)();
  second();
  (await fourth)();
  assert.deepEqual(order, ['third', 'fourth']);
  assert.equal(slots.waiting, 0);
  // All given back: two at once again without waiting.
  const again = [await slots.acquire(), await slots.acquire()];
  assert.equal(slots.waiting, 0);
  for (const release of again) release();
});

test('a query still waiting at its deadline gets QueryTimeout and leaves the line', async () => {
  const slots = new EvaluationSlots(1);
  const held = await slots.acquire();
  await withQueryDeadline(new QueryDeadline(Date.now() + 20, 30_000), () =>
    assert.rejects(slots.acquire(), (error) => isAriadneError(error, 'QueryTimeout')),
  );
  assert.equal(slots.waiting, 0);
  held();
  // The slot was not handed to the query that left.
  const next = await slots.run(async () => 'ran');
  assert.equal(next, 'ran');
});
