import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { isAriadneError, makeSpan, type Span, StatusCode } from '@ariadne/protocol';
import { openEmbeddedStore } from '../../storage/embedded/embedded-store.js';
import { awkwardSpans } from './awkward-spans.fixture.js';
import type { SpanLookup } from './span-lookup.js';
import { hasTraceOutline, traceOutlineOf } from './trace-outline.js';
import { toTraceSkeleton } from './trace-skeleton.js';

const TRACE = '4bf92f3577b34da6a3ce929d0e0e4736';
const OTHER = '5cf92f3577b34da6a3ce929d0e0e4736';

/** Each span found by id is the span `getTrace` has, duplicates included. */
async function checkLookups(store: SpanLookup, traceId: string, stored: readonly Span[]): Promise<void> {
  const byStart = (a: Span, b: Span) => (a.startTimeUnixNano < b.startTimeUnixNano ? -1 : 1);
  for (const id of new Set(stored.map((span) => span.spanId))) {
    const found = await store.getSpansById(traceId, id);
    assert.deepEqual(found.sort(byStart), stored.filter((span) => span.spanId === id).sort(byStart), id);
  }
}

test("the embedded store's own outline and span lookups say what its spans say, over heads and blocks", async (t) => {
  const dir = mkdtempSync(join(tmpdir(), 'ariadne-outline-'));
  // Small heads: the trace ends up in several blocks and a head.
  const store = await openEmbeddedStore({ dataDir: dir, maxHeadSpans: 16, maxHeadAgeMs: 3_600_000 });
  t.after(async () => {
    await store.close();
    rmSync(dir, { recursive: true, force: true });
  });
  assert.ok(hasTraceOutline(store));
  // One trace with a span stored twice, one without: parents by id, and by a block's back references.
  const traces = [
    { traceId: TRACE, spans: awkwardSpans(TRACE, true) },
    { traceId: OTHER, spans: awkwardSpans(OTHER, false) },
  ];
  for (const { spans } of traces)
    for (let i = 0; i < spans.length; i += 7) await store.writeSpans(spans.slice(i, i + 7));
  const check = async (reader: typeof store) => {
    for (const { traceId, spans } of traces) {
      const stored = await reader.getTrace(traceId);
      const expected = toTraceSkeleton(traceOutlineOf(stored));
      assert.equal(expected.spanIds.length, spans.length);
      assert.equal(expected.duplicates.length, traceId === TRACE ? 1 : 0);
      assert.deepEqual(toTraceSkeleton(await reader.getTraceOutline(traceId)), expected);
      await checkLookups(reader, traceId, stored);
    }
  };
  await check(store);
  // Everything in blocks.
  await store.close();
  const reopened = await openEmbeddedStore({ dataDir: dir });
  await check(reopened);
  await assert.rejects(reopened.getTraceOutline('1234567890abcdef1234567890abcdef'), (e) =>
    isAriadneError(e, 'TraceNotFound'),
  );
  await assert.rejects(reopened.getTraceOutline('not a trace id'), (e) => isAriadneError(e, 'TraceNotFound'));
  await assert.rejects(reopened.getSpansById('1234567890abcdef1234567890abcdef', '0000000000000001'), (e) =>
    isAriadneError(e, 'TraceNotFound'),
  );
  assert.deepEqual(await reopened.getSpansById(TRACE, 'ffffffffffffffff'), []);
  await reopened.close();
});

test('outline rules: Jaeger microseconds, service names, the error rule and event names', () => {
  const outline = traceOutlineOf([
    makeSpan({
      traceId: TRACE,
      spanId: '00000000000000a1',
      service: 'api',
      name: 'GET /',
      startTimeUnixNano: 1_700_000_000_000_001_999n,
      endTimeUnixNano: 1_700_000_000_000_003_998n,
      status: { code: StatusCode.Error, message: '' },
      events: [
        { timeUnixNano: 1_700_000_000_000_002_500n, name: '', attributes: [], droppedAttributesCount: 0 },
        {
          timeUnixNano: 1_700_000_000_000_002_999n,
          name: 'retry',
          attributes: [{ key: 'event', value: { type: 'int', value: 3n } }],
          droppedAttributesCount: 0,
        },
      ],
    }),
  ]);
  assert.equal(outline.traceId, TRACE);
  assert.deepEqual(Array.from(outline.startMicros), [1_700_000_000_000_001]);
  assert.deepEqual(Array.from(outline.durationMicros), [1]);
  assert.equal(outline.strings[outline.services[0] as number], 'api');
  assert.equal(outline.strings[outline.names[0] as number], 'GET /');
  assert.deepEqual(outline.failed, [0]);
  assert.deepEqual(outline.events, [
    0,
    1_700_000_000_000_002,
    -1,
    0,
    1_700_000_000_000_002,
    outline.strings.indexOf('3'),
  ]);
});
