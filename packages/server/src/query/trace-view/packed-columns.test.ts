import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { isAriadneError, makeSpan, type Span } from '@ariadne/protocol';
import { openEmbeddedStore } from '../../storage/embedded/embedded-store.js';
import type { TraceRetention } from '../../storage/span-store.js';
import { openEmbeddedStoreInWorker } from '../../storage/worker/embedded-store-in-worker.js';
import { awkwardSpans } from './awkward-spans.fixture.js';
import { encodePackedColumns } from './packed-columns.js';
import { hasPackedOutline, PackedOutlineBuilder } from './packed-outline.js';
import { encodeTraceColumns } from './trace-columns.js';
import { traceOutlineOf } from './trace-outline.js';
import { toTraceSkeleton } from './trace-skeleton.js';

const PACKABLE = '5cf92f3577b34da6a3ce929d0e0e4736';
const TWICE = '4bf92f3577b34da6a3ce929d0e0e4736';
const TEXT_IDS = '6df92f3577b34da6a3ce929d0e0e4736';
const RETENTION: TraceRetention = { tier: 'kept', keptBy: 'error' };

/** The columns answer as the outline path makes it from the spans `getTrace` gives. */
const expectedColumns = (spans: readonly Span[], retention?: TraceRetention) =>
  encodeTraceColumns(toTraceSkeleton(traceOutlineOf(spans)), retention);

test("the embedded store's packed outline gives the outline path's columns byte for byte, over heads and blocks", async (t) => {
  const dir = mkdtempSync(join(tmpdir(), 'ariadne-packed-'));
  // Small heads: a trace ends up in several blocks and a head, parents by id across them.
  const store = await openEmbeddedStore({ dataDir: dir, maxHeadSpans: 16, maxHeadAgeMs: 3_600_000 });
  t.after(() => rmSync(dir, { recursive: true, force: true }));
  assert.ok(hasPackedOutline(store));
  const traces = [
    { traceId: PACKABLE, spans: awkwardSpans(PACKABLE, false, false) },
    { traceId: TWICE, spans: awkwardSpans(TWICE, true, false) },
    { traceId: TEXT_IDS, spans: awkwardSpans(TEXT_IDS, false, true) },
  ];
  for (const { spans } of traces)
    for (let i = 0; i < spans.length; i += 7) await store.writeSpans(spans.slice(i, i + 7));
  const check = async (reader: typeof store) => {
    const packed = await reader.getPackedTraceOutline(PACKABLE);
    assert.ok(packed !== undefined);
    const stored = await reader.getTrace(PACKABLE);
    assert.equal(packed.parents.length, 60);
    // A parent named by a text id (not in the trace), a missing one, none: all as the outline says.
    assert.deepEqual(packed.missingParents.toSorted(), ['ffffffffffffffff', 'not-hex-id']);
    assert.deepEqual(encodePackedColumns(packed), expectedColumns(stored));
    assert.deepEqual(encodePackedColumns(packed, RETENTION), expectedColumns(stored, RETENTION));
    // Two spans with one id, or an id that is not 8 bytes: the outline path's.
    assert.equal(await reader.getPackedTraceOutline(TWICE), undefined);
    assert.equal(await reader.getPackedTraceOutline(TEXT_IDS), undefined);
    await assert.rejects(reader.getPackedTraceOutline('1234567890abcdef1234567890abcdef'), (e) =>
      isAriadneError(e, 'TraceNotFound'),
    );
    await assert.rejects(reader.getPackedTraceOutline('not a trace id'), (e) => isAriadneError(e, 'TraceNotFound'));
  };
  await check(store);
  // Everything in blocks.
  await store.close();
  const reopened = await openEmbeddedStore({ dataDir: dir });
  try {
    await check(reopened);
  } finally {
    await reopened.close();
  }
  // On the store's own thread: the columns come across by transfer, the same.
  const threaded = await openEmbeddedStoreInWorker({ dataDir: dir });
  try {
    const packed = await threaded.getPackedTraceOutline(PACKABLE);
    assert.ok(packed !== undefined);
    assert.ok(packed.spanIds instanceof Uint32Array && packed.parents instanceof Int32Array);
    assert.deepEqual(encodePackedColumns(packed), expectedColumns(await threaded.getTrace(PACKABLE)));
  } finally {
    await threaded.close();
  }
});

/** Packs spans the way a store packs its head's. */
function packedOf(spans: readonly Span[]) {
  const builder = new PackedOutlineBuilder();
  builder.addOutline(traceOutlineOf(spans));
  return builder.build();
}

const T0 = 1_700_000_000_000_000_000n;
const span = (id: string, parent: string, startNanos: bigint) =>
  makeSpan({ spanId: id, parentSpanId: parent, startTimeUnixNano: startNanos, endTimeUnixNano: startNanos + 5_000n });

test('order as the outline path: equal starts by id, traces of minutes, days and centuries', () => {
  const random = (seed: number) => () => {
    seed = (Math.imul(seed, 1103515245) + 12345) >>> 0;
    return seed;
  };
  const next = random(7);
  const hex = () => next().toString(16).padStart(8, '0') + next().toString(16).padStart(8, '0');
  const cases: Span[][] = [
    // Many spans to a microsecond: ties decided by id (high word, then low word).
    Array.from({ length: 300 }, (_, i) =>
      span(
        i % 50 === 0 ? `0000000${i % 7}${hex().slice(8)}` : hex(),
        i === 0 ? '' : 'ffffffffffffffff',
        T0 + BigInt(i % 5) * 1_000n + BigInt(i % 3),
      ),
    ),
    // Starts over days (several radix passes), one before the others by a nanosecond.
    Array.from({ length: 200 }, (_, i) =>
      span(hex(), '', T0 + (BigInt(next() % 1000) * 86_400_000_000_000n) / 10n - BigInt(i === 9 ? 1 : 0)),
    ),
    // Over 2^53 nanoseconds apart (microseconds still exact), and too far apart to pack with an index.
    [span(hex(), '', T0), span(hex(), '', T0 + 2n ** 60n), span(hex(), '', T0 + 2n ** 60n)],
    [span(hex(), '', T0), span(hex(), '', T0 + 2n ** 62n), span(hex(), '', T0 + 2n ** 62n), span(hex(), '', T0 + 1n)],
    [],
  ];
  for (const spans of cases) {
    const packed = packedOf(spans);
    assert.ok(packed !== undefined);
    assert.deepEqual(encodePackedColumns(packed), expectedColumns(spans));
  }
});

test('a packed outline finds parents by id, names the missing ones, and refuses repeated or text ids', () => {
  const spans = [
    span('000000000000000c', '000000000000000a', T0 + 3_000n),
    span('000000000000000a', '', T0),
    span('000000000000000b', '00000000000000ff', T0 + 2_000n),
    span('000000000000000d', 'abc', T0 + 2_000n),
  ];
  const packed = packedOf(spans);
  assert.ok(packed !== undefined);
  assert.deepEqual([...packed.spanIds], [0, 0xc, 0, 0xa, 0, 0xb, 0, 0xd]);
  assert.deepEqual([...packed.parents], [1, -1, -2, -2]);
  assert.deepEqual(packed.missingParents, ['00000000000000ff', 'abc']);
  assert.equal(packedOf([...spans, span('000000000000000a', '', T0 + 9n)]), undefined);
  assert.equal(packedOf([...spans, span('0a', '', T0)]), undefined);
  assert.equal(packedOf([...spans, span('000000000000000G', '', T0)]), undefined);
});
