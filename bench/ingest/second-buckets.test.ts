import assert from 'node:assert/strict';
import { test } from 'node:test';
import { SecondBuckets, sumSeconds, throughputOf } from './second-buckets.js';

test('outcomes land in the second they ended in', () => {
  const buckets = new SecondBuckets();
  buckets.record(0, { kind: 'answer', status: 200, spans: 500, retryAfter: false });
  buckets.record(999.9, { kind: 'answer', status: 200, spans: 500, retryAfter: false });
  buckets.record(1000, { kind: 'answer', status: 200, spans: 500, retryAfter: false });
  buckets.record(2500, { kind: 'answer', status: 429, spans: 500, retryAfter: true });
  buckets.record(2600, { kind: 'answer', status: 503, spans: 500, retryAfter: false });
  buckets.record(2700, { kind: 'answer', status: 400, spans: 500, retryAfter: false });
  buckets.record(2800, { kind: 'network-error', spans: 500 });
  buckets.record(2900, { kind: 'timeout', spans: 500 });
  assert.equal(buckets.lastSecond(), 2);

  const first = buckets.take(0);
  assert.deepEqual(first, {
    second: 0,
    requests: 2,
    acknowledgedSpans: 1000,
    refusals: {},
    refusedSpans: 0,
    missingRetryAfter: 0,
    networkErrors: 0,
    timeouts: 0,
  });
  assert.equal(buckets.take(1).acknowledgedSpans, 500);
  const third = buckets.take(2);
  assert.equal(third.requests, 5);
  assert.equal(third.acknowledgedSpans, 0);
  assert.deepEqual(third.refusals, { '429': 1, '503': 1, '400': 1 });
  assert.equal(third.refusedSpans, 1500);
  // Only the 503 lacked the header a retryable refusal must carry; a 400 needs none.
  assert.equal(third.missingRetryAfter, 1);
  assert.equal(third.networkErrors, 1);
  assert.equal(third.timeouts, 1);
});

test('a taken second is forgotten, and a second with nothing in it reads as zeros', () => {
  const buckets = new SecondBuckets();
  buckets.record(1500, { kind: 'answer', status: 200, spans: 10, retryAfter: false });
  assert.equal(buckets.take(0).requests, 0);
  assert.equal(buckets.take(1).acknowledgedSpans, 10);
  assert.equal(buckets.take(1).acknowledgedSpans, 0);
  assert.equal(buckets.lastSecond(), -1);
});

test('totals and throughput over seconds, with the lowest second named', () => {
  const buckets = new SecondBuckets();
  const acknowledged = [3000, 1000, 2000];
  acknowledged.forEach((spans, second) => {
    buckets.record(second * 1000 + 10, { kind: 'answer', status: 200, spans, retryAfter: false });
    buckets.record(second * 1000 + 20, { kind: 'answer', status: 429, spans: 5, retryAfter: true });
  });
  const seconds = [0, 1, 2].map((s) => buckets.take(s));
  const total = sumSeconds(seconds);
  assert.equal(total.requests, 6);
  assert.equal(total.acknowledgedSpans, 6000);
  assert.deepEqual(total.refusals, { '429': 3 });
  assert.deepEqual(throughputOf(seconds), { mean: 2000, lowest: 1000, lowestSecond: 1 });
  assert.ok(Number.isNaN(throughputOf([]).mean));
});
