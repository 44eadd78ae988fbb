import assert from 'node:assert/strict';
import { mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { setTimeout as sleep } from 'node:timers/promises';
import { isAriadneError, makeSpan, type Span } from '@ariadne/protocol';
import { type TraceOutline, traceOutlineOf } from '../../query/trace-view/trace-outline.js';
import { openEmbeddedStore } from './embedded-store.js';
import { OutlineCache } from './outline-cache.js';

const TRACE = '4bf92f3577b34da6a3ce929d0e0e4736';
const HOUR = 3_600_000_000_000n;
const T0 = 1_767_225_600_000_000_000n; // 2026-01-01T00:00:00Z

function outlineOf(spans: number): TraceOutline {
  return traceOutlineOf(
    Array.from({ length: spans }, (_, i) => makeSpan({ traceId: TRACE, spanId: i.toString(16).padStart(16, '0') })),
  );
}

/** `count` spans of the trace, ids from `first`, starting at `start`. */
function traceSpans(count: number, first: number, start: bigint): Span[] {
  return Array.from({ length: count }, (_, i) =>
    makeSpan({
      traceId: TRACE,
      spanId: (first + i).toString(16).padStart(16, '0'),
      parentSpanId: i === 0 ? '' : first.toString(16).padStart(16, '0'),
      service: 'batch',
      startTimeUnixNano: start + BigInt(i) * 1_000n,
    }),
  );
}

test('entries are kept by version, least recently used go first past the span budget, small traces are not kept', () => {
  const cache = new OutlineCache(25, 10);
  const [a, b, c] = [outlineOf(10), outlineOf(10), outlineOf(10)];
  cache.set('a', 'v1', a);
  cache.set('b', 'v1', b);
  assert.equal(cache.get('a', 'v1'), a);
  assert.equal(cache.get('b', 'v2'), undefined, 'another version is a miss, and drops the entry');
  assert.equal(cache.get('b', 'v1'), undefined);
  cache.set('b', 'v1', b);
  // a was used before b: adding c (30 spans in all) evicts a.
  cache.set('c', 'v1', c);
  assert.equal(cache.spanCount, 20);
  assert.equal(cache.get('a', 'v1'), undefined);
  assert.equal(cache.get('b', 'v1'), b);
  assert.equal(cache.get('c', 'v1'), c);
  cache.set('small', 'v1', outlineOf(9));
  cache.set('huge', 'v1', outlineOf(26));
  assert.equal(cache.get('small', 'v1'), undefined);
  assert.equal(cache.get('huge', 'v1'), undefined);
  assert.equal(cache.spanCount, 20);
});

test('the store serves a large trace outline again until spans of it are written, across a cut', async (t) => {
  const dataDir = mkdtempSync(join(tmpdir(), 'ariadne-outline-cache-'));
  const store = await openEmbeddedStore({ dataDir, maxHeadAgeMs: 50 });
  t.after(async () => {
    await store.close();
    rmSync(dataDir, { recursive: true, force: true });
  });
  await store.writeSpans(traceSpans(10_000, 0, T0));
  const first = await store.getTraceOutline(TRACE);
  assert.equal(first.spanIds.length, 10_000);
  assert.equal(await store.getTraceOutline(TRACE), first);
  // The head is cut into a block by age: the same spans, the same outline.
  while (readdirSync(join(dataDir, 'blocks')).length === 0) await sleep(20);
  assert.equal(await store.getTraceOutline(TRACE), first);
  await store.writeSpans(traceSpans(1, 10_000, T0 + 1n));
  const grown = await store.getTraceOutline(TRACE);
  assert.notEqual(grown, first);
  assert.equal(grown.spanIds.length, 10_001);
  assert.ok(grown.spanIds.includes((10_000).toString(16).padStart(16, '0')));
});

test('after retention deletes a block of the trace, an outline of as many spans is read again', async (t) => {
  const dataDir = mkdtempSync(join(tmpdir(), 'ariadne-outline-cache-'));
  let now = T0 + 2n * HOUR;
  const options = { dataDir, retentionNanos: HOUR, retentionCheckMs: 10, now: () => now };
  // Old spans into a block (closing cuts the head), then opened again.
  const writer = await openEmbeddedStore(options);
  await writer.writeSpans(traceSpans(10_000, 0, T0 + HOUR + HOUR / 2n));
  await writer.close();
  const store = await openEmbeddedStore(options);
  t.after(async () => {
    await store.close();
    rmSync(dataDir, { recursive: true, force: true });
  });
  const old = await store.getTraceOutline(TRACE);
  assert.equal(old.spanIds[0], (0).toString(16).padStart(16, '0'));
  now += 2n * HOUR;
  // Retention deletes the block on its next check.
  for (;;) {
    const gone = await store.getTraceOutline(TRACE).then(
      () => false,
      (error: unknown) => isAriadneError(error, 'TraceNotFound'),
    );
    if (gone) break;
    await sleep(20);
  }
  // As many new spans of the trace: the count alone cannot tell them from the old ones.
  await store.writeSpans(traceSpans(10_000, 100_000, now - HOUR / 2n));
  const fresh = await store.getTraceOutline(TRACE);
  assert.equal(fresh.spanIds.length, 10_000);
  assert.equal(fresh.spanIds[0], (100_000).toString(16).padStart(16, '0'));
});
