import assert from 'node:assert/strict';
import { test } from 'node:test';
import { RecentEntries, toAnyValue, toKeyValue } from './attribute-values.js';

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

test('a key whose values keep being new stops being cached; a repeating key stays cached', () => {
  for (let i = 0; i < 200; i++) {
    assert.deepEqual(toKeyValue('request.id', `req-${i}`, Number.POSITIVE_INFINITY), {
      key: 'request.id',
      value: { type: 'string', value: `req-${i}` },
    });
    toKeyValue('http.route', `/route/${i % 4}`, Number.POSITIVE_INFINITY);
  }
  const fresh = toKeyValue('request.id', 'req-again', Number.POSITIVE_INFINITY);
  assert.notEqual(toKeyValue('request.id', 'req-again', Number.POSITIVE_INFINITY), fresh, 'not cached');
  assert.deepEqual(fresh, { key: 'request.id', value: { type: 'string', value: 'req-again' } });
  const route = toKeyValue('http.route', '/route/1', Number.POSITIVE_INFINITY);
  assert.equal(toKeyValue('http.route', '/route/1', Number.POSITIVE_INFINITY), route, 'still cached');
});

test('RecentEntries reuses the entry at a position only for the same key and primitive value', () => {
  const recent = new RecentEntries(3);
  const first = recent.entry(0, 'k', 'abcdef');
  assert.deepEqual(first, { key: 'k', value: { type: 'string', value: 'abc' } });
  assert.equal(recent.entry(0, 'k', 'abcdef'), first);
  assert.deepEqual(recent.entry(0, 'k', 'abcxyz'), { key: 'k', value: { type: 'string', value: 'abc' } });
  assert.deepEqual(recent.entry(0, 'other', 'abcdef'), { key: 'other', value: { type: 'string', value: 'abc' } });
  const array = ['a', 'b'];
  assert.deepEqual(recent.entry(1, 'list', array).value, toAnyValue(['a', 'b'], 3));
  array[0] = 'changed';
  assert.deepEqual(recent.entry(1, 'list', array).value, toAnyValue(['changed', 'b'], 3), 'arrays are read again');
  assert.deepEqual(recent.entry(40, 'far', 7), { key: 'far', value: { type: 'int', value: 7n } });
});
