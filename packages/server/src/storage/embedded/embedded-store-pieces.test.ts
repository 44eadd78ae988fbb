// A trace that reaches the store in 50 pieces, over many cuts (SDKs batch per
// service, so one trace's spans arrive at different times): it reads back
// whole, and each call between services is counted once, whichever of its two
// spans came first, at every step and across a restart.
import assert from 'node:assert/strict';
import { cp, mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, test } from 'node:test';
import { type Span, StatusCode } from '@ariadne/protocol';
import { openMemoryStore } from '../memory/memory-store.js';
import { crossServiceCalls } from '../query/dependency-links.js';
import { testSpan } from '../query/test-spans.js';
import type { DependencyLink, TimeRange } from '../span-store.js';
import { openEmbeddedStore } from './embedded-store.js';

const SERVICES = ['gateway', 'orders', 'payments', 'stock', 'mail'];
const TRACE = 'a1a1a1a1b2b2b2b2c3c3c3c3d4d4d4d4';
const BASE = 1_700_000_000_000_000_000n;

/** A seeded generator (mulberry32): the same trace and order on every run. */
function seeded(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** 250 spans over five services, a random tree, then shuffled: children come before their parents as often as after. */
function traceInPieces(): Span[][] {
  const random = seeded(13);
  const spans: Span[] = [];
  for (let i = 0; i < 250; i++) {
    const parent = i === 0 ? undefined : spans[Math.floor(random() * i)];
    spans.push(
      testSpan({
        traceId: TRACE,
        spanId: (i + 1).toString(16).padStart(16, '0'),
        parentSpanId: parent?.spanId ?? '',
        service: SERVICES[Math.floor(random() * SERVICES.length)]!,
        name: `op-${i % 7}`,
        // One per second: calls fall in several seconds, and range queries can cut through them.
        startTimeUnixNano: BASE + BigInt(i) * 1_000_000_000n,
        endTimeUnixNano: BASE + BigInt(i) * 1_000_000_000n + 500_000_000n,
        status: { code: i % 11 === 0 ? StatusCode.Error : StatusCode.Unset, message: '' },
      }),
    );
  }
  for (let i = spans.length - 1; i > 0; i--) {
    const j = Math.floor(random() * (i + 1));
    [spans[i], spans[j]] = [spans[j]!, spans[i]!];
  }
  return Array.from({ length: 50 }, (_, piece) => spans.slice(piece * 5, piece * 5 + 5));
}

const WHOLE: TimeRange = { startNanos: BASE - 1n, endNanos: BASE + 1_000_000_000_000n };
/** Cuts through the middle of the trace's seconds. */
const PART: TimeRange = { startNanos: BASE + 60_000_000_000n, endNanos: BASE + 180_000_000_000n - 1n };

const dirs: string[] = [];
after(() => Promise.all(dirs.map((dir) => rm(dir, { recursive: true, force: true }))));
const freshDir = async () => {
  const dir = await mkdtemp(join(tmpdir(), 'ariadne-pieces-'));
  dirs.push(dir);
  return dir;
};

test('a trace in 50 pieces over many cuts is whole, and its calls are counted once at every step and after reopening', async () => {
  const pieces = traceInPieces();
  const all = pieces.flat();
  const calls = crossServiceCalls(all);
  assert.ok(calls.length > 100, `the trace calls across services often (${calls.length})`);
  // The reference counts calls span by span over the spans written so far.
  const memory = openMemoryStore();
  const dataDir = await freshDir();
  // Eight spans per head: a cut every two pieces or so, the trace in some 30 blocks and the head.
  const settings = { maxHeadSpans: 8, maxHeadAgeMs: 3_600_000 };
  let store = await openEmbeddedStore({ dataDir, ...settings });
  const check = async (label: string) => {
    for (const range of [WHOLE, PART]) {
      assert.deepStrictEqual(await store.getDependencies(range), await memory.getDependencies(range), label);
    }
  };
  for (const [n, piece] of pieces.entries()) {
    await store.writeSpans(piece);
    await memory.writeSpans(piece);
    if (n === 30) {
      // A restart: the dependency index is rebuilt from the blocks.
      await store.close();
      store = await openEmbeddedStore({ dataDir, ...settings });
    }
    await check(`after piece ${n + 1}`);
  }
  const stored = await store.getTrace(TRACE);
  assert.equal(stored.length, all.length);
  assert.deepStrictEqual(
    [...stored].sort((a, b) => a.spanId.localeCompare(b.spanId)),
    [...all].sort((a, b) => a.spanId.localeCompare(b.spanId)),
  );
  const expected = await memory.getDependencies(WHOLE);
  const total = (links: DependencyLink[]) => links.reduce((sum, link) => sum + link.callCount, 0);
  assert.equal(total(expected), calls.length, 'every call once');

  // A crash image (the folder copied while the store runs): the head comes back from the WAL.
  const copy = await freshDir();
  await cp(dataDir, copy, { recursive: true });
  const crashed = await openEmbeddedStore({ dataDir: copy, maxHeadAgeMs: 3_600_000 });
  assert.deepStrictEqual(await crashed.getDependencies(WHOLE), expected, 'after a crash');
  await crashed.close();

  await store.close();
  store = await openEmbeddedStore({ dataDir, maxHeadAgeMs: 3_600_000 });
  await check('after a clean reopen');
  assert.equal((await store.getTrace(TRACE)).length, all.length);
  await store.close();
  await memory.close();
});
