import assert from 'node:assert/strict';
import { test } from 'node:test';
import { inOrderAhead } from './in-order-ahead.js';

/** A load that finishes when the test says so. */
function gate<T>() {
  let open: (value: T) => void = () => {};
  let fail: (error: Error) => void = () => {};
  const promise = new Promise<T>((resolve, reject) => {
    open = resolve;
    fail = reject;
  });
  return { promise, open, fail };
}

test('loads run at most `ahead` at once and are used in order, whichever finishes first', async () => {
  const gates = [gate<string>(), gate<string>(), gate<string>(), gate<string>(), gate<string>()];
  const started: number[] = [];
  const used: string[] = [];
  const done = inOrderAhead(
    [0, 1, 2, 3, 4],
    2,
    (item) => {
      started.push(item);
      return (gates[item] as ReturnType<typeof gate<string>>).promise;
    },
    (item, loaded) => {
      used.push(`${item}:${loaded}`);
    },
  );
  assert.deepEqual(started, [0, 1]);
  gates[1]?.open('b');
  await new Promise((resolve) => setImmediate(resolve));
  // The second finished first: nothing is used before the first, and no third load starts.
  assert.deepEqual(used, []);
  assert.deepEqual(started, [0, 1]);
  gates[0]?.open('a');
  gates[2]?.open('c');
  gates[3]?.open('d');
  gates[4]?.open('e');
  await done;
  assert.deepEqual(used, ['0:a', '1:b', '2:c', '3:d', '4:e']);
  assert.deepEqual(started, [0, 1, 2, 3, 4]);
  await inOrderAhead(
    [],
    3,
    async () => 0,
    () => assert.fail('nothing to use'),
  );
});

test('a failed load rejects, and no load starts after it', async () => {
  const started: number[] = [];
  await assert.rejects(
    inOrderAhead(
      [0, 1, 2, 3, 4, 5],
      2,
      async (item) => {
        started.push(item);
        if (item === 1) throw new Error('unreadable');
        return item;
      },
      () => {},
    ),
    /unreadable/,
  );
  // 0 and 1 at first; 2 once 0 was used; 1's failure stops it there.
  assert.deepEqual(started, [0, 1, 2]);
});
