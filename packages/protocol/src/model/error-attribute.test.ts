import assert from 'node:assert/strict';
import { test } from 'node:test';
import { type Attributes, boolValue, stringValue } from './any-value.js';
import { errorAttributeOf } from './error-attribute.js';
import { StatusCode } from './span.js';

const error = (value: string) => ({ key: 'error', value: stringValue(value) });
const other = { key: 'http.method', value: stringValue('GET') };
const failed = (attributes: Attributes, message: string) =>
  errorAttributeOf({ attributes, status: { code: StatusCode.Error, message } });

test('the error attribute that carries a failure: its place and its description', () => {
  assert.deepEqual(failed([other, error('card declined')], 'card declined'), {
    index: 1,
    description: 'card declined',
  });
  assert.deepEqual(failed([error('true')], ''), { index: 0, description: '' });
  assert.deepEqual(failed([error('TRUE')], ''), { index: 0, description: '' });
  assert.deepEqual(failed([error('')], ''), { index: 0, description: '' });
});

test('anything else carries nothing, and the status is written as usual', () => {
  assert.equal(failed([other], 'card declined'), undefined);
  assert.equal(failed([error('card declined')], 'refused'), undefined, 'a message of its own');
  assert.equal(failed([error('true')], 'refused'), undefined);
  assert.equal(failed([error('false')], ''), undefined);
  assert.equal(failed([{ key: 'error', value: boolValue(true) }], ''), undefined, 'not a Zipkin tag');
  // The first `error` attribute is the one every translator sees.
  assert.equal(failed([error('timeout'), error('card declined')], 'card declined'), undefined);
  for (const code of [StatusCode.Unset, StatusCode.Ok]) {
    assert.equal(errorAttributeOf({ attributes: [error('true')], status: { code, message: '' } }), undefined);
  }
});
