import assert from 'node:assert/strict';
import { test } from 'node:test';
import { isAriadneError } from '@ariadne/protocol';
import { parseGoDuration, parseLookback } from './go-duration.js';

test('Go durations: units, fractions, sums, signs', () => {
  const cases: [string, bigint][] = [
    ['0', 0n],
    ['-0', 0n],
    ['1ns', 1n],
    ['500us', 500_000n],
    ['500µs', 500_000n],
    ['500μs', 500_000n],
    ['100ms', 100_000_000n],
    ['1.2s', 1_200_000_000n],
    ['.5s', 500_000_000n],
    ['5.s', 5_000_000_000n],
    ['1m30s', 90_000_000_000n],
    ['1h2m3.5s', 3_723_500_000_000n],
    ['+2h', 7_200_000_000_000n],
    ['-1.5ms', -1_500_000n],
    ['1.0000000009s', 1_000_000_000n],
    ['9223372036854775807ns', 9_223_372_036_854_775_807n],
  ];
  for (const [text, nanos] of cases) assert.equal(parseGoDuration(text), nanos, text);
});

test('malformed Go durations are InvalidQuery errors worded like Go', () => {
  const cases: [string, RegExp][] = [
    ['', /invalid duration ""/],
    ['1', /missing unit in duration "1"/],
    ['1x', /unknown unit "x" in duration "1x"/],
    ['1d', /unknown unit "d"/],
    ['.s', /invalid duration/],
    ['ms', /invalid duration/],
    ['1s1', /missing unit/],
    ['9223372036854775808ns', /invalid duration/],
    ['3000000h', /invalid duration/],
  ];
  for (const [text, message] of cases) {
    assert.throws(
      () => parseGoDuration(text),
      (error: unknown) => isAriadneError(error, 'InvalidQuery') && message.test(error.message),
      text,
    );
  }
});

test('lookbacks also take days and weeks, and must be positive', () => {
  assert.equal(parseLookback('1h'), 3_600_000_000_000n);
  assert.equal(parseLookback('2d'), 2n * 86_400_000_000_000n);
  assert.equal(parseLookback('2w'), 14n * 86_400_000_000_000n);
  assert.throws(() => parseLookback('0'), /positive/);
  assert.throws(() => parseLookback('-1h'), /positive/);
  assert.throws(() => parseLookback('1y'), /unknown unit/);
});
