import assert from 'node:assert/strict';
import { test } from 'node:test';
import { parseJson } from './parse-json.js';

test('integers past 2^53 stay exact as bigint; safe ones stay numbers', () => {
  assert.deepEqual(parseJson('{"a":9007199254740993,"b":-12345678901234567890,"c":9007199254740991,"d":1.5e300}'), {
    a: 9_007_199_254_740_993n,
    b: -12_345_678_901_234_567_890n,
    c: 9_007_199_254_740_991,
    d: 1.5e300,
  });
  assert.deepEqual(parseJson('[1700000000000000, 0.25, -3]'), [1_700_000_000_000_000, 0.25, -3]);
});

test('digits inside strings are left alone, escapes included', () => {
  assert.deepEqual(parseJson('{"s":"12345678901234567890","t":"q\\"99999999999999999999","n":99999999999999999999}'), {
    s: '12345678901234567890',
    t: 'q"99999999999999999999',
    n: 99_999_999_999_999_999_999n,
  });
});

test('a string that looks like the internal marker is not turned into a number', () => {
  const text = '{"s":"\\u0000ariadne-int64:5","n":99999999999999999999}';
  const value = parseJson(text) as { s: string; n: unknown };
  assert.equal(value.s, '\u0000ariadne-int64:5');
  assert.equal(typeof value.n, 'number', 'falls back to plain JSON.parse');
});

test('malformed JSON still throws', () => {
  assert.throws(() => parseJson('{"a": 99999999999999999999'), SyntaxError);
  assert.throws(() => parseJson('<html>'), SyntaxError);
});
