// The tracestate rules of W3C Trace Context level 2 (the `tracestate` header
// field values, its limits and the mutation rules), each checked with the
// specification's own examples where it gives one, and at the boundaries its
// ABNF draws.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { isValidTraceStateKey, isValidTraceStateValue, W3cTraceState } from './trace-state.js';

const parse = (header: string) => W3cTraceState.parse(header)?.serialize();

test('the specification examples parse and serialize unchanged', () => {
  for (const header of [
    'congo=t61rcWkgMzE',
    'rojo=00f067aa0ba902b7',
    'rojo=00f067aa0ba902b7,congo=t61rcWkgMzE',
    'congo=ucfJifl5GOE,rojo=00f067aa0ba902b7',
    'vendorname1=opaqueValue1,vendorname2=opaqueValue2',
  ]) {
    assert.equal(parse(header), header);
  }
  const state = W3cTraceState.parse('rojo=00f067aa0ba902b7,congo=t61rcWkgMzE');
  assert.equal(state?.get('congo'), 't61rcWkgMzE');
  assert.equal(state?.get('rojo'), '00f067aa0ba902b7');
});

test('the Congo and Rojo walk-through: each vendor adds or moves its entry to the left', () => {
  const fromCongo = W3cTraceState.parse('congo=t61rcWkgMzE') as W3cTraceState;
  const fromRojo = fromCongo.set('rojo', '00f067aa0ba902b7');
  assert.equal(fromRojo.serialize(), 'rojo=00f067aa0ba902b7,congo=t61rcWkgMzE');
  const backInCongo = fromRojo.set('congo', 'ucfJifl5GOE');
  assert.equal(backInCongo.serialize(), 'congo=ucfJifl5GOE,rojo=00f067aa0ba902b7');
});

test('key: a lowercase letter or digit, then up to 255 of a-z 0-9 _ - * / @', () => {
  const valid = [
    'a',
    '0',
    '1abc',
    'abcdefghijklmnopqrstuvwxyz0123456789_-*/',
    'abcdefghijklmnopqrstuvwxyz0123456789_-*/@a-z0-9_-*/',
    'z'.repeat(256),
    // The multi-tenant form of level 1 is one case of the key rule: tenant 241, system 14...
    `${'t'.repeat(241)}@${'v'.repeat(14)}`,
    // ...and level 2 dropped its separate limits: only the whole key's 256 count.
    `${'t'.repeat(242)}@v`,
    `t@${'v'.repeat(15)}`,
    'fw529a3039@dt',
    'foo@',
    'foo@@bar',
    'foo@bar@baz',
  ];
  for (const key of valid) assert.ok(isValidTraceStateKey(key), key);
  const invalid = [
    '',
    'z'.repeat(257),
    `${'t'.repeat(242)}@${'v'.repeat(14)}`,
    '@foo',
    '_foo',
    '-foo',
    '*foo',
    '/foo',
    'FOO',
    'fOo',
    'foo.bar',
    'foo bar',
    'foo ',
    'foo=',
    'foo,bar',
    'caf\u00e9',
  ];
  for (const key of invalid) assert.ok(!isValidTraceStateKey(key), key);
});

test('value: up to 256 printable ASCII characters but , and =, the last not a space', () => {
  let all = '';
  for (let c = 0x20; c <= 0x7e; c++) if (c !== 0x2c && c !== 0x3d) all += String.fromCharCode(c);
  const valid = ['1', all, ` ${all}`, 'v'.repeat(256), `${' '.repeat(255)}x`, 'a b'];
  for (const value of valid) assert.ok(isValidTraceStateValue(value), value);
  const invalid = ['', ' ', 'x ', 'v'.repeat(257), 'a=b', 'a,b', 'tab\there', 'caf\u00e9', 'line\nbreak', '\x7f'];
  for (const value of invalid) assert.ok(!isValidTraceStateValue(value), JSON.stringify(value));
});

test('list: OWS around members and empty members are allowed, leading spaces of a value are kept', () => {
  assert.equal(parse('foo=1 \t , \t bar=2, \t baz=3'), 'foo=1,bar=2,baz=3');
  assert.equal(parse('\t foo=1 \t'), 'foo=1');
  assert.equal(parse('foo=1,,bar=2, ,'), 'foo=1,bar=2');
  assert.equal(W3cTraceState.parse('foo= 1')?.get('foo'), ' 1');
  assert.equal(W3cTraceState.parse('')?.size, 0);
  assert.equal(W3cTraceState.parse(' , ')?.size, 0);
});

test('list: at most 32 members; a 33rd makes the whole tracestate invalid', () => {
  const members = (n: number) => Array.from({ length: n }, (_, i) => `bar${String(i + 1).padStart(2, '0')}=${i + 1}`);
  assert.equal(W3cTraceState.parse(members(32).join(','))?.size, 32);
  assert.equal(W3cTraceState.parse(members(33).join(',')), undefined);
  // Empty members are not list members that count.
  assert.equal(W3cTraceState.parse(`${members(32).join(',')},,`)?.size, 32);
});

test('any invalid member makes the whole tracestate invalid', () => {
  const invalid = [
    'foo=bar=baz',
    'foo=,bar=3',
    'foo =1',
    'FOO=1',
    'foo.bar=1',
    '@foo=1,bar=2',
    'foo=1,bar',
    'foo=1,=2',
    `foo=1,${'z'.repeat(257)}=1`,
    `foo=1,bar=${'v'.repeat(257)}`,
    'foo=1,bar=has\ttab',
  ];
  for (const header of invalid) assert.equal(W3cTraceState.parse(header), undefined, header);
});

test('keys with at signs are keys like any other', () => {
  assert.equal(parse('foo@=1,bar=2'), 'foo@=1,bar=2');
  assert.equal(parse('foo@@bar=1,bar=2'), 'foo@@bar=1,bar=2');
  assert.equal(parse('foo@bar@baz=1,bar=2'), 'foo@bar@baz=1,bar=2');
  assert.equal(W3cTraceState.parse(`${'t'.repeat(242)}@v=1`)?.get(`${'t'.repeat(242)}@v`), '1');
});

test('a duplicated key does not invalidate the tracestate: it is passed on as received', () => {
  assert.equal(parse('foo=1,foo=1'), 'foo=1,foo=1');
  assert.equal(parse('foo=1,foo=2'), 'foo=1,foo=2');
  // The specification's example of a header a vendor should not write, as a receiver sees it.
  const received = W3cTraceState.parse(
    'congo=congosFirstPosition,rojo=rojosFirstPosition,congo=congosSecondPosition',
  ) as W3cTraceState;
  assert.equal(received.size, 3);
  assert.equal(received.get('congo'), 'congosFirstPosition');
  // Congo updating its entry leaves it once, at the front: the specification's rewritten header.
  assert.equal(
    received.set('congo', 'congosSecondPosition').serialize(),
    'congo=congosSecondPosition,rojo=rojosFirstPosition',
  );
  assert.equal(received.unset('congo').serialize(), 'rojo=rojosFirstPosition');
});

test('mutations: set adds or moves to the front, drops the rightmost past 32; invalid keys or values are refused', () => {
  let state = W3cTraceState.parse('a=1,b=2') as W3cTraceState;
  state = state.set('b', '3');
  assert.equal(state.serialize(), 'b=3,a=1');
  assert.equal(state.set('Bad', 'x'), state);
  assert.equal(state.set('@bad', 'x'), state);
  assert.equal(state.set('ok', 'bad=value'), state);
  assert.equal(state.set('t@vendor', 'x').serialize(), 't@vendor=x,b=3,a=1');
  assert.equal(state.unset('a').serialize(), 'b=3');
  assert.equal(state.unset('missing'), state);
  let full = W3cTraceState.empty();
  for (let i = 0; i < 40; i++) full = full.set(`k${i}`, 'v');
  assert.equal(full.size, 32);
  assert.equal(full.get('k39'), 'v');
  assert.equal(full.get('k7'), undefined, 'the rightmost (oldest) members went first');
  assert.equal(full.get('k8'), 'v');
});
