import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { describe, it, test } from 'node:test';
import { decodeOtlpTraceRequestJson, intValue, type Span } from '@ariadne/protocol';
import { openMemoryStore } from '../storage/memory/memory-store.js';
import { testSpan } from '../storage/query/test-spans.js';
import { hasDependencies, hasRedMetrics, type SpanReader, type SpanStore } from '../storage/span-store.js';
import { createJaegerQueryApi } from './jaeger/jaeger-query-api.js';
import { createJaegerV3Api } from './jaeger-v3/jaeger-v3-api.js';
import { readSpansOnce } from './read-spans-once.js';
import { createTempoApi } from './tempo/tempo-api.js';
import { hasSpanLookup, type SpanLookup } from './trace-view/span-lookup.js';
import {
  hasTraceOutline,
  type TraceOutline,
  type TraceOutlineReader,
  traceOutlineOf,
} from './trace-view/trace-outline.js';
import { createTraceViewApi } from './trace-view/trace-view-api.js';
import { createZipkinQueryApi } from './zipkin/zipkin-query-api.js';

const TRACE = '0000000000000000000000000000abcd';
const root = testSpan({ traceId: TRACE, spanId: '00000000000000a1' });
const child = testSpan({ traceId: TRACE, spanId: '00000000000000b2', parentSpanId: root.spanId, service: 'payment' });
/** Shares the child's id, differs in content: kept. */
const changed = { ...child, attributes: [{ key: 'attempt', value: intValue(2) }] };

/** A copy equal in content, as a store decodes it again: a different object. */
const copy = (span: Span): Span => ({ ...span, attributes: [...span.attributes] });

/**
 * A store that keeps every copy it was sent, as stores may, and reads them all back: each span
 * three times, with an outline (one object per trace while it is unchanged) and span lookups.
 */
function keepingCopies(store: SpanStore): SpanStore & SpanLookup & TraceOutlineReader & { traceReads: number } {
  const outlines = new Map<string, TraceOutline>();
  const tripled = async (traceId: string) => {
    const spans = await store.getTrace(traceId);
    return [...spans, ...spans.map(copy), ...spans.map(copy)];
  };
  const reader = {
    traceReads: 0,
    writeSpans: (spans: readonly Span[]) => store.writeSpans(spans),
    getTrace: async (traceId: string) => {
      reader.traceReads++;
      return tripled(traceId);
    },
    findTraces: store.findTraces.bind(store),
    getServices: store.getServices.bind(store),
    getOperations: store.getOperations.bind(store),
    close: store.close.bind(store),
    getSpansById: async (traceId: string, spanId: string) =>
      (await tripled(traceId)).filter((span) => span.spanId === spanId),
    getTraceOutline: async (traceId: string) => {
      let outline = outlines.get(traceId);
      if (outline === undefined) {
        outline = traceOutlineOf(await tripled(traceId));
        outlines.set(traceId, outline);
      }
      return outline;
    },
  };
  return reader;
}

describe('readSpansOnce', () => {
  it('reads a trace, and spans by id, once however often the store holds them', async () => {
    const store = openMemoryStore();
    await store.writeSpans([root, child, changed]);
    const reader = readSpansOnce(keepingCopies(store));
    assert.deepEqual(await reader.getTrace(TRACE), [root, child, changed]);
    assert.deepEqual(await reader.getSpansById(TRACE, child.spanId), [child, changed]);
  });

  it('outlines a trace with copies from its spans kept once, checking each outline the store hands out once', async () => {
    const store = openMemoryStore();
    await store.writeSpans([root, child, changed]);
    const copying = keepingCopies(store);
    const reader = readSpansOnce(copying);
    const outline = await reader.getTraceOutline(TRACE);
    assert.deepEqual(outline.spanIds, [root.spanId, child.spanId, child.spanId]);
    const reads = copying.traceReads;
    assert.equal(await reader.getTraceOutline(TRACE), outline);
    assert.equal(copying.traceReads, reads);
  });

  it("hands out the store's own outline when no id repeats", async () => {
    const store = openMemoryStore();
    await store.writeSpans([root, child]);
    const outline = traceOutlineOf([root, child]);
    let traceReads = 0;
    const reader = readSpansOnce({
      ...store,
      getTrace: (traceId: string) => {
        traceReads++;
        return store.getTrace(traceId);
      },
      getTraceOutline: async (_traceId: string) => outline,
    });
    assert.equal(await reader.getTraceOutline(TRACE), outline);
    assert.equal(traceReads, 0);
  });

  it("keeps the reader's capabilities, and only those, calling them on the store itself", async () => {
    const memory = readSpansOnce(openMemoryStore());
    assert.ok(hasDependencies(memory) && hasRedMetrics(memory));
    assert.ok(!hasSpanLookup(memory) && !hasTraceOutline(memory));
    // A class with private fields refuses any `this` but its own instance.
    class PrivateStore {
      readonly #services = ['checkout'];
      async getServices() {
        return this.#services;
      }
    }
    const wrapped = readSpansOnce(new PrivateStore() as unknown as SpanReader);
    assert.deepEqual(await wrapped.getServices(), ['checkout']);
    assert.equal(readSpansOnce(wrapped), wrapped);
  });
});

test('every query API shows each span once when the store (or the archive) keeps copies', async () => {
  const text = readFileSync(new URL('../storage/conformance/fixtures/shop.json', import.meta.url), 'utf8');
  const spans = decodeOtlpTraceRequestJson(text).spans;
  const traceIds = [...new Set(spans.map((span) => span.traceId))];
  const countOf = (traceId: string) => spans.filter((span) => span.traceId === traceId).length;
  const memory = openMemoryStore();
  await memory.writeSpans(spans);
  const store = keepingCopies(memory);
  const now = () => 1_700_000_010_000_000_000n;
  const json = async (app: { request: (path: string) => Response | Promise<Response> }, path: string) => {
    const response = await app.request(path);
    assert.equal(response.status, 200, `${path}: ${await response.clone().text()}`);
    return (await response.json()) as Record<string, unknown>;
  };
  type Otlp = { resourceSpans: { scopeSpans: { spans: unknown[] }[] }[] };
  const otlpCount = (data: Otlp) => data.resourceSpans.flatMap((r) => r.scopeSpans.flatMap((s) => s.spans)).length;

  const jaeger = createJaegerQueryApi(store, { now });
  const v3 = createJaegerV3Api(store);
  const tempo = createTempoApi(store, { now });
  const zipkin = createZipkinQueryApi(store, { now });
  const view = createTraceViewApi(store);
  for (const traceId of traceIds) {
    const expected = countOf(traceId);
    const byId = (await json(jaeger, `/api/traces/${traceId}`)).data as { spans: unknown[] }[];
    assert.equal(byId[0]?.spans.length, expected, `jaeger ${traceId}`);
    assert.equal(otlpCount((await json(v3, `/api/v3/traces/${traceId}`)).result as Otlp), expected, `v3 ${traceId}`);
    assert.equal(otlpCount({ resourceSpans: (await json(tempo, `/api/traces/${traceId}`)).batches } as Otlp), expected);
    assert.equal(otlpCount((await json(tempo, `/api/v2/traces/${traceId}`)).trace as Otlp), expected);
    assert.equal(((await json(zipkin, `/api/v2/trace/${traceId}`)) as unknown as unknown[]).length, expected);
    const skeleton = (await json(view, `/api/trace-view/${traceId}`)).data as { spanIds: string[]; duplicates: [] };
    assert.equal(skeleton.spanIds.length, expected, `trace view ${traceId}`);
    assert.deepEqual(skeleton.duplicates, []);
  }
  const search = (await json(jaeger, '/api/traces?service=frontend&lookback=1h&limit=20')).data as {
    traceID: string;
    spans: unknown[];
  }[];
  assert.equal(search.length, 3);
  for (const trace of search) assert.equal(trace.spans.length, countOf(trace.traceID.padStart(32, '0')));
  const traceql = (await json(jaeger, '/api/traces?q=%7B%7D&lookback=1h&limit=20')).data as { spans: unknown[] }[];
  assert.equal(traceql.flatMap((trace) => trace.spans).length, spans.length);
  const zipkinSearch = (await json(
    zipkin,
    '/api/v2/traces?endTs=1700000010000&lookback=3600000',
  )) as unknown as unknown[][];
  assert.equal(zipkinSearch.flat().length, spans.length);
  const v3Search = (await json(
    v3,
    '/api/v3/traces?query.start_time_min=2023-11-14T22:00:00Z&query.start_time_max=2023-11-14T23:00:00Z',
  )) as { result: Otlp };
  assert.equal(otlpCount(v3Search.result), spans.length);

  // The archive, read when the main store lost the trace.
  const empty = openMemoryStore();
  const fromArchive = createJaegerQueryApi(empty, { now, archive: store });
  const archived = (await json(fromArchive, `/api/traces/${traceIds[0]}`)).data as { spans: unknown[] }[];
  assert.equal(archived[0]?.spans.length, countOf(traceIds[0]!));
  const viewOfArchive = createTraceViewApi(empty, store);
  const details = (await json(viewOfArchive, `/api/trace-view/${traceIds[0]}/spans/${spans[0]!.spanId}`)).data as {
    spans: unknown[];
  }[];
  assert.equal(details[0]?.spans.length, 1);
});
