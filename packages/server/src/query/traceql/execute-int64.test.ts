import assert from 'node:assert/strict';
import { test } from 'node:test';
import { makeSpan } from '@ariadne/protocol';
import { compileTraceQL } from './compile.js';
import { executeTraceQL } from './execute.js';

// 2^53 + 1: the first integer a double cannot hold, so it reads as 2^53 when converted.
const span = makeSpan({ attributes: [{ key: 'big', value: { type: 'int', value: 9_007_199_254_740_993n } }] });
const matches = (query: string) => executeTraceQL(compileTraceQL(query), [span]).length > 0;

test('int64 attributes beyond 2^53 compare exactly with int literals', () => {
  assert.equal(matches('{ .big = 9007199254740993 }'), true);
  assert.equal(matches('{ .big = 9007199254740992 }'), false);
  assert.equal(matches('{ .big != 9007199254740992 }'), true);
  assert.equal(matches('{ .big > 9007199254740992 }'), true);
  assert.equal(matches('{ .big >= 9007199254740994 }'), false);
  assert.equal(matches('{ .big < 9223372036854775807 }'), true);
});

test('small literals still compare with large values, and floats stay floats', () => {
  assert.equal(matches('{ .big > 1000 }'), true);
  assert.equal(matches('{ .big > 1.5 }'), true);
});
