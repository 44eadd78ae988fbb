import assert from 'node:assert/strict';
import { test } from 'node:test';
import { formatDuration } from './format-duration.js';

test('each range gets its unit, at most two decimals', () => {
  const cases: [number, string][] = [
    [0, '0µs'],
    [1, '1µs'],
    [850, '850µs'],
    [1000, '1ms'],
    [1234, '1.23ms'],
    [1235.6, '1.24ms'],
    [123_456, '123.46ms'],
    [2_500_000, '2.5s'],
    [59_990_000, '59.99s'],
    [200_000_000, '3m 20s'],
    [180_000_000, '3m'],
    [3_900_000_000, '1h 5m'],
    [183_600_000_000, '2d 3h'],
  ];
  for (const [micros, text] of cases) assert.equal(formatDuration(micros), text, `${micros}µs`);
});

test('the unit is chosen after rounding', () => {
  assert.equal(formatDuration(999.999), '1ms');
  assert.equal(formatDuration(999_999), '1s');
  assert.equal(formatDuration(59_999_000), '1m');
  assert.equal(formatDuration(3_599_600_000), '1h');
});

test('odd inputs do not crash', () => {
  assert.equal(formatDuration(-1500), '-1.5ms');
  assert.equal(formatDuration(Number.NaN), '?');
});
