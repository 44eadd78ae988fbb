import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import {
  decodeOtlpTraceRequestJson,
  makeSpan,
  type Span,
  SpanKind,
  StatusCode,
  serviceResource,
} from '@ariadne/protocol';
import type { SpanStore } from '../../storage/span-store.js';
import { storesUnderTest } from '../testing/stores-under-test.js';
import { createJaegerV3Api, parseRfc3339 } from './jaeger-v3-api.js';

const T0 = 1_700_000_000_000_000_000n; // 2023-11-14T22:13:20Z
const MS = 1_000_000n;
const CART = '0af7651916cd43dd8448eb211c80319c';
const HEALTH = '0000000000000000b7ad6b7169203331';

const resource = serviceResource;

function span(overrides: Partial<Span> & Pick<Span, 'traceId' | 'spanId' | 'name'>): Span {
  return makeSpan({
    startTimeUnixNano: T0,
    endTimeUnixNano: T0 + 120n * MS,
    resource: resource('frontend'),
    ...overrides,
  });
}

const SPANS = [
  span({ traceId: CART, spanId: '00000000000000a1', name: 'GET /cart' }),
  span({
    traceId: CART,
    spanId: '00000000000000a2',
    parentSpanId: '00000000000000a1',
    name: 'charge',
    kind: SpanKind.Client,
    resource: resource('checkout'),
    attributes: [{ key: 'http.status_code', value: { type: 'int', value: 402n } }],
    status: { code: StatusCode.Error, message: 'declined' },
  }),
  span({
    traceId: HEALTH,
    spanId: '00000000000000b1',
    name: 'GET /health',
    resource: resource('checkout'),
    startTimeUnixNano: T0 + 1000n * MS,
    endTimeUnixNano: T0 + 1002n * MS,
  }),
];

const RANGE = 'query.start_time_min=2023-11-14T22:00:00Z&query.start_time_max=2023-11-14T23:00:00.5%2B00:00';

test('RFC 3339 times keep nanoseconds and offsets', () => {
  assert.equal(parseRfc3339('2023-11-14T22:13:20Z', 'x'), T0);
  assert.equal(parseRfc3339('2023-11-14T22:13:20.000000123Z', 'x'), T0 + 123n);
  assert.equal(parseRfc3339('2023-11-15T00:13:20.5+02:00', 'x'), T0 + 500n * MS);
  assert.throws(() => parseRfc3339('2023-11-14 22:13:20Z', 'x'), /malformed parameter x/);
});
for (const stores of storesUnderTest({ id: 'jaeger_v3_api' })) {
  describe(`Jaeger API v3 on the ${stores.name}`, () => {
    let store: SpanStore;
    const api = () => createJaegerV3Api(store);

    before(async () => {
      store = await stores.open();
      // One span per batch, newest first: traces straddle block files and the head, out of start order.
      for (const span of [...SPANS].reverse()) await store.writeSpans([span]);
    });
    after(() => stores.dispose());

    async function get(path: string, status = 200): Promise<Record<string, unknown>> {
      const response = await api().request(path);
      const text = await response.text();
      assert.equal(response.status, status, `${path}: ${text}`);
      assert.equal(response.headers.get('content-type'), 'application/json');
      return JSON.parse(text) as Record<string, unknown>;
    }

    /** Trace ids of a `{"result": TracesData}` answer, read back with our OTLP/JSON decoder. */
    async function traceIds(path: string): Promise<string[]> {
      const body = await get(path);
      const { spans } = decodeOtlpTraceRequestJson(JSON.stringify(body.result));
      return [...new Set(spans.map((s) => s.traceId))];
    }

    test('services and operations in the gateway shape', async () => {
      assert.deepEqual(await get('/api/v3/services'), { services: ['checkout', 'frontend'] });
      assert.deepEqual(await get('/api/v3/operations?service=checkout'), {
        operations: [
          { name: 'GET /health', spanKind: 'server' },
          { name: 'charge', spanKind: 'client' },
        ],
      });
      assert.deepEqual(await get('/api/v3/operations?service=checkout&span_kind=client'), {
        operations: [{ name: 'charge', spanKind: 'client' }],
      });
      assert.deepEqual(await get('/api/v3/operations?service=nobody'), { operations: [] });
      assert.deepEqual(await get('/api/v3/operations?service=checkout&span_kind=up', 400), {
        error: { httpCode: 400, message: "malformed parameter span_kind: unsupported span kind 'up'" },
      });
    });

    test('a trace by id as OTLP/JSON under "result"', async () => {
      const body = await get(`/api/v3/traces/${CART}`);
      const result = body.result as {
        resourceSpans: { scopeSpans: { spans: { traceId: string; spanId: string }[] }[] }[];
      };
      assert.equal(result.resourceSpans.length, 2);
      assert.equal(result.resourceSpans[0]?.scopeSpans[0]?.spans[0]?.traceId, CART);
      const { spans } = decodeOtlpTraceRequestJson(JSON.stringify(result));
      assert.deepEqual(spans.map((s) => s.spanId).sort(), ['00000000000000a1', '00000000000000a2']);
      assert.equal(spans.find((s) => s.name === 'charge')?.status.code, StatusCode.Error);
      assert.deepEqual(await traceIds('/api/v3/traces/b7ad6b7169203331'), [HEALTH]);
      assert.deepEqual(await get('/api/v3/traces/ffffffffffffffff', 404), {
        error: { httpCode: 404, message: 'trace not found' },
      });
      assert.equal(((await get('/api/v3/traces/nothex', 400)).error as { httpCode: number }).httpCode, 400);
      await get(`/api/v3/traces/${CART}?start_time=2023-11-14T22:00:00Z&end_time=2023-11-14T23:00:00Z`);
    });

    test('search: service, operation, durations, attributes, depth, time range', async () => {
      assert.deepEqual(await traceIds(`/api/v3/traces?${RANGE}`), [HEALTH, CART]);
      assert.deepEqual(await traceIds(`/api/v3/traces?${RANGE}&query.service_name=frontend`), [CART]);
      assert.deepEqual(
        await traceIds(`/api/v3/traces?${RANGE}&query.service_name=checkout&query.operation_name=charge`),
        [CART],
      );
      assert.deepEqual(await traceIds(`/api/v3/traces?${RANGE}&query.duration_min=50ms`), [CART]);
      assert.deepEqual(await traceIds(`/api/v3/traces?${RANGE}&query.duration_max=10ms`), [HEALTH]);
      assert.deepEqual(await traceIds(`/api/v3/traces?${RANGE}&query.search_depth=1`), [HEALTH]);
      assert.deepEqual(await traceIds(`/api/v3/traces?${RANGE}&query.num_traces=1`), [HEALTH]);
      const attrs = encodeURIComponent('{"http.status_code":"402"}');
      assert.deepEqual(await traceIds(`/api/v3/traces?${RANGE}&query.attributes=${attrs}`), [CART]);
      assert.deepEqual(
        await traceIds(`/api/v3/traces?${RANGE}&query.attributes=${encodeURIComponent('{"error":"true"}')}`),
        [CART],
      );
      const narrow = 'query.start_time_min=2023-11-14T22:13:20.5Z&query.start_time_max=2023-11-14T22:13:22Z';
      assert.deepEqual(await traceIds(`/api/v3/traces?${narrow}`), [HEALTH]);
      assert.deepEqual(await get(`/api/v3/traces?${RANGE}&query.service_name=nobody`), {
        result: { resourceSpans: [] },
      });
    });

    test('search parameter errors in the gateway error shape', async () => {
      for (const [path, message] of [
        ['/api/v3/traces', /query.start_time_min and query.start_time_max are required/],
        [
          '/api/v3/traces?query.start_time_min=yesterday&query.start_time_max=2023-11-14T23:00:00Z',
          /malformed parameter query.start_time_min/,
        ],
        [`/api/v3/traces?${RANGE}&query.duration_min=10`, /malformed parameter query.duration_min/],
        [`/api/v3/traces?${RANGE}&query.search_depth=-1`, /query.search_depth/],
        [`/api/v3/traces?${RANGE}&query.attributes=%5B1%5D`, /query.attributes/],
      ] as const) {
        const body = await get(path, 400);
        const error = body.error as { httpCode: number; message: string };
        assert.equal(error.httpCode, 400);
        assert.match(error.message, message, path);
      }
    });
  });
}
