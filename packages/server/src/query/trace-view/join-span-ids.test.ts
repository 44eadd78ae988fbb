import assert from 'node:assert/strict';
import { test } from 'node:test';
import { joinSpanIds, NOT_FOUND } from './join-span-ids.js';

/** `count` distinct ids: sequential ones (some SDKs, tests) and random ones, as two words each. */
function ids(count: number, sequential: boolean): Uint32Array {
  const words = new Uint32Array(2 * count);
  let seed = 18;
  const next = () => {
    seed = (Math.imul(seed, 1103515245) + 12345) >>> 0;
    return seed;
  };
  for (let i = 0; i < count; i++) {
    // Random high words with the index in the low word: distinct either way.
    words[2 * i] = sequential ? 0 : next();
    words[2 * i + 1] = sequential ? i + 1 : i;
  }
  return words;
}

for (const count of [10, 5_000, 300_000]) {
  for (const sequential of [true, false]) {
    test(`every lookup finds its span or none, and a repeated id is refused (${count} ${sequential ? 'sequential' : 'random'} ids)`, () => {
      const spans = ids(count, sequential);
      // Every span's id (in another order) and ids no span has.
      const lookups = count + 3;
      const wanted = new Uint32Array(2 * lookups);
      for (let q = 0; q < count; q++) {
        const of = (q * 7919) % count;
        wanted[2 * q] = spans[2 * of] as number;
        wanted[2 * q + 1] = spans[2 * of + 1] as number;
      }
      for (let q = count; q < lookups; q++) {
        wanted[2 * q] = 0xffffffff;
        wanted[2 * q + 1] = q;
      }
      const found = joinSpanIds(spans, wanted);
      assert.ok(found !== undefined);
      for (let q = 0; q < count; q++) if (found[q] !== (q * 7919) % count) assert.fail(`lookup ${q}`);
      assert.deepEqual([...found.subarray(count)], [NOT_FOUND, NOT_FOUND, NOT_FOUND]);
      const repeated = Uint32Array.from(spans);
      repeated[2 * (count - 1)] = repeated[0] as number;
      repeated[2 * (count - 1) + 1] = repeated[1] as number;
      assert.equal(joinSpanIds(repeated, new Uint32Array(0)), undefined);
    });
  }
}
