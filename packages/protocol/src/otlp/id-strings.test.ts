import assert from 'node:assert/strict';
import { test } from 'node:test';
import { spanIdHex, traceIdHex } from './id-strings.js';

test('ids read as the lowercase hex of their bytes, repeated or not, far more of them than the cache holds', () => {
  let seed = 99;
  const next = () => {
    seed = (Math.imul(seed, 1103515245) + 12345) >>> 0;
    return seed >>> 24;
  };
  const ids: Uint8Array[] = [new Uint8Array(24), new Uint8Array(24).fill(0xff)];
  for (let i = 0; i < 5000; i++) ids.push(Uint8Array.from({ length: 24 }, next));
  // Ids that differ in one byte only, at each position, must never share a cached string.
  for (let at = 0; at < 16; at++) {
    const id = new Uint8Array(24);
    id[4 + at] = 1;
    ids.push(id);
  }
  // Ids equal but for their last four bytes, more of them than there are slots, so that some share
  // one: span ids at offset 5 (bytes 9 to 12 vary), then trace ids at offset 5 (bytes 17 to 20 vary).
  for (const varying of [9, 17]) {
    for (let i = 0; i < 1500; i++) {
      const id = new Uint8Array(24).fill(0x5a);
      for (let at = 0; at < 4; at++) id[varying + at] = next();
      ids.push(id);
    }
  }
  for (let round = 0; round < 3; round++) {
    for (let i = 0; i < ids.length; i++) {
      const index = (i * 7919 + round) % ids.length;
      const id = ids[index]!;
      const offset = index < ids.length - 3000 ? 1 + (index % 4) : 5;
      const hex = Buffer.from(id).toString('hex');
      assert.equal(spanIdHex(id, offset), hex.slice(offset * 2, offset * 2 + 16));
      assert.equal(traceIdHex(id, offset), hex.slice(offset * 2, offset * 2 + 32));
    }
  }
});
