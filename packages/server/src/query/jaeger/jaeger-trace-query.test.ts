import assert from 'node:assert/strict';
import { test } from 'node:test';
import { isAriadneError, SpanKind } from '@ariadne/protocol';
import type { TraceQuery } from '../../storage/span-store.js';
import {
  DEFAULT_LOOKBACK_NANOS,
  DEFAULT_TRACE_LIMIT,
  type JaegerTracesRequest,
  parseJaegerTracesRequest,
} from './jaeger-trace-query.js';

const NOW = 1_700_000_000_000_000_000n;
const HOUR = 3_600_000_000_000n;

function parse(query: string): JaegerTracesRequest {
  return parseJaegerTracesRequest(new URLSearchParams(query), NOW);
}

function search(query: string): TraceQuery {
  const request = parse(query);
  assert.equal(request.kind, 'search');
  return request.query;
}

test('an empty search looks back two days from now for 20 traces of any service', () => {
  assert.deepEqual(search(''), {
    timeRange: { startNanos: NOW - DEFAULT_LOOKBACK_NANOS, endNanos: NOW },
    limit: DEFAULT_TRACE_LIMIT,
  });
});

test('Jaeger UI parameters: service, operation, microsecond times, Go durations, limit', () => {
  const query = search(
    'service=checkout&operation=GET+%2Fcart&start=1699990000000000&end=1700000000000000' +
      '&minDuration=1.2ms&maxDuration=1m30s&limit=50&lookback=1h',
  );
  assert.deepEqual(query, {
    service: 'checkout',
    operation: 'GET /cart',
    minDurationNanos: 1_200_000n,
    maxDurationNanos: 90_000_000_000n,
    timeRange: { startNanos: 1_699_990_000_000_000_000n, endNanos: 1_700_000_000_000_000_000n },
    limit: 50,
  });
});

test('lookback sets the start when none is given; custom and zero bounds are ignored', () => {
  assert.deepEqual(search('lookback=2d&end=1700000000000000').timeRange, {
    startNanos: NOW - 48n * HOUR,
    endNanos: NOW,
  });
  assert.deepEqual(search('lookback=1h').timeRange, { startNanos: NOW - HOUR, endNanos: NOW });
  assert.deepEqual(search('lookback=custom').timeRange, { startNanos: NOW - DEFAULT_LOOKBACK_NANOS, endNanos: NOW });
  const zero = search('minDuration=0&maxDuration=0s');
  assert.equal(zero.minDurationNanos, undefined);
  assert.equal(zero.maxDurationNanos, undefined);
});

test('tags come from tag=k:v and from JSON, JSON winning; error and span.kind become query fields', () => {
  const query = search(
    `tag=http.status_code:500&tag=url:http://x:8080/a&tag=region:eu&tags=${encodeURIComponent(
      JSON.stringify({ region: 'us', error: 'true', 'span.kind': 'client' }),
    )}`,
  );
  assert.deepEqual(query.attributes, [
    { key: 'http.status_code', scope: 'any', operator: '=', value: '500' },
    { key: 'url', scope: 'any', operator: '=', value: 'http://x:8080/a' },
    { key: 'region', scope: 'any', operator: '=', value: 'us' },
  ]);
  assert.equal(query.errorsOnly, true);
  assert.equal(query.spanKind, SpanKind.Client);
  // Values the query has no field for stay attribute filters.
  assert.deepEqual(search('tag=error:false&tag=span.kind:sideways').attributes, [
    { key: 'error', scope: 'any', operator: '=', value: 'false' },
    { key: 'span.kind', scope: 'any', operator: '=', value: 'sideways' },
  ]);
  assert.equal(search('tags=null').attributes, undefined);
});

test('limit: 0 means the default; over 1,500 is refused naming the maximum, not silently lowered', () => {
  assert.equal(search('limit=0').limit, DEFAULT_TRACE_LIMIT);
  assert.equal(search('limit=1').limit, 1);
  assert.equal(search('limit=1500').limit, 1500);
  assert.throws(
    () => parse('limit=1501'),
    (error) => isAriadneError(error, 'InvalidQuery') && error.message === 'limit 1501 is over the maximum of 1500',
  );
});

test('a search window longer than the maximum is refused naming the parameters and the maximum', () => {
  const start = (NOW - 169n * HOUR) / 1000n;
  assert.throws(
    () => parse(`start=${start}`),
    (error) =>
      isAriadneError(error, 'InvalidQuery') &&
      /^the time window from 'start' to 'end' is 169h, longer than the maximum of 168h \(--max-search-window\)/.test(
        error.message,
      ),
  );
  assert.throws(() => parse('lookback=8d'), /the time window of 'lookback' is 192h, longer than the maximum of 168h/);
  assert.equal(search('lookback=7d').timeRange.startNanos, NOW - 168n * HOUR);
  // The operator's maximum wins over the default.
  const caps = { maxSearchWindowNanos: HOUR };
  assert.throws(() => parseJaegerTracesRequest(new URLSearchParams('lookback=2h'), NOW, caps), /maximum of 1h/);
  // A trace id fetch's start and end are a hint, not a search: any distance apart.
  assert.equal(parse('traceID=1&start=0').kind, 'ids');
});

test('traceID= fetches those traces, normalised and deduplicated; start/end become a hint', () => {
  assert.deepEqual(
    parse('traceID=B7AD6B7169203331&traceID=0af7651916cd43dd8448eb211c80319c&traceID=b7ad6b7169203331&service=x'),
    {
      kind: 'ids',
      traceIds: ['0000000000000000b7ad6b7169203331', '0af7651916cd43dd8448eb211c80319c'],
    },
  );
  assert.deepEqual(parse('traceID=1&start=1000'), {
    kind: 'ids',
    traceIds: ['00000000000000000000000000000001'],
    timeRange: { startNanos: 1_000_000n, endNanos: (1n << 63n) - 1n },
  });
});

test('malformed parameters are InvalidQuery errors naming the parameter', () => {
  const cases: [string, RegExp][] = [
    ['start=yesterday', /param 'start'/],
    ['end=1.5', /param 'end'/],
    ['start=99999999999999999999', /param 'start'.*out of range/],
    ['limit=ten', /param 'limit'/],
    ['limit=-1', /param 'limit'/],
    ['limit=3000000000', /param 'limit'.*out of range/],
    ['minDuration=1', /param 'minDuration'.*missing unit/],
    ['maxDuration=fast', /param 'maxDuration'/],
    ['minDuration=-1s', /param 'minDuration'.*negative/],
    ['minDuration=2s&maxDuration=1s', /'maxDuration' should be greater than 'minDuration'/],
    ['lookback=1y', /param 'lookback'/],
    ['start=2000&end=1000', /'start' must not be after 'end'/],
    ['tag=novalue', /malformed 'tag' parameter, expecting key:value, received: novalue/],
    ['tags={bad', /malformed 'tags' parameter, cannot unmarshal JSON/],
    ['tags=[1]', /malformed 'tags' parameter/],
    ['tags={"a":1}', /malformed 'tags' parameter.*"a"/],
    ['traceID=xyz', /cannot parse traceID param/],
    ['traceID=', /cannot parse traceID param/],
    // As in Jaeger, parameters are checked even when traceID makes them unused.
    ['traceID=abc&limit=x', /param 'limit'/],
  ];
  for (const [query, message] of cases) {
    assert.throws(
      () => parse(query),
      (error: unknown) => isAriadneError(error, 'InvalidQuery') && message.test(error.message),
      query,
    );
  }
});
