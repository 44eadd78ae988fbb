import assert from 'node:assert/strict';
import { test } from 'node:test';
import { parseGoDuration } from './go-duration.js';

test('Go durations read as microseconds', () => {
  assert.equal(parseGoDuration('100ms'), 100_000);
  assert.equal(parseGoDuration('1.5s'), 1_500_000);
  assert.equal(parseGoDuration('1m30s'), 90_000_000);
  assert.equal(parseGoDuration('250us'), 250);
  assert.equal(parseGoDuration('250µs'), 250);
  assert.equal(parseGoDuration(' 2h '), 7_200_000_000);
});

test('anything else is not a duration', () => {
  for (const text of ['', '100', 'ms', '1.s', '-1s', '1 s', '1d', '1sx']) {
    assert.equal(parseGoDuration(text), undefined, text);
  }
});
