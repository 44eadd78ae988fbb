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
