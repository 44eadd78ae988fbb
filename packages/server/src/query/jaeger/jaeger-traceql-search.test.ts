import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { after, before, describe, test } from 'node:test';
import { decodeOtlpTraceRequestJson, type Span } from '@ariadne/protocol';
import type { Hono } from 'hono';
import type { SpanStore } from '../../storage/span-store.js';
import { storesUnderTest } from '../testing/stores-under-test.js';
import { createJaegerQueryApi } from './jaeger-query-api.js';

// `GET /api/traces?q=<TraceQL>` over the TraceQL fixtures: traces A (checkout, +0 s, 7 spans),
// B (search, +10 s, 5), C (no root, +20 s, 2), D (health, +30 s, 1), E (orders, +40 s, 6), after 1700000000 s.
const fixtures = decodeOtlpTraceRequestJson(
  readFileSync(new URL('../traceql/traceql-fixtures.json', import.meta.url)),
).spans;
const A = 'aaaaaaaaaaaaaaaaaaaaaaaaaaaaaa01';
const B = 'bbbbbbbbbbbbbbbbbbbbbbbbbbbbbb02';
const C = 'cccccccccccccccccccccccccccccc03';
const D = 'dddddddddddddddddddddddddddddd04';
const E = 'eeeeeeeeeeeeeeeeeeeeeeeeeeeeee05';
const SECOND_MICROS = 1_000_000;
const T0_MICROS = 1_700_000_000 * SECOND_MICROS;
/** Start and end in microseconds, as Jaeger UI sends them. */
const RANGE = `start=${T0_MICROS}&end=${T0_MICROS + 59 * SECOND_MICROS}`;
const NOW = 1_700_000_060_000_000_000n;

interface Envelope {
  data: { traceID: string; spans: { spanID: string }[]; processes: Record<string, { serviceName: string }> }[] | null;
  total: number;
  limit: number;
  offset: number;
  errors: { code: number; msg: string }[] | null;
}

const byTrace = new Map<string, Span[]>();
for (const span of fixtures) byTrace.set(span.traceId, [...(byTrace.get(span.traceId) ?? []), span]);

for (const stores of storesUnderTest({ id: 'jaeger_traceql_search', maxHeadSpans: 4 })) {
  describe(`Jaeger search with TraceQL on the ${stores.name}`, () => {
    let store: SpanStore;
    let api: Hono;
    before(async () => {
      store = await stores.open();
      // One batch per trace, newest first: unlike their start order.
      for (const spans of [...byTrace.values()].reverse()) await store.writeSpans(spans);
      api = createJaegerQueryApi(store, { now: () => NOW });
    });
    after(() => stores.dispose());

    async function get(query: string, status = 200): Promise<Envelope> {
      const response = await api.request(`/api/traces?${query}`);
      const text = await response.text();
      assert.equal(response.status, status, `${query}: ${text}`);
      assert.equal(response.headers.get('content-type'), 'application/json');
      return JSON.parse(text) as Envelope;
    }
    const q = (traceQL: string) => `q=${encodeURIComponent(traceQL)}`;
    const ids = async (query: string) => {
      const body = await get(query);
      assert.equal(body.errors, null);
      assert.equal(body.total, body.data?.length);
      return body.data?.map((trace) => trace.traceID);
    };

    test('matching traces come whole, most recent first, in the envelope', async () => {
      const body = await get(`${q('{ status = error }')}&${RANGE}`);
      assert.equal(body.errors, null);
      assert.deepEqual([body.total, body.limit, body.offset], [3, 0, 0]);
      assert.deepEqual(
        body.data?.map((trace) => trace.traceID),
        [E, C, A],
      );
      // Every stored span of the trace, not only those the query matched.
      for (const trace of body.data ?? []) {
        const want = (byTrace.get(trace.traceID) ?? []).map((span) => span.spanId).sort();
        assert.deepEqual(trace.spans.map((span) => span.spanID).sort(), want, trace.traceID);
      }
      const a = body.data?.find((trace) => trace.traceID === A);
      assert.deepEqual([...new Set(Object.values(a?.processes ?? {}).map((process) => process.serviceName))].sort(), [
        'cart',
        'frontend',
        'payment',
      ]);
    });

    test('structure, pipelines and intrinsics of TraceQL select traces', async () => {
      assert.deepEqual(await ids(`${q('{ name = "GET /orders" } >> { status = error }')}&${RANGE}`), [E]);
      assert.deepEqual(await ids(`${q('{ kind = server } > { kind = client }')}&${RANGE}`), [B, A]);
      assert.deepEqual(await ids(`${q('{ kind = producer } || { kind = consumer }')}&${RANGE}`), [C, B]);
      assert.deepEqual(await ids(`${q('{ trace:duration > 1s }')}&${RANGE}`), [B]);
      assert.deepEqual(await ids(`${q('({ kind = server } | count() > 2) || { kind = producer }')}&${RANGE}`), [B, A]);
      assert.deepEqual(await ids(`${q('{ resource.service.name = "nothing" }')}&${RANGE}`), []);
    });

    test('start, end, lookback and limit bound the search as for any Jaeger search', async () => {
      assert.deepEqual(await ids(`${q('{ }')}&${RANGE}`), [E, D, C, B, A]);
      assert.deepEqual(await ids(`${q('{ }')}&${RANGE}&limit=2`), [E, D]);
      assert.deepEqual(
        await ids(`${q('{ }')}&start=${T0_MICROS + 5 * SECOND_MICROS}&end=${T0_MICROS + 25 * SECOND_MICROS}`),
        [C, B],
      );
      // Lookback counts back from now (1700000060 s): 25 s reaches E, started at +40 s.
      assert.deepEqual(await ids(`${q('{ }')}&lookback=25s`), [E]);
      // Jaeger UI sends lookback=custom beside explicit bounds; no bounds: the last two days.
      assert.deepEqual(await ids(`${q('{ status = error }')}&lookback=custom&${RANGE}`), [E, C, A]);
      assert.deepEqual(await ids(q('{ status = error }')), [E, C, A]);
      // A blank q is an ordinary search.
      assert.deepEqual(await ids(`q=%20&${RANGE}&service=search`), [B]);
    });

    test('bad TraceQL is a 400 naming line and column, in the error envelope', async () => {
      const body = await get(`${q('{ duration > "x" }')}&${RANGE}`, 400);
      assert.deepEqual(body, {
        data: null,
        total: 0,
        limit: 0,
        offset: 0,
        errors: [{ code: 400, msg: '1:12: cannot compare duration with string using >' }],
      });
      const multiline = await get(q('{ status = error }\n&& { name = }'), 400);
      assert.match(multiline.errors?.[0]?.msg ?? '', /^2:\d+: /);
      const metrics = await get(q('{ } | rate()'), 400);
      assert.match(metrics.errors?.[0]?.msg ?? '', /rate\(\) is a metrics query/);
    });

    test('the window is checked as usual, and Jaeger filters beside q are refused', async () => {
      assert.match((await get(`${q('{ }')}&start=soon`, 400)).errors?.[0]?.msg ?? '', /param 'start'/);
      assert.match((await get(`${q('{ }')}&limit=many`, 400)).errors?.[0]?.msg ?? '', /param 'limit'/);
      assert.match((await get(`${q('{ }')}&lookback=later`, 400)).errors?.[0]?.msg ?? '', /param 'lookback'/);
      const mixed = await get(`${q('{ }')}&service=search&tag=http.method:GET`, 400);
      assert.match(mixed.errors?.[0]?.msg ?? '', /cannot be combined with 'service', 'tag'/);
      assert.match((await get(`${q('{ }')}&traceID=${A}`, 400)).errors?.[0]?.msg ?? '', /'traceID'/);
    });
  });
}
