import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { isAriadneError } from '@ariadne/protocol';
import { compileLinearRegex, MATCH_WORK_BUDGET, tryCompileLinearRegex } from './linear-regex.js';

const matches = (pattern: string, value: string) => compileLinearRegex(pattern).test(value);

describe('linear regular expressions', () => {
  test('match whole values, as Tempo does', () => {
    assert.equal(matches('GET', 'GET'), true);
    assert.equal(matches('GET', 'GET /users'), false);
    assert.equal(matches('GET.*', 'GET /users'), true);
    assert.equal(matches('users', 'GET /users'), false);
    // The anchors hold the whole alternation, not its first and last branch.
    assert.equal(matches('a|b', 'ab'), false);
    assert.equal(matches('mysql|postgresql', 'postgresql'), true);
  });

  test('. matches a line break (Tempo), unless the pattern says (?-s)', () => {
    assert.equal(matches('SELECT.*FROM t', 'SELECT a,\n  b\nFROM t'), true);
    assert.equal(matches('(?-s)SELECT.*FROM t', 'SELECT a,\n  b\nFROM t'), false);
  });

  test('RE2 flags and classes work anywhere in the pattern', () => {
    assert.equal(matches('(?i)select.*', 'SELECT 1'), true);
    assert.equal(matches('x(?i:ab)y', 'xABy'), true);
    assert.equal(matches('(?P<verb>GET|PUT) .*', 'PUT /a'), true);
    assert.equal(matches('\\pL+', 'héllo'), true);
    assert.equal(matches('[[:digit:]]{3}', '503'), true);
    assert.equal(matches('.', '😀'), true, 'one code point, not two UTF-16 units');
  });

  test('the pathological pattern of issue 14 answers at once', () => {
    assert.equal(matches('(a+)+$', `${'a'.repeat(34)}b`), false);
    assert.equal(matches('(a|aa)+$', `${'a'.repeat(34)}b`), false);
    assert.equal(matches('(a+)+b', `${'a'.repeat(34)}b`), true);
  });

  test('lookaround, backreferences and malformed patterns are refused, naming the problem', () => {
    const problem = (pattern: string) => {
      const result = tryCompileLinearRegex(pattern);
      assert.equal(result.ok, false, pattern);
      return result.ok ? '' : result.problem;
    };
    assert.match(problem('(?=a)a'), /^lookaround .* not supported: regular expressions use RE2 syntax/);
    assert.match(problem('a(?!b)'), /^lookaround/);
    assert.match(problem('(?<=a)b'), /^lookaround/);
    assert.match(problem('(?<!a)b'), /^lookaround/);
    assert.match(problem('(a)\\1'), /^backreferences .* not supported/);
    assert.match(problem('(?<x>a)\\k<x>'), /^backreferences/);
    assert.match(problem('('), /missing closing \)/);
    assert.match(problem('a{1001}'), /invalid repeat count/);
    assert.throws(
      () => compileLinearRegex('(?=a)a'),
      (error) =>
        isAriadneError(error, 'InvalidQuery') &&
        error.message.startsWith('invalid regular expression "(?=a)a": lookaround'),
    );
  });

  test('a value beyond the work budget is refused, not matched for seconds', () => {
    const regex = compileLinearRegex('.*a.{20}c');
    const longest = Math.floor(MATCH_WORK_BUDGET / regex.instructions);
    assert.equal(regex.test('a'.repeat(longest)), false);
    assert.throws(
      () => regex.test('a'.repeat(longest + 1)),
      (error) =>
        isAriadneError(error, 'InvalidQuery') &&
        error.message.includes(`is too costly for a value of ${longest + 1} characters`),
    );
    // Ordinary patterns test a 1 MB value.
    assert.equal(compileLinearRegex('.*fail.*').test(`${'x'.repeat(1 << 20)}fail`), true);
  });
});
