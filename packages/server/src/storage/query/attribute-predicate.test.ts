import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { type AnyValue, isAriadneError, type Span } from '@ariadne/protocol';
import type { AttributePredicate } from '../span-store.js';
import { compileAttributePredicate } from './attribute-predicate.js';
import { testSpan } from './test-spans.js';

const int = (value: bigint): AnyValue => ({ type: 'int', value });
const str = (value: string): AnyValue => ({ type: 'string', value });

const span = testSpan({
  attributes: [
    { key: 'http.response.status_code', value: int(200n) },
    { key: 'http.route', value: str('/cart/{id}') },
    { key: 'cache.hit', value: { type: 'bool', value: true } },
    { key: 'ratio', value: { type: 'double', value: 0.25 } },
    { key: 'big', value: int(9_007_199_254_740_993n) },
    { key: 'legacy.status', value: str('503') },
  ],
  resourceAttributes: [{ key: 'host.name', value: str('node-1') }],
  events: [
    {
      name: 'exception',
      timeUnixNano: 1_700_000_000_050_000_000n,
      attributes: [{ key: 'exception.type', value: str('TimeoutError') }],
      droppedAttributesCount: 0,
    },
  ],
});

function holds(predicate: Partial<AttributePredicate> & Pick<AttributePredicate, 'key' | 'operator'>, on: Span = span) {
  return compileAttributePredicate({ scope: 'any', ...predicate })(on);
}

describe('attribute predicates', () => {
  test('= compares the text form of typed values', () => {
    assert.equal(holds({ key: 'http.response.status_code', operator: '=', value: '200' }), true);
    assert.equal(holds({ key: 'http.response.status_code', operator: '=', value: '201' }), false);
    assert.equal(holds({ key: 'cache.hit', operator: '=', value: 'true' }), true);
    assert.equal(holds({ key: 'ratio', operator: '=', value: '0.25' }), true);
    assert.equal(holds({ key: 'missing', operator: '=', value: '' }), false);
  });

  test('scopes: span, resource, and any (which includes event attributes)', () => {
    assert.equal(holds({ key: 'host.name', scope: 'resource', operator: '=', value: 'node-1' }), true);
    assert.equal(holds({ key: 'host.name', scope: 'span', operator: '=', value: 'node-1' }), false);
    assert.equal(holds({ key: 'host.name', scope: 'any', operator: '=', value: 'node-1' }), true);
    assert.equal(holds({ key: 'exception.type', scope: 'any', operator: '=', value: 'TimeoutError' }), true);
    assert.equal(holds({ key: 'exception.type', scope: 'span', operator: 'exists' }), false);
    assert.equal(holds({ key: 'http.route', scope: 'resource', operator: 'exists' }), false);
  });

  test('!= needs the attribute to be present', () => {
    assert.equal(holds({ key: 'http.route', operator: '!=', value: '/home' }), true);
    assert.equal(holds({ key: 'http.route', operator: '!=', value: '/cart/{id}' }), false);
    assert.equal(holds({ key: 'missing', operator: '!=', value: 'x' }), false);
  });

  test('regular expressions are fully anchored', () => {
    assert.equal(holds({ key: 'http.route', operator: '=~', value: '/cart/.*' }), true);
    assert.equal(holds({ key: 'http.route', operator: '=~', value: 'cart' }), false);
    assert.equal(holds({ key: 'http.response.status_code', operator: '=~', value: '2..' }), true);
    assert.equal(holds({ key: 'http.route', operator: '!~', value: '/home.*' }), true);
    assert.equal(holds({ key: 'http.route', operator: '!~', value: '/cart.*' }), false);
    assert.equal(holds({ key: 'missing', operator: '!~', value: 'x' }), false);
  });

  test('a bad regular expression is an InvalidQuery error at compile time', () => {
    assert.throws(
      () => compileAttributePredicate({ key: 'a', scope: 'any', operator: '=~', value: '(' }),
      (error) => isAriadneError(error, 'InvalidQuery'),
    );
  });

  test('ordering compares numbers, exactly for int64', () => {
    assert.equal(holds({ key: 'http.response.status_code', operator: '>=', value: '200' }), true);
    assert.equal(holds({ key: 'http.response.status_code', operator: '>', value: '200' }), false);
    assert.equal(holds({ key: 'http.response.status_code', operator: '<', value: '200.5' }), true);
    assert.equal(holds({ key: 'http.response.status_code', operator: '<=', value: '199' }), false);
    assert.equal(holds({ key: 'ratio', operator: '<', value: '0.5' }), true);
    assert.equal(holds({ key: 'big', operator: '>', value: '9007199254740992' }), true);
    assert.equal(holds({ key: 'legacy.status', operator: '>=', value: '500' }), true);
    assert.equal(holds({ key: 'http.route', operator: '>', value: '0' }), false);
    assert.equal(holds({ key: 'cache.hit', operator: '>', value: '0' }), false);
    assert.throws(
      () => compileAttributePredicate({ key: 'a', scope: 'any', operator: '>', value: 'abc' }),
      (error) => isAriadneError(error, 'InvalidQuery'),
    );
  });

  test('exists ignores the value; other operators require one', () => {
    assert.equal(holds({ key: 'cache.hit', operator: 'exists' }), true);
    assert.equal(holds({ key: 'nope', operator: 'exists' }), false);
    assert.throws(
      () => compileAttributePredicate({ key: 'a', scope: 'any', operator: '=' }),
      (error) => isAriadneError(error, 'InvalidQuery'),
    );
  });
});
