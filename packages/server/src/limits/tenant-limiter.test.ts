import assert from 'node:assert/strict';
import { test } from 'node:test';
import { type AriadneError, isAriadneError } from '@ariadne/protocol';
import { IngestMetrics } from '../telemetry/ingest-metrics.js';
import { parseTenantId } from '../tenancy/tenant-id.js';
import { TenantLimiter } from './tenant-limiter.js';
import { parseTenantLimits } from './tenant-limits-file.js';

const A = parseTenantId('tenant-a');
const B = parseTenantId('tenant-b');
const HOUR = 3_600_000_000_000n;

function setUp(file: string) {
  let now = 0;
  const metrics = new IngestMetrics();
  const limiter = new TenantLimiter(parseTenantLimits(file), { now: () => now, metrics });
  return { limiter, metrics, advance: (ms: number) => (now += ms) };
}

function refusal(run: () => unknown): AriadneError {
  try {
    run();
  } catch (error) {
    assert.ok(isAriadneError(error), String(error));
    return error;
  }
  assert.fail('not refused');
}

const RATES = `
overrides:
  tenant-a:
    ingestion: { rate_limit_spans: 100, burst_size_spans: 200, rate_limit_bytes: 1000 }
`;

test('a tenant over its span rate is refused with the wait its bucket needs; another tenant is not', () => {
  const { limiter, metrics, advance } = setUp(RATES);
  limiter.admitSpans(A, 150);
  limiter.admitSpans(A, 50);
  const error = refusal(() => limiter.admitSpans(A, 150, 4_000));
  assert.equal(error.kind, 'RateLimited');
  assert.equal(error.retryAfterSeconds, 2); // 150 spans at 100/s: 1.5 s, rounded up
  assert.match(
    error.message,
    /tenant "tenant-a" is over its ingest limit of 100 spans per second \(rate_limit_spans\)/,
  );
  for (let i = 0; i < 100; i++) limiter.admitSpans(B, 10_000);
  advance(1_500);
  limiter.admitSpans(A, 150);
  assert.equal(
    metrics.registry.render().includes('ariadne_tenant_spans_refused_total{reason="spans_rate",tenant="tenant-a"} 150'),
    true,
  );
  assert.equal(
    metrics.registry
      .render()
      .includes('ariadne_tenant_bytes_refused_total{reason="spans_rate",tenant="tenant-a"} 4000'),
    true,
  );
});

test('bytes have their own bucket; a burst defaults to one second of the rate', () => {
  const { limiter, advance } = setUp(RATES);
  limiter.admitBytes(A, 1_000);
  const error = refusal(() => limiter.admitBytes(A, 10));
  assert.equal(error.kind, 'RateLimited');
  assert.equal(error.retryAfterSeconds, 1);
  assert.match(error.message, /1000 bytes per second \(rate_limit_bytes\)/);
  advance(10);
  limiter.admitBytes(A, 10);
  limiter.admitBytes(B, 1_000_000);
});

test('one request larger than the burst could never pass: it is too large, not "retry later"', () => {
  const { limiter, metrics } = setUp(RATES);
  const error = refusal(() => limiter.admitSpans(A, 201));
  assert.equal(error.kind, 'PayloadTooLarge');
  assert.match(error.message, /201 spans, more than tenant "tenant-a" may send at once \(burst_size_spans 200\)/);
  assert.ok(
    metrics.registry
      .render()
      .includes('ariadne_tenant_spans_refused_total{reason="burst_exceeded",tenant="tenant-a"} 201'),
  );
  limiter.admitSpans(A, 200); // nothing was taken by the refusal
});

test('defaults apply to every tenant, and 0 lifts a default for one', () => {
  const { limiter } = setUp(`
defaults:
  ingestion: { rate_limit_spans: 10 }
overrides:
  tenant-b:
    ingestion: { rate_limit_spans: 0 }
`);
  limiter.admitSpans(A, 10);
  assert.equal(refusal(() => limiter.admitSpans(A, 1)).kind, 'RateLimited');
  limiter.admitSpans(parseTenantId('someone-else'), 10);
  for (let i = 0; i < 10; i++) limiter.admitSpans(B, 1_000);
});

test('concurrent searches are bounded per tenant, and a release frees a place once', () => {
  const { limiter, metrics } = setUp('overrides:\n  tenant-a:\n    read: { max_concurrent_searches: 2 }\n');
  const week = { startNanos: 0n, endNanos: 168n * HOUR };
  const first = limiter.startSearch(A, week);
  const second = limiter.startSearch(A, week);
  const error = refusal(() => limiter.startSearch(A, week));
  assert.equal(error.kind, 'RateLimited');
  assert.equal(error.retryAfterSeconds, 1);
  assert.match(error.message, /already runs 2 searches/);
  const others = [1, 2, 3].map(() => limiter.startSearch(B, week));
  first();
  first();
  assert.equal(limiter.runningSearches(A), 1);
  const third = limiter.startSearch(A, week);
  assert.equal(refusal(() => limiter.startSearch(A, week)).kind, 'RateLimited');
  for (const release of [second, third, ...others]) release();
  assert.equal(limiter.runningSearches(A), 0);
  assert.ok(
    metrics.registry
      .render()
      .includes('ariadne_tenant_searches_refused_total{reason="concurrent_searches",tenant="tenant-a"} 2'),
  );
});

test('a search window longer than the tenant may search is a 400 naming the limit', () => {
  const { limiter, metrics } = setUp('overrides:\n  tenant-a:\n    read: { max_search_duration: 24h }\n');
  limiter.startSearch(A, { startNanos: 0n, endNanos: 24n * HOUR })();
  const error = refusal(() => limiter.startSearch(A, { startNanos: 0n, endNanos: 48n * HOUR + 90n * 60_000_000_000n }));
  assert.equal(error.kind, 'InvalidQuery');
  assert.match(error.message, /covers 49h30m; tenant "tenant-a" may search at most 24h at once \(max_search_duration/);
  limiter.startSearch(B, { startNanos: 0n, endNanos: 1000n * HOUR })();
  assert.ok(
    metrics.registry
      .render()
      .includes('ariadne_tenant_searches_refused_total{reason="search_window",tenant="tenant-a"} 1'),
  );
});

test('reload applies new limits from then on', () => {
  const { limiter } = setUp(RATES);
  limiter.admitSpans(A, 200);
  assert.equal(refusal(() => limiter.admitSpans(A, 1)).kind, 'RateLimited');
  limiter.reload(parseTenantLimits('overrides:\n  tenant-a:\n    ingestion: { rate_limit_spans: 1000 }\n'));
  limiter.admitSpans(A, 1_000);
  assert.equal(limiter.limitsOf(A).spansPerSecond, 1_000);
});

test('many tenants sending once leave no state behind once their buckets are full again', () => {
  const { limiter, advance } = setUp('defaults:\n  ingestion: { rate_limit_spans: 10 }\n');
  for (let i = 0; i < 5_000; i++) {
    limiter.admitSpans(parseTenantId(`t${i}`), 1);
    advance(1);
  }
  // Every bucket refills in 100 ms: the sweeps keep the map near its threshold, not at 5,000.
  assert.ok(limiter.trackedTenants <= 1_024, `kept ${limiter.trackedTenants} tenants' buckets`);
  assert.ok(limiter.trackedTenants > 0);
});
