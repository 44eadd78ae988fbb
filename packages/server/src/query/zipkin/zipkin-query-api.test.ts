import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { decodeZipkinV2Json } from '@ariadne/protocol';
import type { SpanStore } from '../../storage/span-store.js';
import { storesUnderTest } from '../testing/stores-under-test.js';
import { createZipkinQueryApi } from './zipkin-query-api.js';

const NOW_MS = 1_700_000_000_000;
const NOW = BigInt(NOW_MS) * 1_000_000n;
const T = (NOW_MS - 60_000) * 1000; // a minute ago, in microseconds

// Spans as a Zipkin client sends them; the API must give them back the same way.
const FRONTEND_SERVER = {
  traceId: '5af7183fb1d4cf5f',
  id: '6b221d5bc9e6496c',
  kind: 'SERVER',
  name: 'get /api',
  timestamp: T,
  duration: 20_000,
  localEndpoint: { serviceName: 'frontend', ipv4: '192.168.99.1', port: 8080 },
  tags: { 'http.method': 'GET', 'http.path': '/api' },
};
const FRONTEND_CLIENT = {
  traceId: '5af7183fb1d4cf5f',
  parentId: '6b221d5bc9e6496c',
  id: '352bff9a74ca9ad2',
  kind: 'CLIENT',
  name: 'query',
  timestamp: T + 1000,
  duration: 15_000,
  localEndpoint: { serviceName: 'frontend' },
  remoteEndpoint: { serviceName: 'mysql', ipv4: '10.0.0.7', port: 3306 },
  annotations: [{ timestamp: T + 1100, value: 'ws' }],
  tags: { 'otel.status_code': 'ERROR', error: 'timeout' },
};
const BACKEND = {
  traceId: '463ac35c9f6413ad48485a3953bb6124',
  id: 'a2fb4a1d1a96d312',
  kind: 'SERVER',
  name: 'post /orders',
  timestamp: T + 5000,
  duration: 900,
  localEndpoint: { serviceName: 'backend' },
  tags: { 'http.method': 'POST' },
};

/**
 * Two checkouts: frontend calls payment (the first call fails on payment's
 * side), and the first payment calls fraud. Zipkin's dependency links count
 * each child span whose parent span is another service's.
 */
const CALLS = (
  [
    ['c0ffee0000000001', 'a1', '', 'frontend', 'SERVER', 'get /checkout'],
    ['c0ffee0000000001', 'a2', 'a1', 'frontend', 'CLIENT', 'post /pay'],
    ['c0ffee0000000001', 'a3', 'a2', 'payment', 'SERVER', 'post /pay', { error: 'card declined' }],
    ['c0ffee0000000001', 'a4', 'a3', 'fraud', 'SERVER', 'get /score'],
    ['c0ffee0000000002', 'b1', '', 'frontend', 'SERVER', 'get /checkout'],
    ['c0ffee0000000002', 'b2', 'b1', 'frontend', 'CLIENT', 'post /pay'],
    ['c0ffee0000000002', 'b3', 'b2', 'payment', 'SERVER', 'post /pay'],
  ] satisfies [string, string, string, string, string, string, Record<string, string>?][]
).map(([traceId, id, parentId, serviceName, kind, name, tags], i) => ({
  traceId,
  ...(parentId === '' ? {} : { parentId: parentId.padStart(16, '0') }),
  id: id.padStart(16, '0'),
  kind,
  name,
  timestamp: T + i * 1000,
  duration: 500,
  localEndpoint: { serviceName },
  ...(tags === undefined ? {} : { tags }),
}));

for (const stores of storesUnderTest({ id: 'zipkin_query_api' })) {
  describe(`Zipkin query API on the ${stores.name}`, () => {
    let store: SpanStore;
    const api = () => createZipkinQueryApi(store, { now: () => NOW, autocompleteKeys: ['http.method'] });

    before(async () => {
      store = await stores.open();
      // One span per batch, last first: traces straddle block files and the head, out of start order.
      const spans = decodeZipkinV2Json(JSON.stringify([FRONTEND_SERVER, FRONTEND_CLIENT, BACKEND]));
      for (const span of spans.reverse()) await store.writeSpans([span]);
    });
    after(() => stores.dispose());

    async function get(path: string, status = 200, app = api()): Promise<unknown> {
      const response = await app.request(path);
      const body = await response.text();
      assert.equal(response.status, status, `${path}: ${body}`);
      if (status !== 200) {
        assert.match(response.headers.get('content-type') ?? '', /^text\/plain/);
        return body;
      }
      assert.equal(response.headers.get('content-type'), 'application/json');
      return JSON.parse(body);
    }

    /** A trace's spans by start: the API keeps the store's order, which `getTrace` leaves open. */
    const getSpans = async (path: string) => byTimestamp((await get(path)) as { timestamp: number }[]);

    const traceIdsOf = async (path: string) =>
      ((await get(path)) as { traceId: string }[][]).map((trace) => trace[0]?.traceId);

    test('names: services, span names, remote services', async () => {
      assert.deepEqual(await get('/api/v2/services'), ['backend', 'frontend']);
      assert.deepEqual(await get('/api/v2/spans?serviceName=frontend'), ['get /api', 'query']);
      assert.deepEqual(await get('/api/v2/spans?serviceName=nobody'), []);
      assert.deepEqual(await get('/api/v2/remoteServices?serviceName=frontend'), ['mysql']);
      assert.deepEqual(await get('/api/v2/remoteServices?serviceName=backend'), []);
      assert.equal(await get('/api/v2/spans', 400), 'serviceName is required');
    });

    test('a trace comes back as the Zipkin v2 JSON it was sent as', async () => {
      assert.deepEqual(await getSpans('/api/v2/trace/5af7183fb1d4cf5f'), [FRONTEND_SERVER, FRONTEND_CLIENT]);
      assert.deepEqual(await getSpans('/api/v2/trace/00000000000000005af7183fb1d4cf5f'), [
        FRONTEND_SERVER,
        FRONTEND_CLIENT,
      ]);
      assert.deepEqual(await get('/api/v2/trace/463ac35c9f6413ad48485a3953bb6124'), [BACKEND]);
      assert.equal(await get('/api/v2/trace/ffffffffffffffff', 404), 'ffffffffffffffff not found');
      await get('/api/v2/trace/xyz', 400);
    });

    test('a Zipkin error tag reads back alone, with no otel.status_code nobody sent', async () => {
      const store = await stores.open();
      const sent = [
        { ...BACKEND, traceId: 'e000000000000001', tags: { error: 'card declined' } },
        { ...BACKEND, traceId: 'e000000000000002', tags: { error: 'true', 'http.method': 'POST' } },
      ];
      await store.writeSpans(decodeZipkinV2Json(JSON.stringify(sent)));
      const app = createZipkinQueryApi(store, { now: () => NOW });
      assert.deepEqual(await get('/api/v2/trace/e000000000000001', 200, app), [sent[0]]);
      assert.deepEqual(await get('/api/v2/trace/e000000000000002', 200, app), [sent[1]]);
    });

    test('traceMany returns the stored ones, in the order asked', async () => {
      assert.deepEqual(
        await traceIdsOf('/api/v2/traceMany?traceIds=463ac35c9f6413ad48485a3953bb6124,ffff,5af7183fb1d4cf5f'),
        ['463ac35c9f6413ad48485a3953bb6124', '5af7183fb1d4cf5f'],
      );
      await get('/api/v2/traceMany?traceIds=', 400);
    });

    test('search: service, remote service, span name, annotation query, durations, time window, limit', async () => {
      const both = ['463ac35c9f6413ad48485a3953bb6124', '5af7183fb1d4cf5f'];
      assert.deepEqual(await traceIdsOf('/api/v2/traces'), both);
      assert.deepEqual(await traceIdsOf('/api/v2/traces?serviceName=frontend'), ['5af7183fb1d4cf5f']);
      assert.deepEqual(await traceIdsOf('/api/v2/traces?serviceName=frontend&remoteServiceName=mysql'), [
        '5af7183fb1d4cf5f',
      ]);
      assert.deepEqual(await traceIdsOf('/api/v2/traces?remoteServiceName=redis'), []);
      assert.deepEqual(await traceIdsOf('/api/v2/traces?spanName=post%20/orders'), [
        '463ac35c9f6413ad48485a3953bb6124',
      ]);
      assert.deepEqual(await traceIdsOf('/api/v2/traces?spanName=all'), both);
      assert.deepEqual(await traceIdsOf('/api/v2/traces?annotationQuery=error'), ['5af7183fb1d4cf5f']);
      assert.deepEqual(await traceIdsOf('/api/v2/traces?annotationQuery=http.method%3DPOST'), [
        '463ac35c9f6413ad48485a3953bb6124',
      ]);
      assert.deepEqual(await traceIdsOf('/api/v2/traces?annotationQuery=error%20and%20http.method%3DPOST'), []);
      assert.deepEqual(await traceIdsOf('/api/v2/traces?annotationQuery=http.path'), ['5af7183fb1d4cf5f']);
      assert.deepEqual(await traceIdsOf('/api/v2/traces?minDuration=10000'), ['5af7183fb1d4cf5f']);
      assert.deepEqual(await traceIdsOf('/api/v2/traces?minDuration=100&maxDuration=1000'), [
        '463ac35c9f6413ad48485a3953bb6124',
      ]);
      assert.deepEqual(await traceIdsOf('/api/v2/traces?limit=1'), ['463ac35c9f6413ad48485a3953bb6124']);
      assert.deepEqual(await traceIdsOf(`/api/v2/traces?endTs=${NOW_MS - 120_000}`), []);
      assert.deepEqual(await traceIdsOf(`/api/v2/traces?endTs=${NOW_MS}&lookback=59000`), []);
      const [trace] = (await get('/api/v2/traces?serviceName=frontend')) as { timestamp: number }[][];
      assert.deepEqual(byTimestamp(trace ?? []), [FRONTEND_SERVER, FRONTEND_CLIENT]);
    });

    test('search parameter errors are 400 text', async () => {
      assert.equal(await get('/api/v2/traces?limit=0', 400), 'limit <= 0');
      assert.equal(await get('/api/v2/traces?maxDuration=5', 400), 'maxDuration is only valid with minDuration');
      assert.equal(await get('/api/v2/traces?minDuration=10&maxDuration=5', 400), 'maxDuration < minDuration');
      assert.equal(await get('/api/v2/traces?endTs=soon', 400), 'endTs: "soon" is not an integer');
      assert.equal(await get('/api/v2/traces?lookback=0', 400), 'lookback <= 0');
    });

    test('autocomplete: configured keys and the values seen for them', async () => {
      assert.deepEqual(await get('/api/v2/autocompleteKeys'), ['http.method']);
      assert.deepEqual(await get('/api/v2/autocompleteValues?key=http.method'), ['GET', 'POST']);
      assert.deepEqual(await get('/api/v2/autocompleteValues?key=http.path'), []);
      await get('/api/v2/autocompleteValues', 400);
    });

    test('dependencies: the service map, endTs required', async () => {
      await get('/api/v2/dependencies', 400);
      // frontend's client span has no stored child span (mysql is not traced): no edge.
      assert.deepEqual(await get(`/api/v2/dependencies?endTs=${NOW_MS}&lookback=3600000`), []);
    });

    test('dependencies: calls between services as Zipkin DependencyLinks', async () => {
      const store = await stores.open();
      await store.writeSpans(decodeZipkinV2Json(JSON.stringify(CALLS)));
      const app = createZipkinQueryApi(store, { now: () => NOW });
      // Sorted by parent, then child; Zipkin writes errorCount only when some calls failed.
      assert.deepEqual(await get(`/api/v2/dependencies?endTs=${NOW_MS}&lookback=3600000`, 200, app), [
        { parent: 'frontend', child: 'payment', callCount: 2, errorCount: 1 },
        { parent: 'payment', child: 'fraud', callCount: 1 },
      ]);
      // The calls were a minute ago: a window that ends before them has none.
      assert.deepEqual(await get(`/api/v2/dependencies?endTs=${NOW_MS - 120_000}&lookback=3600000`, 200, app), []);
    });
  });
}

function byTimestamp<T extends { timestamp: number }>(spans: readonly T[]): T[] {
  return [...spans].sort((a, b) => a.timestamp - b.timestamp);
}
