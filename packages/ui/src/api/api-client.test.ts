import assert from 'node:assert/strict';
import { test } from 'node:test';
import { DEFAULT_FORM, validateForm } from '../search/search-params.js';
import { testTrace } from '../trace/test-trace.js';
import { createApiClient } from './api-client.js';
import { ApiError, isApiError } from './api-error.js';

/** A stand-in for the network: answers each path with a fixed status and body, and records what was asked. */
function serve(routes: Record<string, [status: number, body: string]>) {
  const asked: string[] = [];
  const fetch = async (input: RequestInfo | URL) => {
    const url = String(input);
    asked.push(url);
    const path = url.split('?')[0] as string;
    const [status, body] = routes[path] ?? [404, '{"data":null,"errors":[{"code":404,"msg":"no route"}]}'];
    return new Response(body, { status, headers: { 'Content-Type': 'application/json' } });
  };
  return { client: createApiClient({ baseUrl: 'http://ariadne.test', fetch }), asked };
}

const envelope = (data: unknown) => JSON.stringify({ data, total: 0, limit: 0, offset: 0, errors: null });

test('services and operations come out of the envelope; null means none', async () => {
  const { client, asked } = serve({
    'http://ariadne.test/api/services': [200, envelope(['checkout', 'payments'])],
    'http://ariadne.test/api/services/a%20b%2Fc/operations': [200, envelope(null)],
  });
  assert.deepEqual(await client.getServices(), ['checkout', 'payments']);
  assert.deepEqual(await client.getOperations('a b/c'), []);
  assert.equal(asked[1], 'http://ariadne.test/api/services/a%20b%2Fc/operations');
});

test('a trace is validated and int64 tags past 2^53 keep every digit', async () => {
  const trace = testTrace([{ id: 'a', tags: [{ key: 'big', type: 'int64', value: 1 }] }]);
  const body = envelope([trace]).replace('"value":1', '"value":9007199254740993');
  const { client } = serve({ [`http://ariadne.test/api/traces/${trace.traceID}`]: [200, body] });
  const got = await client.getTrace(trace.traceID);
  assert.equal(got.spans[0]!.tags[0]!.value, 9_007_199_254_740_993n);
  assert.equal(got.spans[0]!.operationName, 'op a');
});

test('404 becomes NotFound with the server message', async () => {
  const { client } = serve({
    'http://ariadne.test/api/traces/abc': [404, '{"data":null,"errors":[{"code":404,"msg":"trace not found"}]}'],
  });
  await assert.rejects(client.getTrace('abc'), (error) => {
    assert.ok(isApiError(error, 'NotFound'));
    assert.equal(error.message, 'trace not found');
    assert.equal(error.status, 404);
    return true;
  });
});

test('400 keeps the server message; 500 without JSON still says what happened', async () => {
  const { client } = serve({
    'http://ariadne.test/api/traces': [400, '{"data":null,"errors":[{"code":400,"msg":"bad tags"}]}'],
    'http://ariadne.test/api/services': [502, '<html>Bad Gateway</html>'],
  });
  const search = validateForm({ ...DEFAULT_FORM, service: 'x' });
  assert.ok(search.ok);
  await assert.rejects(client.findTraces(search.search), { name: 'ApiError', kind: 'BadRequest', message: 'bad tags' });
  await assert.rejects(client.getServices(), (error) => {
    assert.ok(isApiError(error, 'ServerError'));
    assert.match(error.message, /502/);
    return true;
  });
});

test('a search sends the form as Jaeger query parameters', async () => {
  const { client, asked } = serve({ 'http://ariadne.test/api/traces': [200, envelope([])] });
  const search = validateForm({ ...DEFAULT_FORM, service: 'checkout', tags: 'error=true', limit: '5' });
  assert.ok(search.ok);
  assert.deepEqual(await client.findTraces(search.search, undefined, 5_000_000_000), []);
  const params = new URL(asked[0]!).searchParams;
  assert.equal(params.get('service'), 'checkout');
  assert.equal(params.get('tags'), '{"error":"true"}');
  assert.equal(params.get('limit'), '5');
  assert.equal(params.get('end'), '5000000000');
});

test('answers of the wrong shape are InvalidResponse errors naming the field', async () => {
  const trace = testTrace([{ id: 'a' }]);
  const broken = JSON.parse(envelope([trace]));
  broken.data[0].spans[0].startTime = 'yesterday';
  const { client } = serve({
    'http://ariadne.test/api/services': [200, '{"services":[]}'],
    'http://ariadne.test/api/traces/x': [200, JSON.stringify(broken)],
    'http://ariadne.test/api/traces/empty': [200, envelope([])],
  });
  await assert.rejects(client.getServices(), { kind: 'InvalidResponse' });
  await assert.rejects(client.getTrace('x'), (error) => {
    assert.ok(error instanceof ApiError);
    assert.equal(error.kind, 'InvalidResponse');
    assert.match(error.message, /data\[0\]\.spans\[0\]\.startTime: expected a number/);
    return true;
  });
  await assert.rejects(client.getTrace('empty'), { kind: 'NotFound' });
});

test('an unreachable server is a NetworkError', async () => {
  const client = createApiClient({
    fetch: async () => {
      throw new TypeError('fetch failed');
    },
  });
  await assert.rejects(client.getServices(), { kind: 'NetworkError' });
});

test('the trace view reads: skeleton, one span in full, and find-in-trace ids', async () => {
  const traceId = '4bf92f3577b34da6a3ce929d0e0e4736';
  const skeleton = {
    traceID: traceId,
    startTime: 1_700_000_000_000_000,
    strings: ['api', 'GET /'],
    spanIds: ['00000000000000a1'],
    parents: [-1],
    missingParents: [],
    starts: [0],
    durations: [100],
    services: [0],
    operations: [1],
    duplicates: [],
    errors: [],
    events: [],
  };
  const full = testTrace(
    [{ id: '00000000000000a1', tags: [{ key: 'http.route', type: 'string', value: '/' }] }],
    traceId,
  );
  const { client, asked } = serve({
    // Span ids that do not fit the byte form: the JSON skeleton serves.
    [`http://ariadne.test/api/trace-view/${traceId}/columns`]: [
      400,
      JSON.stringify({ data: null, errors: [{ code: 400, msg: 'a span id of this trace is not 16 characters' }] }),
    ],
    [`http://ariadne.test/api/trace-view/${traceId}`]: [200, envelope(skeleton)],
    [`http://ariadne.test/api/trace-view/${traceId}/spans/00000000000000a1`]: [200, envelope([full])],
    [`http://ariadne.test/api/trace-view/${traceId}/search`]: [200, envelope({ spanIds: ['00000000000000a1'] })],
  });
  const { trace } = await client.getTraceSkeleton(traceId);
  assert.equal(trace.spans[0]?.operationName, 'GET /');
  assert.deepEqual(asked, [
    `http://ariadne.test/api/trace-view/${traceId}/columns`,
    `http://ariadne.test/api/trace-view/${traceId}`,
  ]);
  assert.equal((await client.getSpan(traceId, '00000000000000a1')).spans[0]?.tags[0]?.key, 'http.route');
  assert.deepEqual(await client.searchTrace(traceId, 'a b'), ['00000000000000a1']);
  assert.equal(asked.at(-1), `http://ariadne.test/api/trace-view/${traceId}/search?q=a%20b`);
  await assert.rejects(client.getSpan(traceId, '00000000000000ff'), (error) => isApiError(error, 'NotFound'));
});

test('a response index.html already started for a path is used once instead of asking again', async () => {
  const asked: string[] = [];
  const fetch = async (input: RequestInfo | URL) => {
    asked.push(String(input));
    return new Response(envelope(['from fetch']), { status: 200 });
  };
  const early = new Map([['/api/services', Promise.resolve(new Response(envelope(['early']), { status: 200 }))]]);
  const client = createApiClient({
    fetch,
    early: {
      take(path) {
        const response = early.get(path);
        early.delete(path);
        return response;
      },
    },
  });
  assert.deepEqual(await client.getServices(), ['early']);
  assert.deepEqual(asked, []);
  assert.deepEqual(await client.getServices(), ['from fetch']);
  assert.deepEqual(asked, ['/api/services']);
});
