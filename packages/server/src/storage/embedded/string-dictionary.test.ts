import assert from 'node:assert/strict';
import { test } from 'node:test';
import { hashUtf8, StringDictionary } from './string-dictionary.js';

test('indexes agree with a Map: first seen first, the same text the same index, through many growths', () => {
  const dictionary = new StringDictionary();
  const reference = new Map<string, number>();
  const texts: string[] = ['', 'a', 'ü✓', '\u0000', 'a'.repeat(1000)];
  for (let i = 0; i < 50_000; i++) texts.push(`value-${(i * 7919) % 30_000}`);
  for (const text of texts) {
    if (!reference.has(text)) reference.set(text, reference.size);
    assert.equal(dictionary.indexOf(text), reference.get(text), text);
  }
  assert.deepEqual(dictionary.strings, [...reference.keys()]);
  // Again, once grown: every text still found where it was.
  for (const [text, index] of reference) assert.equal(dictionary.indexOf(text), index);
  assert.equal(dictionary.strings.length, reference.size);
});

test('texts whose hashes collide are told apart', () => {
  const dictionary = new StringDictionary();
  // Many short texts fill a small table densely: collisions in the low bits are certain.
  const texts = Array.from({ length: 5_000 }, (_, i) => String.fromCharCode(i % 97, (i * 31) % 89, i % 13));
  const unique = [...new Set(texts)];
  for (const text of texts) dictionary.indexOf(text);
  assert.deepEqual(dictionary.strings, unique);
  unique.forEach((text, index) => {
    assert.equal(dictionary.indexOf(text), index);
  });
});

test('a lookup by UTF-8 bytes finds what indexOf holds and adds nothing, beyond ASCII too', () => {
  const dictionary = new StringDictionary();
  const held = ['', 'plain-ascii-value', 'é', 'ü✓ text', 'Ã©'];
  for (const text of held) dictionary.indexOf(text);
  const find = (text: string) => {
    const bytes = Buffer.concat([Buffer.from('xx'), Buffer.from(text, 'utf8'), Buffer.from('yy')]);
    const end = bytes.length - 2;
    return dictionary.findUtf8(hashUtf8(bytes, 2, end), bytes, 2, end);
  };
  held.forEach((text, index) => {
    assert.equal(find(text), index, text);
  });
  // "é" is the bytes C3 A9, which read one byte a code unit would be "Ã©": each finds only itself.
  assert.equal(find('é'), 2);
  assert.equal(find('Ã©'), 4);
  for (const missing of ['plain-ascii-valuf', 'ü✓', 'è']) assert.equal(find(missing), -1, missing);
  assert.equal(dictionary.strings.length, held.length);
});
