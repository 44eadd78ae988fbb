import assert from 'node:assert/strict';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { decodeZipkinV2Json, type JaegerSpan, makeSpan, type Span, SpanKind } from '@ariadne/protocol';
import type { Hono } from 'hono';
import { openEmbeddedStore } from '../storage/embedded/embedded-store.js';
import { openMemoryStore } from '../storage/memory/memory-store.js';
import type { SpanStore } from '../storage/span-store.js';
import { createJaegerQueryApi } from './jaeger/jaeger-query-api.js';
import { createJaegerV3Api } from './jaeger-v3/jaeger-v3-api.js';
import { readSpansOnce } from './read-spans-once.js';
import { readUniqueSpanIds } from './read-unique-span-ids.js';
import { createTempoApi } from './tempo/tempo-api.js';
import { storesUnderTest } from './testing/stores-under-test.js';
import { hasPackedOutline } from './trace-view/packed-outline.js';
import type { TraceSkeleton } from './trace-view/trace-skeleton.js';
import { createTraceViewApi } from './trace-view/trace-view-api.js';
import { ORIGINAL_SPAN_ID_ATTRIBUTE, uniqueSpanIds } from './unique-span-ids.js';
import { withOverrides } from './with-overrides.js';
import { createZipkinQueryApi } from './zipkin/zipkin-query-api.js';

// biome-ignore lint/suspicious/noExplicitAny: JSON answers are checked field by field below.
type Json = any;

const NOW_MS = 1_700_000_000_000;
const NOW = BigInt(NOW_MS) * 1_000_000n;
const T = (NOW_MS - 60_000) * 1000; // a minute ago, in microseconds
const TRACE = '463ac35c9f6413ad48485a3953bb6124';
const SHARED_ID = '00000000000000a1';
const CHILD_ID = '00000000000000b2';

/** The case, as Brave sends it: both halves of the call to cart carry the id a1. */
const SENT = [
  {
    traceId: TRACE,
    id: SHARED_ID,
    kind: 'CLIENT',
    name: 'get /cart',
    timestamp: T,
    duration: 9000,
    localEndpoint: { serviceName: 'shop' },
    remoteEndpoint: { serviceName: 'cart' },
  },
  {
    traceId: TRACE,
    id: SHARED_ID,
    kind: 'SERVER',
    name: 'get /cart',
    timestamp: T + 1000,
    duration: 7000,
    localEndpoint: { serviceName: 'cart' },
    shared: true,
  },
  {
    traceId: TRACE,
    parentId: SHARED_ID,
    id: CHILD_ID,
    name: 'select items',
    timestamp: T + 2000,
    duration: 3000,
    localEndpoint: { serviceName: 'cart' },
  },
];

/** The server half's id, as every API that needs unique ids must read it (the same on every store). */
const serverId = (
  uniqueSpanIds(decodeZipkinV2Json(JSON.stringify(SENT))).find((s) => s.kind === SpanKind.Server) as Span
).spanId;

for (const stores of storesUnderTest({ id: 'unique_span_ids' })) {
  describe(`shared span ids read back on the ${stores.name}`, () => {
    let store: SpanStore;
    let archive: SpanStore;
    let jaeger: Hono;
    const get = async (app: Hono, path: string): Promise<Json> => {
      const response = await app.request(path);
      const body = await response.text();
      assert.equal(response.status, 200, `${path}: ${body}`);
      return JSON.parse(body);
    };

    before(async () => {
      store = await stores.open();
      archive = openMemoryStore();
      // One span per write: on the embedded store they straddle block files and the head.
      for (const span of decodeZipkinV2Json(JSON.stringify(SENT))) await store.writeSpans([span]);
      jaeger = createJaegerQueryApi(store, { now: () => NOW, archive });
    });
    after(async () => {
      await archive.close();
      await stores.dispose();
    });

    test('Jaeger API: the server half has its own id, CHILD_OF the client half; the child is under it', async () => {
      const [trace] = (await get(jaeger, `/api/traces/${TRACE}`)).data as { spans: JaegerSpan[] }[];
      const spans = trace?.spans ?? [];
      assert.equal(spans.length, 3);
      assert.equal(new Set(spans.map((s) => s.spanID)).size, 3, 'every spanID once');
      const client = spans.find((s) => s.tags.some((t) => t.key === 'span.kind' && t.value === 'client'));
      const server = spans.find((s) => s.tags.some((t) => t.key === 'span.kind' && t.value === 'server'));
      const child = spans.find((s) => s.spanID === CHILD_ID);
      assert.ok(client && server && child);
      assert.equal(client.spanID, SHARED_ID);
      assert.deepEqual(client.references, []);
      assert.notEqual(server.spanID, SHARED_ID);
      assert.equal(server.spanID, serverId);
      assert.deepEqual(server.references, [{ refType: 'CHILD_OF', traceID: TRACE, spanID: SHARED_ID }]);
      assert.deepEqual(child.references, [{ refType: 'CHILD_OF', traceID: TRACE, spanID: server.spanID }]);
      // The original id stays visible.
      assert.ok(server.tags.some((t) => t.key === ORIGINAL_SPAN_ID_ATTRIBUTE && t.value === SHARED_ID));

      // Search answers read the same.
      const found = (await get(jaeger, '/api/traces?service=cart&lookback=1h')).data as { spans: JaegerSpan[] }[];
      assert.deepEqual(found[0]?.spans.map((s) => s.spanID).sort(), spans.map((s) => s.spanID).sort());
    });

    test('Jaeger archive: the trace is copied as stored, and reads back with unique ids', async () => {
      const response = await jaeger.request(`/api/archive/${TRACE}`, { method: 'POST' });
      assert.equal(response.status, 200, await response.text());
      const archived = await archive.getTrace(TRACE);
      assert.deepEqual(archived.map((s) => s.spanId).sort(), [SHARED_ID, SHARED_ID, CHILD_ID]);
      const fromArchive = createJaegerQueryApi(openMemoryStore(), { archive });
      const [trace] = (await get(fromArchive, `/api/traces/${TRACE}`)).data as { spans: JaegerSpan[] }[];
      assert.deepEqual(trace?.spans.map((s) => s.spanID).sort(), [SHARED_ID, CHILD_ID, serverId].sort());
    });

    test('Jaeger API v3 and Tempo: OTLP spans with unique ids and the nesting', async () => {
      const otlpSpans = (resourceSpans: Json[]) =>
        resourceSpans.flatMap((r: Json) => r.scopeSpans.flatMap((s: Json) => s.spans));
      const v3 = otlpSpans((await get(createJaegerV3Api(store), `/api/v3/traces/${TRACE}`)).result.resourceSpans);
      const tempoApi = createTempoApi(store, { now: () => NOW });
      const tempo = otlpSpans((await get(tempoApi, `/api/v2/traces/${TRACE}`)).trace.resourceSpans);
      for (const spans of [v3, tempo]) {
        const parents = Object.fromEntries(spans.map((s: Json) => [s.spanId, s.parentSpanId ?? '']));
        assert.deepEqual(parents, { [SHARED_ID]: '', [serverId]: SHARED_ID, [CHILD_ID]: serverId });
      }
      // TraceQL's structure follows the same ids: cart's server span is a child of shop's client span.
      const q = encodeURIComponent('{ resource.service.name = "shop" } > { resource.service.name = "cart" }');
      const start = NOW_MS / 1000 - 3600;
      const search = await get(tempoApi, `/api/search?q=${q}&start=${start}&end=${NOW_MS / 1000}`);
      assert.deepEqual(
        search.traces[0]?.spanSets[0]?.spans.map((s: Json) => s.spanID),
        [serverId],
      );
    });

    test('the trace view: the skeleton nests by unique ids, and span details find both halves', async () => {
      const view = createTraceViewApi(store);
      const skeleton = (await get(view, `/api/trace-view/${TRACE}`)).data as TraceSkeleton;
      assert.deepEqual([...skeleton.spanIds].sort(), [SHARED_ID, CHILD_ID, serverId].sort());
      assert.deepEqual(skeleton.duplicates, []);
      const at = (id: string) => skeleton.spanIds.indexOf(id);
      assert.equal(skeleton.parents[at(SHARED_ID)], -1);
      assert.equal(skeleton.parents[at(serverId)], at(SHARED_ID));
      assert.equal(skeleton.parents[at(CHILD_ID)], at(serverId));

      const details = async (spanId: string): Promise<JaegerSpan> => {
        const [trace] = (await get(view, `/api/trace-view/${TRACE}/spans/${spanId}`)).data as { spans: JaegerSpan[] }[];
        assert.equal(trace?.spans.length, 1, spanId);
        return trace?.spans[0] as JaegerSpan;
      };
      const server = await details(serverId);
      assert.ok(server.tags.some((t) => t.key === 'span.kind' && t.value === 'server'));
      assert.deepEqual(server.references, [{ refType: 'CHILD_OF', traceID: TRACE, spanID: SHARED_ID }]);
      const client = await details(SHARED_ID);
      assert.ok(client.tags.some((t) => t.key === 'span.kind' && t.value === 'client'));
      assert.deepEqual((await details(CHILD_ID)).references[0]?.spanID, serverId);

      // "Find in trace" names the ids the skeleton has.
      const search = (await get(view, `/api/trace-view/${TRACE}/search?q=cart`)).data as { spanIds: string[] };
      assert.ok(search.spanIds.includes(serverId), JSON.stringify(search.spanIds));
    });

    test('Zipkin API: the trace reads back as it was sent, shared ids and all', async () => {
      const zipkin = createZipkinQueryApi(store, { now: () => NOW });
      const spans = (await get(zipkin, `/api/v2/trace/${TRACE}`)) as { timestamp: number }[];
      assert.deepEqual(
        [...spans].sort((a, b) => a.timestamp - b.timestamp),
        SENT.map((s) => ({ ...s, traceId: TRACE })),
      );
    });
  });
}

describe('readUniqueSpanIds', () => {
  test('a reader is wrapped once, and its other methods are its own', async () => {
    const store = openMemoryStore();
    await store.writeSpans(decodeZipkinV2Json(JSON.stringify(SENT)) as Span[]);
    const once = readSpansOnce(store);
    const reader = readUniqueSpanIds(once);
    assert.equal(readUniqueSpanIds(reader), reader);
    assert.deepEqual(await reader.getServices(), ['cart', 'shop']);
    assert.equal(new Set((await reader.getTrace(TRACE)).map((s) => s.spanId)).size, 3);
    assert.equal((await once.getTrace(TRACE)).filter((s) => s.spanId === SHARED_ID).length, 2, 'as stored');
    await store.close();
  });

  test('a packed outline (every id once) tells span lookups that the trace keeps its ids', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'ariadne-unique-packed-'));
    const store = await openEmbeddedStore({ dataDir: dir });
    try {
      await store.writeSpans(decodeZipkinV2Json(JSON.stringify(SENT)) as Span[]);
      const unique = '563ac35c9f6413ad48485a3953bb6124';
      await store.writeSpans([makeSpan({ traceId: unique, spanId: '00000000000000c3' })]);
      // The store as it is, counting the outlines read through it.
      let outlines = 0;
      const counted = withOverrides(
        store,
        new Map([
          [
            'getTraceOutline',
            (traceId: string) => {
              outlines++;
              return store.getTraceOutline(traceId);
            },
          ],
        ]),
      );
      const reader = readUniqueSpanIds(readSpansOnce(counted));
      assert.ok(hasPackedOutline(reader));
      assert.ok((await reader.getPackedTraceOutline(unique)) !== undefined);
      assert.equal((await reader.getSpansById(unique, '00000000000000c3')).length, 1);
      assert.equal(outlines, 0, 'no outline read to learn the ids are unique');
      // Shared ids: not packed; the outline says how they are made unique.
      assert.equal(await reader.getPackedTraceOutline(TRACE), undefined);
      assert.equal((await reader.getSpansById(TRACE, serverId)).length, 1);
      assert.equal(outlines, 1);
    } finally {
      await store.close();
      await rm(dir, { recursive: true, force: true });
    }
  });
});
