import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import {
  encodeOtlpTraceRequestJson,
  makeSpan,
  type Span,
  SpanKind,
  StatusCode,
  serviceResource,
} from '@ariadne/protocol';
import { DURATION_QUANTILE_RELATIVE_ERROR } from '../../storage/query/duration-histogram.js';
import type { SpanReader, SpanStore } from '../../storage/span-store.js';
import { storesUnderTest } from '../testing/stores-under-test.js';
import { createJaegerQueryApi } from './jaeger-query-api.js';

// Archive, transform, dependencies and monitor routes of the Jaeger API.

const NOW = 1_700_000_000_000_000_000n;
const MINUTE = 60_000_000_000n;
const MS = 1_000_000n;
const TRACE = '0af7651916cd43dd8448eb211c80319c';

const resource = serviceResource;

function span(overrides: Partial<Span> & Pick<Span, 'spanId' | 'name'>): Span {
  const start = NOW - 10n * MINUTE;
  return makeSpan({
    traceId: TRACE,
    startTimeUnixNano: start,
    endTimeUnixNano: start + 120n * MS,
    resource: resource('frontend'),
    ...overrides,
  });
}

const SPANS = [
  span({ spanId: '00000000000000a1', name: 'GET /cart' }),
  span({
    spanId: '00000000000000a2',
    parentSpanId: '00000000000000a1',
    name: 'charge',
    kind: SpanKind.Server,
    resource: resource('payments'),
    status: { code: StatusCode.Error, message: 'declined' },
    startTimeUnixNano: NOW - 10n * MINUTE + 10n * MS,
    endTimeUnixNano: NOW - 10n * MINUTE + 50n * MS,
  }),
];

/**
 * Requests to a `checkout` service ten minutes ago: twenty server spans of
 * `GET /checkout` (10 to 180 ms in 10 ms steps, 400 ms, 1 s: nearest-rank p95
 * 400 ms), one `POST /order` of 250 ms, and client spans that a server-only
 * query must leave out (one would make the p95 of `GET /checkout` 1 s).
 */
const CHECKOUT_SPANS: Span[] = [
  ...[10, 20, 30, 40, 50, 60, 70, 80, 90, 100, 110, 120, 130, 140, 150, 160, 170, 180, 400, 1000].map((ms, i) =>
    request(i, 'GET /checkout', ms),
  ),
  request(20, 'POST /order', 250),
  request(21, 'GET /checkout', 5000, SpanKind.Client),
  request(22, 'call inventory', 80, SpanKind.Client),
];

function request(i: number, name: string, durationMs: number, kind: SpanKind = SpanKind.Server): Span {
  const start = NOW - 10n * MINUTE + BigInt(i) * MS;
  return makeSpan({
    traceId: (i + 1).toString(16).padStart(32, 'c'),
    spanId: (i + 1).toString(16).padStart(16, 'c'),
    name,
    kind,
    startTimeUnixNano: start,
    endTimeUnixNano: start + BigInt(durationMs) * MS,
    resource: resource('checkout'),
  });
}

interface Envelope {
  data: unknown;
  total: number;
  errors: { code: number; msg: string }[] | null;
}

async function call(app: ReturnType<typeof createJaegerQueryApi>, path: string, init?: RequestInit) {
  const response = await app.request(path, init);
  assert.equal(response.headers.get('content-type')?.startsWith('application/json'), true, path);
  return { status: response.status, body: (await response.json()) as Envelope };
}

/** A store seen only through `SpanReader`, as a store without the optional capabilities. */
function readerOnly(store: SpanStore): SpanReader {
  return {
    getTrace: (traceId, timeRange) => store.getTrace(traceId, timeRange),
    findTraces: (query) => store.findTraces(query),
    getServices: () => store.getServices(),
    getOperations: (query) => store.getOperations(query),
  };
}

for (const stores of storesUnderTest({ id: 'jaeger_query_api_capabilities' })) {
  describe(`Jaeger archive, transform, dependencies and monitor on the ${stores.name}`, () => {
    let main: SpanStore;
    let archive: SpanStore;
    let empty: SpanStore;

    before(async () => {
      main = await stores.open();
      archive = await stores.open();
      empty = await stores.open();
      await main.writeSpans(SPANS);
    });

    after(() => stores.dispose());

    test('archiving copies a trace that trace reads then find after the main store lost it', async () => {
      const api = createJaegerQueryApi(main, { now: () => NOW, archive });
      const archived = await call(api, `/api/archive/${TRACE}`, { method: 'POST' });
      assert.equal(archived.status, 200);
      assert.deepEqual(archived.body, { data: [], total: 0, limit: 0, offset: 0, errors: [] });

      // A query service whose main store no longer holds the trace (expired) still serves it.
      const later = createJaegerQueryApi(empty, { now: () => NOW, archive });
      const one = await call(later, `/api/traces/${TRACE}`);
      assert.equal(one.status, 200);
      const [trace] = one.body.data as { traceID: string; spans: unknown[] }[];
      assert.equal(trace?.traceID, TRACE);
      assert.equal(trace?.spans.length, 2);
      const many = await call(later, `/api/traces?traceID=${TRACE}&traceID=ffff`);
      assert.equal((many.body.data as unknown[]).length, 1);
      assert.equal(many.body.errors?.length, 1);

      // Without the archive the same read is a 404.
      const plain = createJaegerQueryApi(empty, { now: () => NOW });
      assert.equal((await call(plain, `/api/traces/${TRACE}`)).status, 404);
    });

    test('archive errors: unknown trace 404, malformed id 400, no archive store 501', async () => {
      const api = createJaegerQueryApi(main, { now: () => NOW, archive });
      const unknown = await call(api, '/api/archive/ffffffffffffffff', { method: 'POST' });
      assert.equal(unknown.status, 404);
      assert.deepEqual(unknown.body.errors, [{ code: 404, msg: 'trace not found' }]);
      assert.equal((await call(api, '/api/archive/xyz', { method: 'POST' })).status, 400);
      const none = await call(createJaegerQueryApi(main), `/api/archive/${TRACE}`, { method: 'POST' });
      assert.equal(none.status, 501);
      assert.equal(none.body.data, null);
      assert.equal(none.body.errors?.[0]?.code, 501);
    });

    test('transform: an OTLP/JSON body comes back as Jaeger UI traces', async () => {
      const api = createJaegerQueryApi(empty);
      const other = span({ spanId: '00000000000000b1', name: 'other', traceId: '1'.repeat(32) });
      const { status, body } = await call(api, '/api/transform', {
        method: 'POST',
        body: encodeOtlpTraceRequestJson([...SPANS, other]),
        headers: { 'content-type': 'application/json' },
      });
      assert.equal(status, 200);
      const traces = body.data as { traceID: string; spans: { operationName: string }[]; processes: object }[];
      assert.deepEqual(
        traces.map((t) => [t.traceID, t.spans.map((s) => s.operationName)]),
        [
          [TRACE, ['GET /cart', 'charge']],
          ['1'.repeat(32), ['other']],
        ],
      );
      const bad = await call(api, '/api/transform', { method: 'POST', body: '{"resourceSpans": 3' });
      assert.equal(bad.status, 400);
      assert.equal(bad.body.errors?.[0]?.code, 400);
      const tooBig = await call(createJaegerQueryApi(empty, { maxTransformBytes: 10 }), '/api/transform', {
        method: 'POST',
        body: encodeOtlpTraceRequestJson(SPANS),
      });
      assert.equal(tooBig.status, 413);
    });

    test('a store without dependencies or RED metrics answers 501 in the envelope', async () => {
      const api = createJaegerQueryApi(readerOnly(main), { now: () => NOW });
      for (const path of ['/api/dependencies', '/api/metrics/calls?service=frontend', '/api/metrics/minstep']) {
        const { status, body } = await call(api, path);
        assert.equal(status, 501, path);
        assert.equal(body.errors?.[0]?.code, 501);
      }
    });

    test('monitor parameters are checked before the store is asked', async () => {
      const api = createJaegerQueryApi(main, { now: () => NOW });
      for (const [path, message] of [
        ['/api/metrics/calls', /at least one service/],
        ['/api/metrics/latencies?service=frontend', /param 'quantile'/],
        ['/api/metrics/latencies?service=frontend&quantile=1.5', /param 'quantile'/],
        ['/api/metrics/errors?service=frontend&spanKind=sideways', /unsupported span kind/],
        ['/api/metrics/errors?service=frontend&step=soon', /param 'step'/],
        ['/api/metrics/errors?service=frontend&groupByOperation=maybe', /groupByOperation/],
      ] as const) {
        const { status, body } = await call(api, path);
        assert.equal(status, 400, path);
        assert.match(body.errors?.[0]?.msg ?? '', message, path);
      }
    });

    test('dependencies: parent/child edges with call and error counts', async () => {
      const api = createJaegerQueryApi(main, { now: () => NOW });
      const { status, body } = await call(api, `/api/dependencies?endTs=${NOW / MS}&lookback=3600000`);
      assert.equal(status, 200);
      assert.deepEqual(body.data, [{ parent: 'frontend', child: 'payments', callCount: 1, errorCount: 1 }]);
      assert.deepEqual((await call(api, '/api/dependencies?service=nobody')).body.data, []);
      // Outside the window: nothing.
      const old = await call(api, `/api/dependencies?endTs=${(NOW - 60n * MINUTE) / MS}&lookback=60000`);
      assert.deepEqual(old.body.data, []);
    });

    test('monitor: calls, errors and latencies as Jaeger metric families', async () => {
      const api = createJaegerQueryApi(main, { now: () => NOW });
      const range = `endTs=${NOW / MS}&lookback=1200000&step=60000&ratePer=60000`;
      const calls = (await (await api.request(`/api/metrics/calls?service=payments&${range}`)).json()) as {
        name: string;
        type: string;
        metrics: { labels: unknown; metricPoints: { gaugeValue: { doubleValue: number }; timestamp: string }[] }[];
      };
      assert.equal(calls.name, 'service_call_rate');
      assert.equal(calls.type, 'GAUGE');
      assert.deepEqual(calls.metrics[0]?.labels, [{ name: 'service_name', value: 'payments' }]);
      const busy = calls.metrics[0]?.metricPoints.filter((p) => p.gaugeValue.doubleValue > 0) ?? [];
      assert.equal(busy.length, 1);
      assert.equal(busy[0]?.gaugeValue.doubleValue, 1 / 60);
      const errors = (await (
        await api.request(`/api/metrics/errors?service=payments&groupByOperation=true&${range}`)
      ).json()) as {
        name: string;
        metrics: { labels: unknown; metricPoints: { gaugeValue: { doubleValue: number } }[] }[];
      };
      assert.equal(errors.name, 'service_operation_error_rate');
      assert.deepEqual(errors.metrics[0]?.labels, [
        { name: 'service_name', value: 'payments' },
        { name: 'operation', value: 'charge' },
      ]);
      assert.equal(errors.metrics[0]?.metricPoints[0]?.gaugeValue.doubleValue, 1);
      const minstep = await call(api, '/api/metrics/minstep');
      assert.equal(minstep.body.data, 5000);
    });

    test('monitor: p95 latencies of server spans per operation, as the Monitor tab asks for them', async () => {
      const checkout = await stores.open();
      await checkout.writeSpans(CHECKOUT_SPANS);
      const api = createJaegerQueryApi(checkout, { now: () => NOW });
      // What Jaeger UI's fetchAggregatedServiceMetrics sends for the operations table.
      const range = `endTs=${NOW / MS}&lookback=1200000&step=60000&ratePer=600000`;
      const response = await api.request(
        `/api/metrics/latencies?service=checkout&quantile=0.95&spanKind=server&groupByOperation=true&${range}`,
      );
      assert.equal(response.status, 200);
      assert.match(response.headers.get('content-type') ?? '', /^application\/json/);
      const family = (await response.json()) as {
        name: string;
        type: string;
        help: string;
        metrics: { labels: unknown; metricPoints: { gaugeValue: { doubleValue: number }; timestamp: string }[] }[];
      };
      // Jaeger's Prometheus reader names and describes the family so (metricsstore/reader.go).
      assert.equal(family.name, 'service_operation_latencies');
      assert.equal(family.type, 'GAUGE');
      assert.equal(family.help, '0.95th quantile latency, grouped by service & operation');
      // One series per server operation; `call inventory` (client only) has none.
      assert.deepEqual(
        family.metrics.map((metric) => metric.labels),
        [
          [
            { name: 'service_name', value: 'checkout' },
            { name: 'operation', value: 'GET /checkout' },
          ],
          [
            { name: 'service_name', value: 'checkout' },
            { name: 'operation', value: 'POST /order' },
          ],
        ],
      );
      // Only the minute with calls has a point (Prometheus leaves empty ranges out), in milliseconds.
      const points = family.metrics.map((metric) =>
        metric.metricPoints.map((point) => [point.timestamp, point.gaugeValue.doubleValue] as const),
      );
      const bucket = '2023-11-14T22:03:20Z'; // NOW - 10 min, the start of its one-minute step
      for (const [i, wantMs] of [400, 250].entries()) {
        assert.equal(points[i]?.length, 1, `series ${i}: one point`);
        const [timestamp, valueMs] = points[i]![0]!;
        assert.equal(timestamp, bucket);
        assert.ok(
          Math.abs(valueMs - wantMs) <= wantMs * DURATION_QUANTILE_RELATIVE_ERROR,
          `series ${i}: p95 ${valueMs} ms is not ${wantMs} ms`,
        );
      }
    });
  });
}
