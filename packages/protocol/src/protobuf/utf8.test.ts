import assert from 'node:assert/strict';
import { test } from 'node:test';
import { decodeUtf8Interned, INTERN_MAX_BYTES, nativeUtf8View } from './utf8.js';

test('interned strings decode as TextDecoder does, however often they repeat or collide', () => {
  const decoder = new TextDecoder();
  let seed = 5;
  const next = () => {
    seed = (Math.imul(seed, 1103515245) + 12345) >>> 0;
    return seed >>> 16;
  };
  // Mostly ASCII, with UTF-8 sequences, stray continuation bytes and truncated sequences mixed in.
  const pieces = [[0x61], [0x7a], [0x2e], [0x5f], [0x31], [0xc3, 0xa9], [0xe6, 0x97, 0xa5], [0xff], [0x80], [0xc3]];
  const strings: Uint8Array[] = [];
  for (let i = 0; i < 20000; i++) {
    const bytes: number[] = [];
    const length = 1 + (next() % INTERN_MAX_BYTES);
    while (bytes.length < length) {
      const piece = next() % 20 < 17 ? pieces[next() % 5]! : pieces[5 + (next() % 5)]!;
      bytes.push(...piece);
    }
    strings.push(Uint8Array.from(bytes.slice(0, length)));
  }
  // Keys that differ in one byte only, at each position.
  for (let at = 0; at < INTERN_MAX_BYTES; at++) {
    const bytes = new Uint8Array(INTERN_MAX_BYTES).fill(0x61);
    bytes[at] = 0x62;
    strings.push(bytes);
    strings.push(bytes.slice(0, at + 1));
  }
  for (let round = 0; round < 3; round++) {
    for (let i = 0; i < strings.length; i++) {
      const text = strings[(i * 31 + round * 7) % strings.length]!;
      // Framed by other bytes, as a field is in a message.
      const bytes = new Uint8Array([0x62, 0x63, ...text, 0x64]);
      const view = new DataView(bytes.buffer);
      for (const native of [nativeUtf8View(bytes), undefined]) {
        assert.equal(decodeUtf8Interned(bytes, view, 2, 2 + text.length, native), decoder.decode(text));
      }
    }
  }
});
