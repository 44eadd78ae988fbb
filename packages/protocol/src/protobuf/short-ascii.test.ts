import assert from 'node:assert/strict';
import { test } from 'node:test';
import { SHORT_ASCII_MAX, shortAscii } from './short-ascii.js';

const viewOf = (bytes: Uint8Array) => new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);

test('every length up to the maximum, at every alignment and at the very end of the buffer, reads what latin1 does', () => {
  let seed = 7;
  const next = () => {
    seed = (Math.imul(seed, 1103515245) + 12345) >>> 0;
    return seed >>> 16;
  };
  for (let length = 0; length <= SHORT_ASCII_MAX; length++) {
    for (const offset of [0, 1, 2, 3, 5]) {
      // Bytes around the string are non-ASCII on purpose: reading one of them would show.
      const bytes = new Uint8Array(offset + length).fill(0xff);
      for (let i = 0; i < length; i++) bytes[offset + i] = next() & 0x7f;
      const expected = Buffer.from(bytes.buffer, offset, length).toString('latin1');
      assert.equal(shortAscii(viewOf(bytes), offset, length), expected, `length ${length} at ${offset}`);
      const padded = new Uint8Array([...bytes, 0xff, 0xff, 0xff, 0xff]);
      assert.equal(shortAscii(viewOf(padded), offset, length), expected, `length ${length} at ${offset}, padded`);
    }
  }
});

test('a byte of 0x80 or more anywhere in the string means undefined, as does a string over the maximum', () => {
  for (let length = 1; length <= SHORT_ASCII_MAX; length++) {
    for (let at = 0; at < length; at++) {
      const bytes = new Uint8Array(length + 2).fill(0x61);
      bytes[1 + at] = 0x80 | at;
      assert.equal(shortAscii(viewOf(bytes), 1, length), undefined, `length ${length}, high byte at ${at}`);
    }
  }
  const long = new Uint8Array(SHORT_ASCII_MAX + 1).fill(0x61);
  assert.equal(shortAscii(viewOf(long), 0, long.length), undefined);
});
