import assert from 'node:assert/strict';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, test } from 'node:test';
import type { Span } from '@ariadne/protocol';
import { encodeSpanBatch } from '../../pipeline/span-batch.js';
import { testSpan } from '../query/test-spans.js';
import type { SpanStore } from '../span-store.js';
import { openEmbeddedStore } from './embedded-store.js';

// Span batches (as decode workers make them) write a long text value in place
// the first time they meet it; these texts never enter the dictionary that
// searches consult first. Searches must still find them, in the head and in blocks.
const dirs: string[] = [];
after(() => Promise.all(dirs.map((dir) => rm(dir, { recursive: true, force: true }))));

const spanWith = (trace: number, url: string, user: string): Span =>
  testSpan({
    traceId: trace.toString(16).padStart(32, 'a'),
    spanId: trace.toString(16).padStart(16, '0'),
    attributes: [
      { key: 'url', value: { type: 'string', value: url } },
      { key: 'user', value: { type: 'string', value: user } },
    ],
  });
// Unique URLs (in place, new to the head); one user in every span (a reference after its first sighting).
const spans = Array.from({ length: 40 }, (_, i) =>
  spanWith(i + 1, `https://shop.example/cart/${i}-x`, 'user-0123456789'),
);

const searchFor = (store: SpanStore, key: string, value: string) =>
  store.findTraces({
    timeRange: { startNanos: 0n, endNanos: 2n ** 62n },
    attributes: [{ key, value, operator: '=', scope: 'span' }],
    limit: 100,
  });

for (const where of ['head', 'blocks'] as const) {
  test(`an = search finds text values written in place, in the ${where}`, async () => {
    const dataDir = await mkdtemp(join(tmpdir(), 'ariadne-in-place-'));
    dirs.push(dataDir);
    let store = await openEmbeddedStore({ dataDir, maxHeadSpans: 1_000_000, maxHeadAgeMs: 3_600_000 });
    for (let i = 0; i < spans.length; i += 10) await store.writeSpanBatch(encodeSpanBatch(spans.slice(i, i + 10)));
    if (where === 'blocks') {
      await store.close();
      store = await openEmbeddedStore({ dataDir, maxHeadAgeMs: 3_600_000 });
    }
    try {
      const found = await searchFor(store, 'url', 'https://shop.example/cart/17-x');
      assert.deepEqual(
        found.map((trace) => trace.traceId),
        [spans[17]!.traceId],
      );
      assert.equal((await searchFor(store, 'user', 'user-0123456789')).length, spans.length);
      assert.deepEqual(await searchFor(store, 'url', 'https://shop.example/cart/99-x'), []);
      assert.deepEqual(
        await searchFor(store, 'user', 'https://shop.example/cart/17-x'),
        [],
        'the value under another key',
      );
      assert.deepStrictEqual(await store.getTrace(spans[3]!.traceId), [spans[3]]);
    } finally {
      await store.close();
    }
  });
}
