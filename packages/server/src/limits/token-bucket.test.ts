import assert from 'node:assert/strict';
import { test } from 'node:test';
import { TokenBucket } from './token-bucket.js';

function clock(start = 1_000) {
  let now = start;
  return { now: () => now, advance: (ms: number) => (now += ms) };
}

test('a new bucket lets a burst through at once, then refuses', () => {
  const time = clock();
  const bucket = new TokenBucket(10, 30, time.now);
  assert.deepEqual(bucket.take(20), { ok: true });
  assert.deepEqual(bucket.take(10), { ok: true });
  const refused = bucket.take(1);
  assert.equal(refused.ok, false);
  // One token at 10 per second: 100 ms.
  assert.deepEqual(refused, { ok: false, retryAfterMs: 100 });
});

test('tokens come back at the rate, never past the burst', () => {
  const time = clock();
  const bucket = new TokenBucket(100, 50, time.now);
  bucket.take(50);
  time.advance(250); // 25 tokens
  assert.equal(bucket.tokens, 25);
  assert.deepEqual(bucket.take(30), { ok: false, retryAfterMs: 50 });
  assert.deepEqual(bucket.take(25), { ok: true });
  time.advance(60_000);
  assert.equal(bucket.tokens, 50);
  assert.equal(bucket.isFull, true);
});

test('a refusal takes nothing: waiting the time it names is enough', () => {
  const time = clock();
  const bucket = new TokenBucket(4, 8, time.now);
  bucket.take(8);
  const refused = bucket.take(6);
  assert.equal(refused.ok, false);
  if (refused.ok) return;
  assert.equal(refused.retryAfterMs, 1_500);
  time.advance(refused.retryAfterMs - 1);
  assert.equal(bucket.take(6).ok, false);
  time.advance(1);
  assert.deepEqual(bucket.take(6), { ok: true });
});

test('over a long run, what passes is at most rate × time + burst', () => {
  const time = clock();
  const bucket = new TokenBucket(50, 20, time.now);
  let passed = 0;
  for (let i = 0; i < 10_000; i++) {
    if (bucket.take(3).ok) passed += 3;
    time.advance(7);
  }
  const seconds = (10_000 * 7) / 1000;
  assert.ok(passed <= 50 * seconds + 20, `passed ${passed}`);
  assert.ok(passed >= 50 * seconds - 3, `passed ${passed}: the bucket should let the rate through`);
});

test('a clock stepping back neither adds nor takes tokens', () => {
  const time = clock(10_000);
  const bucket = new TokenBucket(10, 10, time.now);
  bucket.take(10);
  time.advance(-5_000);
  assert.equal(bucket.tokens, 0);
  time.advance(5_100); // back to where it was, plus 100 ms
  assert.ok(bucket.tokens <= 1);
});

test('a cost past the burst names the wait to a full bucket, and rate or burst must be positive', () => {
  const bucket = new TokenBucket(10, 5, clock().now);
  bucket.take(5);
  assert.deepEqual(bucket.take(50), { ok: false, retryAfterMs: 500 });
  assert.throws(() => new TokenBucket(0, 5, Date.now), RangeError);
  assert.throws(() => new TokenBucket(5, 0, Date.now), RangeError);
});
