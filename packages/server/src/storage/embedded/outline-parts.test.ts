import assert from 'node:assert/strict';
import { mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { makeSpan, type Span, StatusCode } from '@ariadne/protocol';
import { awkwardSpans } from '../../query/trace-view/awkward-spans.fixture.js';
import { encodePackedColumns } from '../../query/trace-view/packed-columns.js';
import { PackedOutlineBuilder, type PackedOutlinePart } from '../../query/trace-view/packed-outline.js';
import { encodeTraceColumns } from '../../query/trace-view/trace-columns.js';
import { traceOutlineOf } from '../../query/trace-view/trace-outline.js';
import { toTraceSkeleton } from '../../query/trace-view/trace-skeleton.js';
import { BlockReader, OUTLINE_PART_MIN_SPANS } from './block-file.js';
import { openEmbeddedStore } from './embedded-store.js';
import { decodeOutlinePart, encodeOutlinePart } from './outline-part-codec.js';
import { sortedOutlinePart } from './sorted-outline-part.js';

const TRACE = '7af92f3577b34da6a3ce929d0e0e4736';
const T0 = 1_700_000_000_000_000_000n;

/** The columns answer as the outline path makes it from the spans `getTrace` gives. */
const expectedColumns = (spans: readonly Span[]) => encodeTraceColumns(toTraceSkeleton(traceOutlineOf(spans)));

/**
 * The awkward spans (odd times, values, events, missing and text parents)
 * and enough more that a block holds past `OUTLINE_PART_MIN_SPANS` of the
 * trace: parents before and after their children, in this block or another,
 * failures and events, starts out of order and shared.
 */
function largeTrace(): Span[] {
  let seed = 11;
  const next = () => {
    seed = (Math.imul(seed, 1103515245) + 12345) >>> 0;
    return seed;
  };
  const count = 3 * OUTLINE_PART_MIN_SPANS;
  const idOf = (i: number) => (0x1000 + i).toString(16).padStart(16, '0');
  const more: Span[] = [];
  for (let i = 0; i < count; i++) {
    const start = T0 + BigInt(next() % 5_000) * 1_000n + BigInt(i % 3);
    more.push(
      makeSpan({
        traceId: TRACE,
        spanId: idOf(i),
        // An earlier span of the tree (which arrives before or after it: shuffled below), or an awkward one.
        parentSpanId: i === 0 ? '' : i % 97 === 0 ? '0000000000000003' : idOf(next() % i),
        service: `service-${next() % 5}`,
        name: `op-${next() % 9}`,
        startTimeUnixNano: start,
        endTimeUnixNano: start + BigInt(next() % 100_000),
        status: { code: i % 13 === 0 ? StatusCode.Error : StatusCode.Unset, message: '' },
        events:
          i % 10 === 0
            ? [{ timeUnixNano: start + 10n, name: `mark-${i % 4}`, attributes: [], droppedAttributesCount: 0 }]
            : [],
      }),
    );
  }
  for (let i = more.length - 1; i > 0; i--) {
    const j = next() % (i + 1);
    [more[i], more[j]] = [more[j] as Span, more[i] as Span];
  }
  return [...awkwardSpans(TRACE, false, false), ...more];
}

async function partsOnDisk(dir: string): Promise<number> {
  let parts = 0;
  for (const name of readdirSync(join(dir, 'blocks')).filter((file) => file.endsWith('.blk'))) {
    const block = await BlockReader.open(join(dir, 'blocks', name));
    try {
      parts += await block.outlinePartCount();
    } finally {
      await block.close();
    }
  }
  return parts;
}

test("a large trace's outline parts give the outline path's columns, over blocks and the head", async (t) => {
  const dir = mkdtempSync(join(tmpdir(), 'ariadne-outline-parts-'));
  t.after(() => rmSync(dir, { recursive: true, force: true }));
  // Heads of 1,200 spans: blocks with a part of the trace, and the last spans in the head.
  const store = await openEmbeddedStore({ dataDir: dir, maxHeadSpans: 1_200, maxHeadAgeMs: 3_600_000 });
  const spans = largeTrace();
  // Blocks of 1,200 spans hold parts; the last 600 stay in the head.
  for (let i = 0; i < spans.length; i += 200) await store.writeSpans(spans.slice(i, i + 200));
  const check = async (reader: typeof store) => {
    const packed = await reader.getPackedTraceOutline(TRACE);
    assert.ok(packed !== undefined);
    assert.equal(packed.parents.length, spans.length);
    assert.deepEqual(encodePackedColumns(packed), expectedColumns(await reader.getTrace(TRACE)));
  };
  // Two full heads are cut (in the background) into blocks that keep the trace's part.
  while ((await partsOnDisk(dir)) < 2) await new Promise((resolve) => setTimeout(resolve, 20));
  await check(store);
  await store.close();
  const reopened = await openEmbeddedStore({ dataDir: dir });
  try {
    await check(reopened);
  } finally {
    await reopened.close();
  }
});

/** A part of the spans, packed as a block's writer packs it. */
function partOf(spans: readonly Span[]): PackedOutlinePart {
  const builder = new PackedOutlineBuilder();
  builder.addOutline(traceOutlineOf(spans));
  const part = builder.part();
  assert.ok(part !== undefined);
  return part;
}

/** A part's spans through a builder, as columns: what a read of it shows. */
function columnsOf(parts: readonly PackedOutlinePart[]): Uint8Array {
  const builder = new PackedOutlineBuilder();
  builder.traceId = TRACE;
  for (const part of parts) builder.addPart(part);
  const packed = builder.build();
  assert.ok(packed !== undefined);
  return encodePackedColumns(packed);
}

test('an outline part reads back as written, sorted or not, with times as numbers or as doubles', () => {
  const spans = largeTrace().slice(0, 400);
  const part = partOf(spans);
  const sorted = sortedOutlinePart(part);
  // Sorting changes the order only: the columns are the spans'.
  assert.deepEqual(columnsOf([sorted]), expectedColumns(spans));
  assert.deepEqual(columnsOf([decodeOutlinePart(encodeOutlinePart(sorted))]), expectedColumns(spans));
  // Unsorted (starts not ascending) and before 1970 (negative): the times are kept as doubles.
  const early = spans.map((span, i) => ({
    ...span,
    startTimeUnixNano: -BigInt(i) * 1_000_000n - 7n,
    endTimeUnixNano: -BigInt(i) * 1_000_000n + 5_000n,
  }));
  const earlyPart = partOf(early);
  assert.deepEqual(columnsOf([decodeOutlinePart(encodeOutlinePart(earlyPart))]), expectedColumns(early));
  // Two parts, one naming the other's spans as parents by id.
  const [first, second] = [spans.slice(0, 150), spans.slice(150)];
  assert.deepEqual(
    columnsOf([first, second].map((piece) => decodeOutlinePart(encodeOutlinePart(sortedOutlinePart(partOf(piece)))))),
    expectedColumns(spans),
  );
});

test('bytes that are not a whole outline part are refused with a RangeError', () => {
  const bytes = encodeOutlinePart(sortedOutlinePart(partOf(largeTrace().slice(0, 50))));
  assert.throws(() => decodeOutlinePart(bytes.subarray(0, bytes.length - 3)), RangeError);
  assert.throws(() => decodeOutlinePart(bytes.subarray(0, 40)), RangeError);
  const wrongMagic = Uint8Array.from(bytes);
  wrongMagic[0] = 0x42;
  assert.throws(() => decodeOutlinePart(wrongMagic), RangeError);
});
