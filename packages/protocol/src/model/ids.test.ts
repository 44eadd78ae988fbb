import assert from 'node:assert/strict';
import { test } from 'node:test';
import { bytesToHex, hexToBytes, isValidSpanId, isValidTraceId, normalizeTraceId } from './ids.js';

test('trace ids are 32 hex characters and never all zero', () => {
  assert.equal(isValidTraceId('0af7651916cd43dd8448eb211c80319c'), true);
  assert.equal(isValidTraceId('0'.repeat(32)), false);
  assert.equal(isValidTraceId('0AF7651916CD43DD8448EB211C80319C'), false);
  assert.equal(isValidSpanId('b7ad6b7169203331'), true);
  assert.equal(isValidSpanId('b7ad6b716920333'), false);
});

test('64-bit and upper-case ids are normalised to 32 lowercase characters', () => {
  assert.equal(normalizeTraceId('B7AD6B7169203331'), '0000000000000000b7ad6b7169203331');
  assert.equal(normalizeTraceId('not-hex'), undefined);
  assert.equal(normalizeTraceId('1'.repeat(33)), undefined);
});

test('hex round trip', () => {
  const hex = '00ff10a0';
  assert.equal(bytesToHex(hexToBytes(hex)), hex);
  assert.equal(bytesToHex(new Uint8Array([1, 2, 3, 4]), 1, 2), '0203');
});
