// The trace skeleton's byte form, end to end: what the server's trace view
// API writes at `/api/trace-view/{id}/columns` (`trace-columns.ts`) is read
// by the web UI (`read-trace-columns.ts`) into the same light trace as the
// JSON skeleton gives; a large trace's answer is kept while the trace is
// unchanged, and rebuilt once a span of it arrives.
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { makeSpan, type Span, StatusCode } from '@ariadne/protocol';
import { createTraceViewApi } from '../packages/server/src/query/trace-view/trace-view-api.js';
import { openStore } from '../packages/server/src/storage/open-store.js';
import { readTraceSkeleton, type SkeletonTrace } from '../packages/ui/src/api/read-skeleton.js';
import { readTraceColumns } from '../packages/ui/src/api/read-trace-columns.js';

const TRACE = '4bf92f3577b34da6a3ce929d0e0e4736';
const START = 1_700_000_000_000_000_000n;

/** `count` spans: a chain of ten levels repeated, some failed, some with events, one orphan. */
function spans(count: number, traceId = TRACE): Span[] {
  const out: Span[] = [];
  for (let i = 0; i < count; i++) {
    const parent =
      i === 0 ? '' : i === count - 1 ? 'ffffffffffffffff' : (i % 10 === 0 ? 0 : i - 1).toString(16).padStart(16, '0');
    out.push(
      makeSpan({
        traceId,
        spanId: i.toString(16).padStart(16, '0'),
        parentSpanId: parent,
        service: `service-${i % 3}`,
        name: `op-${i % 7}`,
        startTimeUnixNano: START + BigInt(i) * 1_000n,
        endTimeUnixNano: START + BigInt(i) * 1_000n + 5_000_000n,
        ...(i % 13 === 0 ? { status: { code: StatusCode.Error, message: 'failed' } } : {}),
        ...(i % 17 === 0
          ? {
              events: [
                {
                  timeUnixNano: START + BigInt(i) * 1_000n + 10n,
                  name: 'retry',
                  attributes: [],
                  droppedAttributesCount: 0,
                },
              ],
            }
          : {}),
      }),
    );
  }
  return out;
}

/** The same spans, and the same structure as the server said it (the column types may differ: bytes are typed). */
function assertSameSkeleton(actual: SkeletonTrace, expected: SkeletonTrace): void {
  assert.deepEqual(actual.trace, expected.trace);
  const structure = ({ columns: c }: SkeletonTrace) => ({
    parents: [...c.parents],
    duplicate: [...c.duplicate],
    failed: [...c.failed],
    starts: [...c.starts],
    durations: Array.from(c.durations),
    ids: Array.from({ length: c.count }, (_, i) => c.spanIdAt(i)),
  });
  assert.deepEqual(structure(actual), structure(expected));
}

test('the byte form reads as the same trace and shape as the JSON skeleton, and a large one is kept until it changes', async (t) => {
  const dir = mkdtempSync(join(tmpdir(), 'ariadne-trace-columns-'));
  const store = await openStore({ storage: 'embedded', dataDir: dir });
  t.after(async () => {
    await store.close();
    rmSync(dir, { recursive: true, force: true });
  });
  const app = createTraceViewApi(store);
  const all = spans(12_000);
  await store.writeSpans(all);

  const fromJson = readTraceSkeleton(
    (JSON.parse(await (await app.request(`/api/trace-view/${TRACE}`)).text()) as { data: unknown }).data,
  );
  const first = await app.request(`/api/trace-view/${TRACE}/columns`);
  assert.equal(first.status, 200);
  assert.equal(first.headers.get('content-type'), 'application/vnd.ariadne.trace-columns');
  assert.match(first.headers.get('server-timing') ?? '', /^read;dur=[\d.]+, skeleton;dur=[\d.]+, encode;dur=[\d.]+$/);
  const fromBytes = readTraceColumns(await first.arrayBuffer());
  assert.equal(fromBytes.trace.spans.length, 12_000);
  assertSameSkeleton(fromBytes, fromJson);
  assert.equal(fromBytes.trace.spans.filter((s) => s.logs.length > 0).length, Math.ceil(12_000 / 17));
  assert.equal(fromBytes.columns.parents.filter((p) => p === -2).length, 1);

  // Unchanged: the kept answer, the same bytes.
  const again = await app.request(`/api/trace-view/${TRACE}/columns`);
  assert.match(again.headers.get('server-timing') ?? '', /cached/);
  assertSameSkeleton(readTraceColumns(await again.arrayBuffer()), fromJson);

  // One more span: read again, and it is there.
  await store.writeSpans(
    spans(12_001)
      .slice(12_000)
      .map((s) => ({ ...s, spanId: 'aaaaaaaaaaaaaaaa' })),
  );
  const grown = await app.request(`/api/trace-view/${TRACE}/columns`);
  assert.doesNotMatch(grown.headers.get('server-timing') ?? '', /cached/);
  const trace = readTraceColumns(await grown.arrayBuffer()).trace;
  assert.equal(trace.spans.length, 12_001);
  assert.ok(trace.spans.some((s) => s.spanID === 'aaaaaaaaaaaaaaaa'));
});

test('a trace whose span ids are not 16 characters is a 400 on the byte form, and served as JSON', async (t) => {
  const dir = mkdtempSync(join(tmpdir(), 'ariadne-trace-columns-'));
  const store = await openStore({ storage: 'embedded', dataDir: dir });
  t.after(async () => {
    await store.close();
    rmSync(dir, { recursive: true, force: true });
  });
  const app = createTraceViewApi(store);
  await store.writeSpans([
    makeSpan({ traceId: TRACE, spanId: 'abc', service: 'web', name: 'GET /', startTimeUnixNano: START }),
  ]);
  const columns = await app.request(`/api/trace-view/${TRACE}/columns`);
  assert.equal(columns.status, 400);
  assert.match(await columns.text(), /not 16 characters/);
  assert.equal((await app.request(`/api/trace-view/${TRACE}`)).status, 200);
  assert.equal((await app.request('/api/trace-view/4bf92f3577b34da6a3ce929d0e0e4799/columns')).status, 404);
});

test('bytes that are not trace columns, or cut short, are refused with a clear error', () => {
  assert.throws(() => readTraceColumns(new TextEncoder().encode('{"data":1}').buffer), /not trace columns/);
  const header = new TextEncoder().encode(
    JSON.stringify({
      traceID: TRACE,
      startTime: 0,
      strings: [],
      missingParents: [],
      spanCount: 1,
      columns: [{ name: 'spanIds', type: 'u8', length: 16 }],
    }),
  );
  const bytes = new Uint8Array(8 + header.length);
  bytes.set(new TextEncoder().encode('ATC1'));
  new DataView(bytes.buffer).setUint32(4, header.length, true);
  bytes.set(header, 8);
  assert.throws(() => readTraceColumns(bytes.buffer), /columns are not listed/);
});
