import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import type { Hono } from 'hono';
import { openMemoryStore } from '../storage/memory/memory-store.js';
import { createJaegerQueryApi } from './jaeger/jaeger-query-api.js';
import { createJaegerV3Api } from './jaeger-v3/jaeger-v3-api.js';
import { formatWindow } from './query-caps.js';
import { createTempoApi } from './tempo/tempo-api.js';
import { createZipkinQueryApi } from './zipkin/zipkin-query-api.js';

const HOUR = 3_600_000_000_000n;
const NOW = 1_700_000_000_000_000_000n;
const NOW_S = Number(NOW / 1_000_000_000n);
const NOW_MS = Number(NOW / 1_000_000n);
const NOW_US = Number(NOW / 1_000n);
const now = () => NOW;
const store = openMemoryStore();

/** The answer's status and body text, for APIs whose error shapes differ. */
async function call(api: Hono, path: string): Promise<{ status: number; text: string }> {
  const response = await api.request(path);
  return { status: response.status, text: await response.text() };
}

async function refused(api: Hono, path: string, message: RegExp): Promise<string> {
  const { status, text } = await call(api, path);
  assert.equal(status, 400, `${path}: ${text}`);
  assert.match(text, message, path);
  return text;
}

async function answered(api: Hono, path: string): Promise<void> {
  const { status, text } = await call(api, path);
  assert.equal(status, 200, `${path}: ${text}`);
}

describe('query caps: over a maximum is a 400 naming the parameter and the maximum, in each API’s error shape', () => {
  test('Tempo: search and TraceQL limit and spss, windows, tag value limit, metrics windows (plain text)', async () => {
    const tempo = createTempoApi(store, { now });
    const week = `start=${NOW_S - 168 * 3600}&end=${NOW_S}`;
    await answered(tempo, `/api/search?q=%7B%7D&limit=1500&spss=100&${week}`);
    await answered(tempo, '/api/search?tags=a%3Db&limit=1500');
    const text = await refused(tempo, '/api/search?q=%7B%7D&limit=1501', /^limit 1501 is over the maximum of 1500$/);
    assert.doesNotMatch(text, /[{]/, 'Tempo answers errors as plain text');
    await refused(tempo, '/api/search?tags=a%3Db&limit=100000', /limit 100000 is over the maximum of 1500/);
    await refused(tempo, '/api/search?q=%7B%7D&spss=101', /^spss 101 is over the maximum of 100$/);
    await refused(
      tempo,
      `/api/search?q=%7B%7D&start=${NOW_S - 169 * 3600}&end=${NOW_S}`,
      /^the time window from 'start' to 'end' is 169h(.*), longer than the maximum of 168h \(--max-search-window\)/,
    );
    // Only one bound given: the window runs from the epoch, or to now.
    await refused(tempo, `/api/search?q=%7B%7D&end=${NOW_S}`, /longer than the maximum of 168h/);
    await refused(tempo, `/api/search?q=%7B%7D&start=${NOW_S - 200 * 3600}`, /is 200h, longer than/);
    // Neither: what the store holds, as Tempo searches its ingesters (the limit and the deadline bound it).
    await answered(tempo, '/api/search?q=%7B%7D');
    await refused(tempo, '/api/v2/search/tag/.a/values?limit=10001', /^limit 10001 is over the maximum of 10000$/);
    await answered(tempo, '/api/v2/search/tag/.a/values?limit=10000');
    const q = encodeURIComponent('{ } | rate()');
    await answered(tempo, `/api/metrics/query_range?q=${q}&${week}&step=1h`);
    await refused(
      tempo,
      `/api/metrics/query_range?q=${q}&start=${NOW_S - 169 * 3600}&end=${NOW_S}&step=1h`,
      /maximum of 168h/,
    );
    await refused(tempo, `/api/metrics/query?q=${q}&start=${NOW_S - 169 * 3600}`, /maximum of 168h/);
    // The operator's maximum.
    const narrow = createTempoApi(store, { now, maxSearchWindowNanos: HOUR });
    await refused(narrow, `/api/search?q=%7B%7D&start=${NOW_S - 7200}&end=${NOW_S}`, /is 2h, longer than .* 1h/);
  });

  test('Jaeger v1: search and TraceQL limit and windows, dependencies and monitor lookbacks (envelope)', async () => {
    const jaeger = createJaegerQueryApi(store, { now });
    await answered(jaeger, '/api/traces?service=a&limit=1500&lookback=7d');
    const text = await refused(jaeger, '/api/traces?service=a&limit=1501', /limit 1501 is over the maximum of 1500/);
    assert.deepEqual(JSON.parse(text).errors, [{ code: 400, msg: 'limit 1501 is over the maximum of 1500' }]);
    await refused(jaeger, '/api/traces?q=%7B%7D&limit=5000', /limit 5000 is over the maximum of 1500/);
    await refused(jaeger, '/api/traces?service=a&lookback=8d', /time window of 'lookback' is 192h, longer than .*168h/);
    await refused(
      jaeger,
      `/api/traces?q=%7B%7D&lookback=custom&start=${NOW_US - 169 * 3600e6}&end=${NOW_US}`,
      /time window from 'start' to 'end' is 169h/,
    );
    await answered(jaeger, `/api/dependencies?endTs=${NOW_MS}&lookback=${168 * 3600e3}`);
    await refused(jaeger, `/api/dependencies?endTs=${NOW_MS}&lookback=${169 * 3600e3}`, /of 'lookback' is 169h/);
    await refused(jaeger, `/api/metrics/calls?service=a&lookback=${169 * 3600e3}&step=3600000`, /maximum of 168h/);
  });

  test('Jaeger v3: search_depth and the start time window (gateway error)', async () => {
    const v3 = createJaegerV3Api(store);
    const window = (hours: number) =>
      `query.start_time_min=${new Date(NOW_MS - hours * 3600e3).toISOString()}&query.start_time_max=${new Date(NOW_MS).toISOString()}`;
    await answered(v3, `/api/v3/traces?${window(168)}&query.search_depth=1500`);
    const text = await refused(v3, `/api/v3/traces?${window(1)}&query.search_depth=1501`, /search_depth 1501/);
    assert.deepEqual(JSON.parse(text), {
      error: { httpCode: 400, message: 'query.search_depth 1501 is over the maximum of 1500' },
    });
    await refused(v3, `/api/v3/traces?${window(1)}&query.num_traces=2000`, /query.num_traces 2000 is over .* 1500/);
    await refused(v3, `/api/v3/traces?${window(169)}`, /from query.start_time_min to query.start_time_max is 169h/);
  });

  test('Zipkin: limit and lookback of searches and dependencies (plain text)', async () => {
    const zipkin = createZipkinQueryApi(store, { now });
    await answered(zipkin, `/api/v2/traces?limit=1500&lookback=${168 * 3600e3}`);
    await refused(zipkin, '/api/v2/traces?limit=1501', /^limit 1501 is over the maximum of 1500$/);
    await refused(zipkin, `/api/v2/traces?lookback=${169 * 3600e3}`, /^the time window of lookback is 169h, longer/);
    await refused(
      zipkin,
      `/api/v2/dependencies?endTs=${NOW_MS}&lookback=${169 * 3600e3}`,
      /of lookback is 169h, longer than the maximum of 168h/,
    );
  });
});

test('windows are written in the largest whole unit', () => {
  assert.equal(formatWindow(168n * HOUR), '168h');
  assert.equal(formatWindow(90n * 60_000_000_000n), '90m');
  assert.equal(formatWindow(HOUR + 1_000_000_000n), '3601s');
  assert.equal(formatWindow(HOUR + 1n), '1.0h');
  assert.equal(formatWindow(1_500_000n), '1.5ms');
});
