import assert from 'node:assert/strict';
import { test } from 'node:test';
import { SamplingDecision } from '@opentelemetry/api';
import { RateLimitingSampler } from './rate-limiting-sampler.js';

function count(sampler: RateLimitingSampler, n: number): number {
  let sampled = 0;
  for (let i = 0; i < n; i++) if (sampler.shouldSample().decision === SamplingDecision.RECORD_AND_SAMPLED) sampled++;
  return sampled;
}

test('a token bucket: a full burst, then the rate as time passes', () => {
  let now = 0;
  const sampler = new RateLimitingSampler({ spansPerSecond: 10, now: () => now });
  assert.equal(count(sampler, 100), 10, 'starts with a full bucket of max(rate, 1)');
  now += 500;
  assert.equal(count(sampler, 100), 5, 'half a second refills five tokens');
  now += 60_000;
  assert.equal(count(sampler, 100), 10, 'never more than the bucket holds');
});

test('fractional rates, explicit bursts and zero', () => {
  let now = 0;
  const slow = new RateLimitingSampler({ spansPerSecond: 0.5, now: () => now });
  assert.equal(count(slow, 10), 1);
  now += 1000;
  assert.equal(count(slow, 10), 0);
  now += 1000;
  assert.equal(count(slow, 10), 1);
  const bursty = new RateLimitingSampler({ spansPerSecond: 1, burst: 5, now: () => now });
  assert.equal(count(bursty, 10), 5);
  assert.equal(count(new RateLimitingSampler({ spansPerSecond: 0 }), 10), 0);
});
