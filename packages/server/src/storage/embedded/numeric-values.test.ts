import assert from 'node:assert/strict';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { doubleValue, intValue, stringValue } from '@ariadne/protocol';
import { testSpan } from '../query/test-spans.js';
import type { TraceQuery } from '../span-store.js';
import { BlockReader } from './block-file.js';
import { openEmbeddedStore } from './embedded-store.js';
import { mayHoldNumber, NumericValues } from './numeric-values.js';

test('numbers are listed per key while few; too many, or unlistable ones, list the key as null', () => {
  const values = new NumericValues();
  values.add(3, 200n);
  values.add(3, 404n);
  values.add(3, 200.0);
  values.add(5, 0.25);
  values.add(7, 2n ** 60n); // past 2^53: its text is not its double's
  values.add(8, Number.NaN);
  for (let i = 0; i < 40; i++) values.add(9, BigInt(i));
  assert.deepEqual(values.toMeta(), { 3: [200, 404], 5: [0.25], 7: null, 8: null, 9: null });
});

test('mayHoldNumber: listed numbers only; null and blocks without a list may hold anything', () => {
  const meta = { 3: [200, 0], 7: null };
  assert.equal(mayHoldNumber(meta, 3, 200), true);
  assert.equal(mayHoldNumber(meta, 3, 418), false);
  assert.equal(mayHoldNumber(meta, 3, -0), true);
  assert.equal(mayHoldNumber(meta, 4, 1), false, 'a key without numbers');
  assert.equal(mayHoldNumber(meta, 7, 1), true);
  assert.equal(mayHoldNumber(undefined, 3, 418), true);
});

test('an = search for a number no span has reads no page of the blocks; one that some span has does', async () => {
  const dataDir = await mkdtemp(join(tmpdir(), 'ariadne-numeric-'));
  const pageRows = BlockReader.prototype.pageRows;
  let pagesRead = 0;
  BlockReader.prototype.pageRows = function (this: BlockReader, page: number) {
    pagesRead++;
    return pageRows.call(this, page);
  };
  try {
    const spans = Array.from({ length: 50 }, (_, i) =>
      testSpan({
        traceId: (i + 1).toString(16).padStart(32, '0'),
        spanId: (i + 1).toString(16).padStart(16, '0'),
        startTimeUnixNano: 1_700_000_000_000_000_000n + BigInt(i) * 1_000_000n,
        endTimeUnixNano: 1_700_000_000_000_000_000n + BigInt(i) * 1_000_000n + 5_000n,
        attributes: [
          { key: 'http.response.status_code', value: intValue(i % 2 === 0 ? 200 : 404) },
          { key: 'ratio', value: doubleValue(0.5) },
          { key: 'route', value: stringValue('/cart') },
        ],
      }),
    );
    const first = await openEmbeddedStore({ dataDir });
    await first.writeSpans(spans);
    await first.close(); // cut into a block
    const store = await openEmbeddedStore({ dataDir });
    const find = (key: string, value: string) =>
      store.findTraces({
        attributes: [{ key, scope: 'span', operator: '=', value }],
        timeRange: { startNanos: 0n, endNanos: 2_000_000_000_000_000_000n },
        limit: 100,
      } satisfies TraceQuery);
    try {
      for (const [key, value] of [
        ['http.response.status_code', '418'],
        ['http.response.status_code', '200.5'],
        ['ratio', '0.75'],
        ['route', '418'],
      ] as const) {
        pagesRead = 0;
        assert.deepEqual(await find(key, value), [], `${key} = ${value}`);
        assert.equal(pagesRead, 0, `${key} = ${value} read pages`);
      }
      pagesRead = 0;
      assert.equal((await find('http.response.status_code', '404')).length, 25);
      assert.ok(pagesRead > 0);
      assert.equal((await find('ratio', '0.5')).length, 50);
    } finally {
      await store.close();
    }
  } finally {
    BlockReader.prototype.pageRows = pageRows;
    await rm(dataDir, { recursive: true, force: true });
  }
});
