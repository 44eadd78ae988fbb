import assert from 'node:assert/strict';
import { test } from 'node:test';
import { toAnyValue, toKeyValue } from './attribute-values.js';

test('entries of a repeated key and value are one frozen object; another key gets its own entry with the same value', () => {
  const first = toKeyValue('http.request.method', 'GET', Number.POSITIVE_INFINITY);
  assert.deepEqual(first, { key: 'http.request.method', value: { type: 'string', value: 'GET' } });
  assert.equal(toKeyValue('http.request.method', 'GET', Number.POSITIVE_INFINITY), first);
  assert.ok(Object.isFrozen(first) && Object.isFrozen(first.value));
  const other = toKeyValue('verb', 'GET', Number.POSITIVE_INFINITY);
  assert.deepEqual(other, { key: 'verb', value: { type: 'string', value: 'GET' } });
  assert.equal(other.value, first.value);
  // The earlier entry is untouched by the cache moving on to the other key.
  assert.deepEqual(toKeyValue('http.request.method', 'GET', Number.POSITIVE_INFINITY), first);
  assert.deepEqual(first, { key: 'http.request.method', value: { type: 'string', value: 'GET' } });
});

test('cached entries follow the same mapping as toAnyValue: truncation, ints, doubles, booleans, arrays, -0', () => {
  const cases: [string | number | boolean | string[], number][] = [
    ['abcdef', 3],
    ['abcdef', 4],
    ['x'.repeat(200), Number.POSITIVE_INFINITY],
    [200, Number.POSITIVE_INFINITY],
    [-0, Number.POSITIVE_INFINITY],
    [5000, Number.POSITIVE_INFINITY],
    [-3, Number.POSITIVE_INFINITY],
    [1.5, Number.POSITIVE_INFINITY],
    [true, Number.POSITIVE_INFINITY],
    [false, Number.POSITIVE_INFINITY],
    [['ab', 'cd'], 1],
  ];
  for (const [value, limit] of cases) {
    for (let i = 0; i < 2; i++) {
      assert.deepEqual(toKeyValue('k', value, limit), { key: 'k', value: toAnyValue(value, limit) }, String(value));
    }
  }
  assert.deepEqual(toKeyValue('k', 'abcdef', 3).value, { type: 'string', value: 'abc' });
  assert.deepEqual(toKeyValue('k', -0, Number.POSITIVE_INFINITY).value, { type: 'int', value: 0n });
  assert.deepEqual(toKeyValue('k', 1.5, Number.POSITIVE_INFINITY).value, { type: 'double', value: 1.5 });
});
