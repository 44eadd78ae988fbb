import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { makeSpan, type Span, SpanKind, StatusCode, serviceResource } from '@ariadne/protocol';
import type { Hono } from 'hono';
import type { SpanStore } from '../../storage/span-store.js';
import { storesUnderTest } from '../testing/stores-under-test.js';
import { createJaegerQueryApi } from './jaeger-query-api.js';

const NOW = 1_700_000_000_000_000_000n;
const MINUTE = 60_000_000_000n;
const MS = 1_000_000n;

const CART_TRACE = '0af7651916cd43dd8448eb211c80319c';
const HEALTH_TRACE = '0000000000000000b7ad6b7169203331';
const OLD_TRACE = '5b8efff798038103d269b633813fc60c';

const resource = serviceResource;
const frontend = resource('frontend');
const checkout = resource('checkout');
const odd = resource('a/b service');

function span(overrides: Partial<Span> & Pick<Span, 'traceId' | 'spanId' | 'name'>): Span {
  const start = NOW - 10n * MINUTE;
  return makeSpan({ startTimeUnixNano: start, endTimeUnixNano: start + 120n * MS, resource: frontend, ...overrides });
}

const SPANS: Span[] = [
  span({ traceId: CART_TRACE, spanId: '00000000000000a1', name: 'GET /cart' }),
  span({
    traceId: CART_TRACE,
    spanId: '00000000000000a2',
    parentSpanId: '00000000000000a1',
    name: 'charge',
    kind: SpanKind.Client,
    resource: checkout,
    startTimeUnixNano: NOW - 10n * MINUTE + 10n * MS,
    endTimeUnixNano: NOW - 10n * MINUTE + 100n * MS,
    status: { code: StatusCode.Error, message: 'card declined' },
    attributes: [
      { key: 'http.status_code', value: { type: 'int', value: 402n } },
      { key: 'order.id', value: { type: 'int', value: 9_007_199_254_740_993n } },
    ],
  }),
  span({
    traceId: HEALTH_TRACE,
    spanId: '00000000000000b1',
    name: 'GET /health',
    resource: checkout,
    startTimeUnixNano: NOW - 5n * MINUTE,
    endTimeUnixNano: NOW - 5n * MINUTE + 2n * MS,
  }),
  span({
    traceId: OLD_TRACE,
    spanId: '00000000000000c1',
    name: 'GET /cart',
    kind: SpanKind.Unspecified,
    resource: odd,
    startTimeUnixNano: NOW - 3n * 24n * 60n * MINUTE,
    endTimeUnixNano: NOW - 3n * 24n * 60n * MINUTE + MS,
  }),
];

interface Envelope {
  data: unknown;
  total: number;
  limit: number;
  offset: number;
  errors: { code: number; msg: string; traceID?: string }[] | null;
}

for (const stores of storesUnderTest({ id: 'jaeger_query_api' })) {
  describe(`Jaeger query API on the ${stores.name}`, () => {
    let store: SpanStore;
    let api: Hono;

    before(async () => {
      store = await stores.open();
      // One span per batch, newest first: traces straddle block files and the head, out of start order.
      for (const span of [...SPANS].reverse()) await store.writeSpans([span]);
      api = createJaegerQueryApi(store, { now: () => NOW });
    });

    after(() => stores.dispose());

    async function get(path: string, expectedStatus = 200): Promise<{ body: Envelope; text: string }> {
      const response = await api.request(path);
      const text = await response.text();
      assert.equal(response.status, expectedStatus, `${path}: ${text}`);
      assert.equal(response.headers.get('content-type'), 'application/json');
      return { body: JSON.parse(text) as Envelope, text };
    }

    async function traceIdsOf(path: string): Promise<string[]> {
      const { body } = await get(path);
      assert.equal(body.errors, null);
      return (body.data as { traceID: string }[]).map((trace) => trace.traceID);
    }

    async function assertBadRequest(path: string, message: RegExp): Promise<void> {
      const { body } = await get(path, 400);
      assert.equal(body.data, null);
      assert.equal(body.total, 0);
      assert.equal(body.errors?.length, 1);
      assert.equal(body.errors?.[0]?.code, 400);
      assert.match(body.errors?.[0]?.msg ?? '', message, path);
    }

    test('services are listed sorted, in the envelope', async () => {
      const { body } = await get('/api/services');
      assert.deepEqual(body, {
        data: ['a/b service', 'checkout', 'frontend'],
        total: 3,
        limit: 0,
        offset: 0,
        errors: null,
      });
    });

    test('operations: names per service, and with their span kinds', async () => {
      // The store's order: by name in code units, so upper case first.
      assert.deepEqual((await get('/api/services/checkout/operations')).body.data, ['GET /health', 'charge']);
      assert.deepEqual((await get('/api/services/a%2Fb%20service/operations')).body.data, ['GET /cart']);
      assert.deepEqual((await get('/api/services/nobody/operations')).body.data, []);
      assert.deepEqual((await get('/api/operations?service=checkout')).body.data, [
        { name: 'GET /health', spanKind: 'server' },
        { name: 'charge', spanKind: 'client' },
      ]);
      assert.deepEqual((await get('/api/operations?service=checkout&spanKind=server')).body.data, [
        { name: 'GET /health', spanKind: 'server' },
      ]);
      assert.deepEqual((await get('/api/operations?service=a/b+service&spanKind=unspecified')).body.data, [
        { name: 'GET /cart', spanKind: '' },
      ]);
      await assertBadRequest('/api/operations', /parameter 'service' is required/);
      await assertBadRequest('/api/operations?service=checkout&spanKind=sideways', /unsupported span kind: 'sideways'/);
    });

    test('a trace by id, in Jaeger JSON with int64 tags written in full', async () => {
      const { body, text } = await get(`/api/traces/${CART_TRACE}`);
      assert.equal(body.total, 1);
      assert.equal(body.errors, null);
      const [trace] = body.data as {
        traceID: string;
        spans: { spanID: string; processID: string; references: unknown[]; startTime: number; duration: number }[];
        processes: Record<string, { serviceName: string }>;
      }[];
      assert.ok(trace);
      assert.equal(trace.traceID, CART_TRACE);
      assert.deepEqual(
        trace.spans.map((s) => [s.spanID, trace.processes[s.processID]?.serviceName]),
        [
          ['00000000000000a1', 'frontend'],
          ['00000000000000a2', 'checkout'],
        ],
      );
      assert.equal(trace.spans[0]?.startTime, Number((NOW - 10n * MINUTE) / 1000n));
      assert.equal(trace.spans[0]?.duration, 120_000);
      assert.deepEqual(trace.spans[1]?.references, [
        { refType: 'CHILD_OF', traceID: CART_TRACE, spanID: '00000000000000a1' },
      ]);
      assert.ok(text.includes('{"key":"order.id","type":"int64","value":9007199254740993}'), text);
      assert.ok(text.includes('{"key":"error","type":"bool","value":true}'), text);
    });

    test('64-bit trace ids: fetched by 16 or 32 characters, printed with 16', async () => {
      for (const id of ['b7ad6b7169203331', HEALTH_TRACE, 'B7AD6B7169203331']) {
        const { body } = await get(`/api/traces/${id}`);
        assert.equal((body.data as { traceID: string }[])[0]?.traceID, 'b7ad6b7169203331', id);
      }
      // A time range is only a hint to the store.
      await get(`/api/traces/b7ad6b7169203331?start=1&end=2`);
    });

    test('an unknown trace is 404, a malformed id 400, both in the error envelope', async () => {
      const { body } = await get('/api/traces/1234567890abcdef1234567890abcdef', 404);
      assert.deepEqual(body, {
        data: null,
        total: 0,
        limit: 0,
        offset: 0,
        errors: [{ code: 404, msg: 'trace not found' }],
      });
      await assertBadRequest('/api/traces/not-a-trace-id', /cannot parse traceID/);
      await assertBadRequest(`/api/traces/${'a'.repeat(33)}`, /cannot parse traceID/);
      await assertBadRequest(`/api/traces/${CART_TRACE}?start=soon`, /param 'start'/);
    });

    test('search returns whole traces, most recent first, within the default two days', async () => {
      assert.deepEqual(await traceIdsOf('/api/traces'), ['b7ad6b7169203331', CART_TRACE]);
      const { body } = await get('/api/traces?service=checkout&operation=charge');
      const traces = body.data as { traceID: string; spans: unknown[] }[];
      assert.equal(body.total, 1);
      assert.equal(traces[0]?.traceID, CART_TRACE);
      // The whole trace, not only the matching span.
      assert.equal(traces[0]?.spans.length, 2);
    });

    test('search filters: tags, error, span kind, durations, limit, time range', async () => {
      assert.deepEqual(await traceIdsOf('/api/traces?tag=http.status_code:402'), [CART_TRACE]);
      assert.deepEqual(await traceIdsOf(`/api/traces?tags=${encodeURIComponent('{"http.status_code":"500"}')}`), []);
      assert.deepEqual(await traceIdsOf(`/api/traces?tags=${encodeURIComponent('{"error":"true"}')}`), [CART_TRACE]);
      assert.deepEqual(await traceIdsOf('/api/traces?service=checkout&tag=span.kind:server'), ['b7ad6b7169203331']);
      assert.deepEqual(await traceIdsOf('/api/traces?minDuration=50ms'), [CART_TRACE]);
      assert.deepEqual(await traceIdsOf('/api/traces?maxDuration=5ms'), ['b7ad6b7169203331']);
      assert.deepEqual(await traceIdsOf('/api/traces?limit=1'), ['b7ad6b7169203331']);
      assert.deepEqual(await traceIdsOf('/api/traces?lookback=7m'), ['b7ad6b7169203331']);
      assert.deepEqual(await traceIdsOf('/api/traces?lookback=7d'), ['b7ad6b7169203331', CART_TRACE, OLD_TRACE]);
      const end = (NOW - 6n * MINUTE) / 1000n;
      const start = (NOW - 11n * MINUTE) / 1000n;
      assert.deepEqual(await traceIdsOf(`/api/traces?start=${start}&end=${end}`), [CART_TRACE]);
      assert.deepEqual(await traceIdsOf('/api/traces?service=nobody'), []);
      // Tag values are compared as text, never as patterns.
      assert.deepEqual(await traceIdsOf('/api/traces?tag=http.status_code:4.*'), []);
    });

    test('traceID= fetches traces directly; ids not stored are reported per trace', async () => {
      const { body } = await get(`/api/traces?traceID=${CART_TRACE}&traceID=ffffffffffffffff&traceID=b7ad6b7169203331`);
      assert.deepEqual(
        (body.data as { traceID: string }[]).map((t) => t.traceID),
        [CART_TRACE, 'b7ad6b7169203331'],
      );
      assert.equal(body.total, 2);
      assert.deepEqual(body.errors, [{ code: 404, msg: 'trace not found', traceID: 'ffffffffffffffff' }]);
    });

    test('bad search parameters are 400 in the error envelope', async () => {
      await assertBadRequest('/api/traces?start=abc', /param 'start'/);
      await assertBadRequest('/api/traces?minDuration=10', /param 'minDuration'/);
      await assertBadRequest('/api/traces?minDuration=2s&maxDuration=1s', /'maxDuration' should be greater/);
      await assertBadRequest('/api/traces?tags=%7Bx', /malformed 'tags'/);
      await assertBadRequest('/api/traces?tag=nocolon', /malformed 'tag'/);
      await assertBadRequest('/api/traces?limit=many', /param 'limit'/);
      await assertBadRequest('/api/traces?traceID=zz', /cannot parse traceID/);
    });

    test('a failing store is a 500 in the error envelope', async () => {
      const closed = await stores.open();
      await closed.close();
      const failing = createJaegerQueryApi(closed, { now: () => NOW });
      for (const path of ['/api/services', '/api/traces', `/api/traces/${CART_TRACE}`, '/api/operations?service=x']) {
        const response = await failing.request(path);
        assert.equal(response.status, 500, path);
        const body = (await response.json()) as Envelope;
        assert.equal(body.data, null);
        assert.equal(body.errors?.[0]?.code, 500);
        assert.match(body.errors?.[0]?.msg ?? '', /closed/);
      }
    });
  });
}
