import assert from 'node:assert/strict';
import { test } from 'node:test';
import { ByteReader, ByteWriter } from './byte-writer.js';

test('zig-zag varints round-trip across the fast and the BigInt paths', () => {
  const values = [0n, 1n, -1n, 63n, -64n, 2n ** 52n - 1n, -(2n ** 52n) + 1n, 2n ** 52n, -(2n ** 52n), 2n ** 63n - 1n];
  values.push(-(2n ** 63n), 2n ** 53n + 1n, -(2n ** 53n) - 1n, 1_767_225_600_000_000_000n);
  const writer = new ByteWriter(16);
  for (const value of values) writer.varInt64(value);
  const reader = new ByteReader(Buffer.from(writer.bytes()));
  for (const value of values) assert.equal(reader.varInt64(), value);
  assert.equal(reader.offset, writer.length);
});

test('hex ids are written as their bytes; anything else is left to the caller, nothing written', () => {
  const writer = new ByteWriter(4);
  assert.equal(writer.hexId('00ff7a'), true);
  assert.equal(writer.hexId(''), true);
  for (const text of ['ABCD', 'abc', 'zz', '0g', 'é0', 'a'.repeat(66)]) assert.equal(writer.hexId(text), false, text);
  assert.equal(writer.hexId('0123456789abcdef'.repeat(4)), true);
  assert.deepStrictEqual(
    Buffer.from(writer.bytes()),
    Buffer.concat([Buffer.from([3, 0x00, 0xff, 0x7a, 0, 32]), Buffer.from('0123456789abcdef'.repeat(4), 'hex')]),
  );
});
