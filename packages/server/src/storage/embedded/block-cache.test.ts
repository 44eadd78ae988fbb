import assert from 'node:assert/strict';
import { test } from 'node:test';
import { BlockCache } from './block-cache.js';

/** A loader that counts its calls and answers `value` of `bytes` bytes. */
function loader(value: string, bytes: number) {
  const calls = { count: 0 };
  const load = async () => {
    calls.count++;
    return { value, bytes };
  };
  return { calls, load };
}

test('keeps values up to its bound, least recently used out first', async () => {
  const cache = new BlockCache(100);
  const owner = cache.newOwner();
  const a = loader('a', 40);
  const b = loader('b', 40);
  const c = loader('c', 40);
  assert.equal(await cache.get(owner, 'a', a.load), 'a');
  assert.equal(await cache.get(owner, 'b', b.load), 'b');
  // A use of a makes b the least recently used: c pushes b out, not a.
  assert.equal(await cache.get(owner, 'a', a.load), 'a');
  assert.equal(await cache.get(owner, 'c', c.load), 'c');
  assert.equal(cache.bytes, 80);
  assert.ok(cache.bytes <= cache.maxBytes);
  assert.equal(cache.peek(owner, 'b'), undefined);
  assert.equal(cache.peek(owner, 'a'), 'a');
  assert.equal(a.calls.count, 1);
  // Evicted: loaded again, same answer.
  assert.equal(await cache.get(owner, 'b', b.load), 'b');
  assert.equal(b.calls.count, 2);
  assert.equal(cache.loads, 4);
  assert.ok(cache.bytes <= cache.maxBytes);
});

test('the bound holds over many owners and kinds', async () => {
  const cache = new BlockCache(1_000);
  const owners = Array.from({ length: 20 }, () => cache.newOwner());
  for (let round = 0; round < 3; round++) {
    for (const owner of owners) {
      for (const kind of ['meta', 'index', 'tables']) {
        const bytes = 10 + ((owner * 37 + kind.length * 11 + round) % 200);
        assert.equal(
          await cache.get(owner, kind, async () => ({ value: `${owner}${kind}`, bytes })),
          `${owner}${kind}`,
        );
        assert.ok(cache.bytes <= 1_000, `${cache.bytes} bytes held`);
      }
    }
  }
  assert.ok(cache.size > 0);
});

test('a value larger than the bound is handed out and not kept; a bound of 0 keeps nothing', async () => {
  const cache = new BlockCache(10);
  const owner = cache.newOwner();
  const big = loader('big', 11);
  assert.equal(await cache.get(owner, 'big', big.load), 'big');
  assert.equal(await cache.get(owner, 'big', big.load), 'big');
  assert.equal(big.calls.count, 2);
  assert.equal(cache.size, 0);

  const none = new BlockCache(0);
  const small = loader('small', 1);
  await none.get(owner, 'small', small.load);
  await none.get(owner, 'small', small.load);
  assert.equal(small.calls.count, 2);
  assert.equal(none.bytes, 0);
  assert.throws(() => new BlockCache(-1), RangeError);
});

test('reads of an entry being loaded share the load; a failed load is not kept', async () => {
  const cache = new BlockCache(100);
  const owner = cache.newOwner();
  let release: () => void = () => {};
  const gate = new Promise<void>((resolve) => {
    release = resolve;
  });
  let calls = 0;
  const slow = async () => {
    calls++;
    await gate;
    return { value: 'v', bytes: 1 };
  };
  const both = Promise.all([cache.get(owner, 'k', slow), cache.get(owner, 'k', slow)]);
  release();
  assert.deepEqual(await both, ['v', 'v']);
  assert.equal(calls, 1);

  let failures = 0;
  const failing = async (): Promise<{ value: string; bytes: number }> => {
    failures++;
    throw new Error('disk gone');
  };
  await assert.rejects(cache.get(owner, 'bad', failing), /disk gone/);
  await assert.rejects(cache.get(owner, 'bad', failing), /disk gone/);
  assert.equal(failures, 2);
});

test("dropping an owner forgets its entries and its loads in flight, and no one else's", async () => {
  const cache = new BlockCache(100);
  const closed = cache.newOwner();
  const open = cache.newOwner();
  await cache.get(closed, 'meta', async () => ({ value: 'm', bytes: 10 }));
  await cache.get(open, 'meta', async () => ({ value: 'n', bytes: 10 }));
  let release: () => void = () => {};
  const gate = new Promise<void>((resolve) => {
    release = resolve;
  });
  const inFlight = cache.get(closed, 'index', async () => {
    await gate;
    return { value: 'i', bytes: 10 };
  });
  cache.drop(closed);
  release();
  // The reader that asked still gets its answer; the cache does not keep it.
  assert.equal(await inFlight, 'i');
  assert.equal(cache.peek(closed, 'meta'), undefined);
  assert.equal(cache.peek(closed, 'index'), undefined);
  assert.equal(cache.peek(open, 'meta'), 'n');
  assert.equal(cache.bytes, 10);
});

test('a hit counts as a use, a peek does not', async () => {
  const cache = new BlockCache(100);
  const owner = cache.newOwner();
  await cache.get(owner, 'a', async () => ({ value: 'a', bytes: 50 }));
  await cache.get(owner, 'b', async () => ({ value: 'b', bytes: 50 }));
  assert.equal(cache.peek(owner, 'a'), 'a');
  assert.equal(cache.hit(owner, 'missing'), undefined);
  // b is now the least recently used: the next entry pushes it out, not a.
  assert.equal(cache.hit(owner, 'a'), 'a');
  await cache.get(owner, 'c', async () => ({ value: 'c', bytes: 50 }));
  assert.equal(cache.peek(owner, 'b'), undefined);
  assert.equal(cache.peek(owner, 'a'), 'a');
});
