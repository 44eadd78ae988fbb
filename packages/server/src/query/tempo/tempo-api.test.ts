import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { after, before, describe, test } from 'node:test';
import { decodeOtlpTraceRequestJson, decodeOtlpTraceRequestProto, type Span } from '@ariadne/protocol';
import type { Hono } from 'hono';
import type { SpanStore } from '../../storage/span-store.js';
import { storesUnderTest } from '../testing/stores-under-test.js';
import { createTempoApi } from './tempo-api.js';

// The TraceQL fixtures: traces A (checkout, +0 s), B (search, +10 s), C (no root, +20 s),
// D (health, +30 s), E (orders, +40 s), after 1700000000 s.
const fixtures = decodeOtlpTraceRequestJson(
  readFileSync(new URL('../traceql/traceql-fixtures.json', import.meta.url)),
).spans;
const A = 'aaaaaaaaaaaaaaaaaaaaaaaaaaaaaa01';
const B = 'bbbbbbbbbbbbbbbbbbbbbbbbbbbbbb02';
const C = 'cccccccccccccccccccccccccccccc03';
const D = 'dddddddddddddddddddddddddddddd04';
const E = 'eeeeeeeeeeeeeeeeeeeeeeeeeeeeee05';
const RANGE = 'start=1700000000&end=1700000059';

// biome-ignore lint/suspicious/noExplicitAny: JSON answers are checked field by field below.
type Json = any;

for (const stores of storesUnderTest({ id: 'tempo_api', maxHeadSpans: 8 })) {
  describe(`Tempo API on the ${stores.name}`, () => {
    let store: SpanStore;
    let api: Hono;
    before(async () => {
      store = await stores.open();
      await store.writeSpans(fixtures);
      api = createTempoApi(store, { now: () => 1_700_000_060_000_000_000n });
    });
    after(() => stores.dispose());

    const get = async (path: string, headers: Record<string, string> = {}) => api.request(path, { headers });
    const getJson = async (path: string): Promise<Json> => {
      const response = await get(path);
      assert.equal(response.status, 200, `${path}: ${await response.clone().text()}`);
      assert.match(response.headers.get('content-type') ?? '', /application\/json/);
      return response.json();
    };

    test('readiness, echo and build info', async () => {
      assert.equal(await (await get('/ready')).text(), 'ready');
      assert.equal(await (await get('/api/echo')).text(), 'echo');
      const info = await getJson('/api/status/buildinfo');
      assert.match(info.version, /^\d+\.\d+\.\d+$/);
      assert.equal(typeof info.revision, 'string');
    });

    test('trace by id: v1 JSON {batches}, v2 JSON {trace}, both as protobuf', async () => {
      const v1 = await getJson(`/api/traces/${A}`);
      const v1Spans = v1.batches.flatMap((b: Json) => b.scopeSpans.flatMap((s: Json) => s.spans));
      assert.equal(v1Spans.length, 7);
      assert.ok(v1Spans.every((s: Json) => s.traceId === A && /^[0-9a-f]{16}$/.test(s.spanId)));
      assert.ok(
        v1.batches.some((b: Json) => b.resource.attributes.some((a: Json) => a.value.stringValue === 'payment')),
      );

      const v2 = await getJson(`/api/v2/traces/${E}`);
      assert.equal(v2.trace.resourceSpans.flatMap((b: Json) => b.scopeSpans.flatMap((s: Json) => s.spans)).length, 6);

      const proto1 = await get(`/api/traces/${B}`, { Accept: 'application/protobuf' });
      assert.equal(proto1.status, 200);
      assert.equal(proto1.headers.get('content-type'), 'application/protobuf');
      const decoded1 = decodeOtlpTraceRequestProto(new Uint8Array(await proto1.arrayBuffer())).spans;
      assert.deepEqual(decoded1.map((s) => s.spanId).sort(), spanIdsOf(B));

      const proto2 = await get(`/api/v2/traces/${B}`, { Accept: 'application/protobuf' });
      const bytes = new Uint8Array(await proto2.arrayBuffer());
      // TraceByIDResponse: field 1 (Trace), length-delimited, then the Trace itself.
      assert.equal(bytes[0], 0x0a);
      let offset = 1;
      let length = 0;
      for (let shift = 0; ; shift += 7) {
        const byte = bytes[offset++]!;
        length |= (byte & 0x7f) << shift;
        if (byte < 0x80) break;
      }
      assert.equal(offset + length, bytes.length);
      const decoded2 = decodeOtlpTraceRequestProto(bytes.subarray(offset)).spans;
      assert.deepEqual(decoded2.map((s) => s.spanId).sort(), spanIdsOf(B));
    });

    test('trace by id: 404 when not stored, 400 for a malformed id; short ids are padded', async () => {
      const missing = await get('/api/traces/0123456789abcdef0123456789abcdef');
      assert.equal(missing.status, 404);
      assert.equal(await missing.text(), 'trace not found');
      assert.equal((await get('/api/v2/traces/not-hex')).status, 400);
      assert.equal((await get('/api/traces/ABC')).status, 404);
    });

    test('TraceQL search: Tempo search metadata, most recent first', async () => {
      const body = await getJson(`/api/search?q=${encodeURIComponent('{ status = error }')}&${RANGE}`);
      assert.deepEqual(
        body.traces.map((t: Json) => t.traceID),
        [E, C, A],
      );
      const [e, c, a] = body.traces;
      assert.equal(e.rootServiceName, 'gateway');
      assert.equal(e.rootTraceName, 'GET /orders');
      assert.equal(e.startTimeUnixNano, '1700000040000000000');
      assert.equal(e.durationMs, 500);
      assert.equal(c.rootServiceName, '<root span not yet received>');
      assert.equal(a.spanSets.length, 1);
      assert.deepEqual(a.spanSet, a.spanSets[0]);
      assert.equal(a.spanSets[0].matched, 2);
      assert.deepEqual(a.spanSets[0].spans[0], {
        spanID: 'aa00000000000002',
        name: 'POST /pay',
        startTimeUnixNano: '1700000000010000000',
        durationNanos: '200000000',
      });
      assert.deepEqual(a.serviceStats, {
        frontend: { spanCount: 3, errorCount: 1 },
        payment: { spanCount: 3, errorCount: 1 },
        cart: { spanCount: 1, errorCount: 0 },
      });
      assert.equal(typeof body.metrics.inspectedTraces, 'number');
    });

    test('TraceQL search: limit, spss and the attributes the query names', async () => {
      const limited = await getJson(`/api/search?q=${encodeURIComponent('{ }')}&limit=2&spss=1&${RANGE}`);
      assert.deepEqual(
        limited.traces.map((t: Json) => t.traceID),
        [E, D],
      );
      assert.equal(limited.traces[0].spanSets[0].spans.length, 1);
      assert.equal(limited.traces[0].spanSets[0].matched, 6);

      const q = '{ span.http.status_code >= 500 && resource.service.name = "payment" }';
      const body = await getJson(`/api/search?q=${encodeURIComponent(q)}&${RANGE}`);
      assert.deepEqual(body.traces[0].spanSets[0].spans[0].attributes, [
        { key: 'http.status_code', value: { intValue: '500' } },
        { key: 'service.name', value: { stringValue: 'payment' } },
      ]);

      const grouped = await getJson(
        `/api/search?q=${encodeURIComponent('{ kind = server } | by(resource.service.name)')}&${RANGE}&limit=1`,
      );
      assert.deepEqual(
        grouped.traces[0].spanSets.map((s: Json) => s.attributes),
        [
          [{ key: 'by(resource.service.name)', value: { stringValue: 'gateway' } }],
          [{ key: 'by(resource.service.name)', value: { stringValue: 'orders' } }],
        ],
      );
    });

    test('TraceQL search: a bad query is a 400 naming line and column', async () => {
      const response = await get(`/api/search?q=${encodeURIComponent('{ duration > "x" }')}`);
      assert.equal(response.status, 400);
      assert.equal(await response.text(), '1:12: cannot compare duration with string using >');
      assert.equal((await get('/api/search?q={}&limit=zero')).status, 400);
      assert.equal((await get(`/api/search?q=${encodeURIComponent('{ } | rate()')}`)).status, 400);
    });

    test('tag search (logfmt tags, trace duration bounds)', async () => {
      const ids = async (query: string) =>
        (await getJson(`/api/search?${query}&${RANGE}`)).traces.map((t: Json) => t.traceID);
      assert.deepEqual(await ids(`tags=${encodeURIComponent('service.name=payment')}`), [A]);
      assert.deepEqual(await ids(`tags=${encodeURIComponent('http.status_code=500 http.method=POST')}`), [A]);
      assert.deepEqual(await ids(`tags=${encodeURIComponent('name="GET /health"')}`), [D]);
      assert.deepEqual(await ids('minDuration=1s'), [B]);
      assert.deepEqual(await ids('maxDuration=10ms'), [D]);
      assert.deepEqual(await ids('minDuration=100ms&maxDuration=600ms'), [E, A]);
      const body = await getJson(`/api/search?tags=${encodeURIComponent('service.name=search')}&${RANGE}`);
      assert.deepEqual(body.traces[0], {
        traceID: B,
        rootServiceName: 'frontend',
        rootTraceName: 'GET /search',
        startTimeUnixNano: '1700000010000000000',
        durationMs: 1200,
        serviceStats: { frontend: { spanCount: 2, errorCount: 0 }, search: { spanCount: 3, errorCount: 0 } },
      });
      // Tempo answers `tags` (with or without durations) from its block search, not TraceQL: trace
      // metadata only, no spanSet/spanSets (vparquet block_search.go rawToResults; the API docs' example).
      const tagged = await getJson(
        `/api/search?tags=${encodeURIComponent('service.name=payment')}&minDuration=100ms&${RANGE}`,
      );
      assert.deepEqual(
        tagged.traces.map((t: Json) => t.traceID),
        [A],
      );
      assert.ok(tagged.traces.every((t: Json) => !('spanSet' in t) && !('spanSets' in t)));
      assert.equal((await get('/api/search?tags=novalue')).status, 400);
    });

    test('tag names: v1 flat, v2 scoped', async () => {
      const v1 = await getJson('/api/search/tags');
      assert.ok(v1.tagNames.includes('http.method'));
      assert.ok(v1.tagNames.includes('service.name'));
      assert.deepEqual(v1.tagNames, [...v1.tagNames].sort());

      const v2 = await getJson('/api/v2/search/tags');
      const scope = (n: string) => v2.scopes.find((s: Json) => s.name === n)?.tags;
      assert.ok(scope('span').includes('http.status_code'));
      assert.ok(!scope('span').includes('service.name'));
      assert.deepEqual(scope('resource'), ['cloud.region', 'deployment.environment', 'host.name', 'service.name']);
      assert.ok(scope('intrinsic').includes('duration'));
      assert.ok(scope('intrinsic').includes('trace:rootService'));
      assert.deepEqual(scope('event'), ['cache.key', 'exception.message', 'exception.type']);

      const onlyResource = await getJson('/api/v2/search/tags?scope=resource');
      assert.deepEqual(
        onlyResource.scopes.map((s: Json) => s.name),
        ['resource'],
      );
      const narrowed = await getJson(`/api/v2/search/tags?scope=span&q=${encodeURIComponent('{ kind = producer }')}`);
      assert.deepEqual(narrowed.scopes[0].tags, ['messaging.system']);
      assert.equal((await get('/api/v2/search/tags?scope=nope')).status, 400);
    });

    test('tag values: v1 as text, v2 typed and narrowed by q', async () => {
      const v1 = await getJson('/api/search/tag/http.method/values');
      assert.deepEqual(v1.tagValues, ['GET', 'POST']);

      const services = await getJson('/api/v2/search/tag/resource.service.name/values');
      assert.deepEqual(
        services.tagValues.map((v: Json) => v.value),
        ['analytics', 'cart', 'database', 'frontend', 'gateway', 'orders', 'payment', 'search'],
      );
      assert.ok(services.tagValues.every((v: Json) => v.type === 'string'));

      const codes = await getJson('/api/v2/search/tag/span.http.status_code/values');
      assert.deepEqual(codes.tagValues, [
        { type: 'int', value: '200' },
        { type: 'int', value: '500' },
        { type: 'int', value: '503' },
        { type: 'string', value: '200' },
      ]);

      const statuses = await getJson('/api/v2/search/tag/status/values');
      assert.deepEqual(statuses.tagValues, [
        { type: 'keyword', value: 'error' },
        { type: 'keyword', value: 'ok' },
        { type: 'keyword', value: 'unset' },
      ]);

      const q = encodeURIComponent('{ status = error }');
      const failing = await getJson(`/api/v2/search/tag/resource.service.name/values?q=${q}`);
      assert.deepEqual(
        failing.tagValues.map((v: Json) => v.value),
        ['analytics', 'database', 'frontend', 'gateway', 'payment'],
      );
      // Grafana sends the query being typed; a half-written one narrows nothing.
      const halfTyped = encodeURIComponent('{ status = error && }');
      const all = await getJson(`/api/v2/search/tag/resource.service.name/values?q=${halfTyped}`);
      assert.equal(all.tagValues.length, 8);
      assert.equal((await get('/api/v2/search/tag/not%20a%20tag/values')).status, 400);
    });

    test('metrics: query_range series and an instant query', async () => {
      const q = encodeURIComponent('{ } | count_over_time()');
      const range = await getJson(`/api/metrics/query_range?q=${q}&${RANGE}&step=10s`);
      assert.equal(range.series.length, 1);
      assert.deepEqual(range.series[0].labels, [{ key: '__name__', value: { stringValue: 'count_over_time' } }]);
      assert.equal(range.series[0].promLabels, '{__name__="count_over_time"}');
      assert.deepEqual(
        range.series[0].samples,
        [7, 5, 2, 1, 6, 0].map((value, i) => ({ timestampMs: String(1_700_000_000_000 + i * 10_000), value })),
      );

      const byService = encodeURIComponent('{ status = error } | count_over_time() by (resource.service.name)');
      const instant = await getJson(`/api/metrics/query?q=${byService}&${RANGE}`);
      assert.deepEqual(
        instant.series.map((s: Json) => [s.labels[0].value.stringValue, s.value]),
        [
          ['analytics', 1],
          ['database', 1],
          ['frontend', 1],
          ['gateway', 1],
          ['payment', 1],
        ],
      );

      const quantiles = encodeURIComponent('{ } | quantile_over_time(duration, .5) by (resource.service.name)');
      const p = await getJson(`/api/metrics/query_range?q=${quantiles}&${RANGE}&step=60`);
      const search = p.series.find((s: Json) => s.labels[0].value.stringValue === 'search');
      assert.deepEqual(search.labels[1], { key: 'p', value: { doubleValue: 0.5 } });
      assert.deepEqual(search.samples, [{ timestampMs: '1700000000000', value: 0.8 }]);

      assert.equal((await get(`/api/metrics/query_range?q=${encodeURIComponent('{ }')}&${RANGE}`)).status, 400);
      assert.equal((await get('/api/metrics/query_range')).status, 400);
      assert.equal((await get(`/api/metrics/query_range?q=${q}&${RANGE}&step=1ns`)).status, 400);
    });
  });
}

function spanIdsOf(traceId: string): string[] {
  return fixtures
    .filter((s: Span) => s.traceId === traceId)
    .map((s) => s.spanId)
    .sort();
}
