// Clients retry: the same batch posted again must cost nothing and show once,
// from every API. Within the store's window of recent spans a copy is not
// written at all; a copy from further back is stored, and reads skip it.
import assert from 'node:assert/strict';
import { cp, mkdtemp, readdir, rm, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, test } from 'node:test';
import { type Span, SpanKind, StatusCode } from '@ariadne/protocol';
import { traceOutlineOf } from '../../query/trace-view/trace-outline.js';
import { openMemoryStore } from '../memory/memory-store.js';
import { testSpan } from '../query/test-spans.js';
import type { RedMetricsQuery, TimeRange } from '../span-store.js';
import { type EmbeddedStore, openEmbeddedStore } from './embedded-store.js';

const TRACE = 'f0f0f0f0e1e1e1e1d2d2d2d2c3c3c3c3';
const BASE = 1_700_000_000_000_000_000n;
const RANGE: TimeRange = { startNanos: BASE - 1n, endNanos: BASE + 3_600_000_000_000n };

/** One trace across three services, a client call that failed among them. */
function batch(): Span[] {
  const at = (n: number) => BASE + BigInt(n) * 1_000_000n;
  const span = (n: number, parent: number, service: string, kind: SpanKind, error = false) =>
    testSpan({
      traceId: TRACE,
      spanId: n.toString(16).padStart(16, '0'),
      parentSpanId: parent === 0 ? '' : parent.toString(16).padStart(16, '0'),
      service,
      kind,
      name: `${service}-${n}`,
      startTimeUnixNano: at(n),
      endTimeUnixNano: at(n) + 50_000_000n,
      attributes: [{ key: 'attempt', value: { type: 'string', value: 'first' } }],
      events: [{ timeUnixNano: at(n) + 1n, name: 'sent', attributes: [], droppedAttributesCount: 0 }],
      status: { code: error ? StatusCode.Error : StatusCode.Unset, message: '' },
    });
  return [
    span(1, 0, 'web', SpanKind.Server),
    span(2, 1, 'web', SpanKind.Client),
    span(3, 2, 'cart', SpanKind.Server),
    span(4, 3, 'cart', SpanKind.Client, true),
    span(5, 4, 'db', SpanKind.Server, true),
  ];
}

/** What a retrying client sends: equal spans in new objects (a receiver decodes each request anew). */
const again = (spans: Span[]): Span[] => structuredClone(spans);

const red: RedMetricsQuery = {
  services: ['web', 'cart', 'db'],
  groupByOperation: true,
  spanKinds: [],
  timeRange: RANGE,
  stepNanos: 3_600_000_000_000n,
  quantiles: [0.5],
};

/** Every read API answers as for the batch written once. */
async function assertOnce(store: EmbeddedStore, label: string): Promise<void> {
  const spans = batch();
  const memory = openMemoryStore();
  await memory.writeSpans(spans);
  const byId = (list: Span[]) => [...list].sort((a, b) => a.spanId.localeCompare(b.spanId));
  assert.deepStrictEqual(byId(await store.getTrace(TRACE)), spans, `${label}: getTrace`);
  const [summary] = await store.findTraces({ service: 'cart', timeRange: RANGE, limit: 10 });
  assert.deepStrictEqual(summary, (await memory.findTraces({ service: 'cart', timeRange: RANGE, limit: 10 }))[0]);
  assert.equal(summary?.spanCount, 5, `${label}: findTraces span count`);
  assert.deepStrictEqual(await store.getSpansById(TRACE, spans[2]!.spanId), [spans[2]], `${label}: getSpansById`);
  const outline = await store.getTraceOutline(TRACE);
  assert.deepStrictEqual([...outline.spanIds].sort(), traceOutlineOf(spans).spanIds, `${label}: getTraceOutline`);
  assert.deepStrictEqual(await store.getRedMetrics(red), await memory.getRedMetrics(red), `${label}: getRedMetrics`);
  assert.deepStrictEqual(
    await store.getDependencies(RANGE),
    await memory.getDependencies(RANGE),
    `${label}: getDependencies`,
  );
  await memory.close();
}

const dirs: string[] = [];
after(() => Promise.all(dirs.map((dir) => rm(dir, { recursive: true, force: true }))));
const freshDir = async () => {
  const dir = await mkdtemp(join(tmpdir(), 'ariadne-retries-'));
  dirs.push(dir);
  return dir;
};
const walBytes = async (dataDir: string) => {
  let bytes = 0;
  for (const name of await readdir(join(dataDir, 'wal'))) bytes += (await stat(join(dataDir, 'wal', name))).size;
  return bytes;
};

test('a batch posted ten times reads back once from every API, and its copies add no WAL bytes', async () => {
  const dataDir = await freshDir();
  let store = await openEmbeddedStore({ dataDir, maxHeadAgeMs: 3_600_000 });
  await store.writeSpans(batch());
  const once = await walBytes(dataDir);
  // Nine more: some one after the other, some while the first copy's fsync may still run.
  for (let i = 0; i < 4; i++) await store.writeSpans(again(batch()));
  await Promise.all(Array.from({ length: 5 }, () => store.writeSpans(again(batch()))));
  assert.equal(await walBytes(dataDir), once, 'copies are not written again');
  await assertOnce(store, 'in the head');
  // A copy within one batch is kept once too.
  await store.writeSpans([...again(batch()), ...again(batch())]);
  await assertOnce(store, 'a batch holding itself twice');
  // After a clean close the blocks hold the spans, and the window survives: copies are still caught.
  await store.close();
  store = await openEmbeddedStore({ dataDir, maxHeadAgeMs: 3_600_000 });
  const reopened = await walBytes(dataDir);
  await store.writeSpans(again(batch()));
  assert.equal(await walBytes(dataDir), reopened, 'a copy after a clean restart is not written');
  await assertOnce(store, 'in a block, sent again after a restart');
  await store.close();
});

test('after a crash, copies of the spans the WAL brings back are caught', async () => {
  const dataDir = await freshDir();
  const first = await openEmbeddedStore({ dataDir, maxHeadAgeMs: 3_600_000 });
  await first.writeSpans(batch());
  // What the disk holds if the process died now: a copy of the folder, opened while the first still runs.
  const image = await freshDir();
  await cp(dataDir, image, { recursive: true });
  const second = await openEmbeddedStore({ dataDir: image, maxHeadAgeMs: 3_600_000 });
  const replayed = await walBytes(image);
  await second.writeSpans(again(batch()));
  assert.equal(await walBytes(image), replayed, 'a copy of a replayed span is not written');
  await assertOnce(second, 'after a crash');
  await Promise.all([first.close(), second.close()]);
});

test('a copy resolves only after the write of the first copy did', async () => {
  const store = await openEmbeddedStore({ dataDir: await freshDir(), maxHeadAgeMs: 3_600_000 });
  const order: string[] = [];
  const first = store.writeSpans(batch()).then(() => order.push('first'));
  const copy = store.writeSpans(again(batch())).then(() => order.push('copy'));
  await Promise.all([first, copy]);
  assert.deepStrictEqual(order, ['first', 'copy']);
  await assertOnce(store, 'both acknowledged');
  await store.close();
});

test('a copy from outside the window of recent spans is stored, and still reads back once', async () => {
  const dataDir = await freshDir();
  // A window of 10 spans and small heads: the copies land in different blocks and the head.
  const settings = { maxHeadSpans: 7, maxHeadAgeMs: 3_600_000, recentSpans: 10 };
  let store = await openEmbeddedStore({ dataDir, ...settings });
  const others = (round: number) =>
    Array.from({ length: 12 }, (_, n) =>
      testSpan({
        traceId: `${round + 1}`.padStart(32, 'b'),
        spanId: (n + 1).toString(16).padStart(16, '0'),
        service: 'other',
        startTimeUnixNano: BASE + BigInt(n),
      }),
    );
  await store.writeSpans(batch());
  const once = await walBytes(dataDir);
  for (let round = 0; round < 3; round++) {
    await store.writeSpans(others(round));
    await store.writeSpans(again(batch()));
  }
  assert.ok((await walBytes(dataDir)) > once, 'the copies were written: the window had passed');
  const stored = await store.getTrace(TRACE);
  assert.equal(stored.length, 5, 'getTrace');
  const [summary] = await store.findTraces({ service: 'cart', timeRange: RANGE, limit: 10 });
  assert.equal(summary?.spanCount, 5, 'findTraces span count');
  assert.deepStrictEqual(await store.getSpansById(TRACE, batch()[2]!.spanId), [batch()[2]], 'getSpansById');
  assert.equal((await store.getTraceOutline(TRACE)).spanIds.length, 5, 'getTraceOutline');
  await store.close();

  // One block holding all the copies: its summary columns count each span once.
  const single = await freshDir();
  store = await openEmbeddedStore({ dataDir: single, maxHeadAgeMs: 3_600_000, recentSpans: 10 });
  for (let round = 0; round < 3; round++) {
    await store.writeSpans(again(batch()));
    await store.writeSpans(others(round));
  }
  await store.close();
  store = await openEmbeddedStore({ dataDir: single, maxHeadAgeMs: 3_600_000 });
  const [fromBlock] = await store.findTraces({ service: 'cart', timeRange: RANGE, limit: 10 });
  assert.equal(fromBlock?.spanCount, 5, 'findTraces span count from one block');
  assert.equal((await store.getTrace(TRACE)).length, 5);
  await store.close();
});
