// Limits per tenant end to end (issue 14): with --multitenancy and a --limits
// file, tenant A, loaded past its spans-per-second limit, is throttled (429
// with Retry-After, its acknowledged spans within limit × time + burst) while
// tenant B, loaded at the same time and without a limit, has every request
// acknowledged; B's p99 with and without A's load is printed as a report, not
// asserted. Then: gRPC RESOURCE_EXHAUSTED with RetryInfo, a tenant's
// concurrent searches and its longest search window, and the counters on /metrics.
import assert from 'node:assert/strict';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { encodeOtlpTraceRequestJson, encodeOtlpTraceRequestProto, makeSpan, type Span } from '@ariadne/protocol';
import { type ServiceError, status } from '@grpc/grpc-js';
import type { ServeConfig } from '../packages/server/src/app/serve-config.js';
import { parseServeArgs } from '../packages/server/src/cli/serve-command.js';
import { RETRY_INFO_TYPE_URL } from '../packages/server/src/receivers/grpc/grpc-ingest-error.js';
import { rawIngestClient } from '../packages/server/src/receivers/grpc/testing/raw-ingest-client.js';
import { makeTempDir, removeTempDir, startTestServer, type TestServer } from './support/test-server.js';

const A_RATE = 200;
const A_BURST = 100;
const LIMITS = `
overrides:
  tenant-a:
    ingestion:
      rate_limit_spans: ${A_RATE}
      burst_size_spans: ${A_BURST}
    read:
      max_concurrent_searches: 1
      max_search_duration: 2h
  tenant-c:
    ingestion: { rate_limit_spans: 1, burst_size_spans: 10 }
`;
const SPANS_PER_REQUEST = 10;
const RUN_MS = 3_000;

let server: TestServer;
let dir: string;

before(async () => {
  dir = makeTempDir('ariadne-limits-');
  const file = join(dir, 'limits.yaml');
  writeFileSync(file, LIMITS);
  // Through the flag, as an operator would start it.
  const parsed = parseServeArgs(['--multitenancy', '--limits', file]) as ServeConfig;
  server = await startTestServer({
    multitenancy: true,
    ...(parsed.tenantLimits ? { tenantLimits: parsed.tenantLimits } : {}),
    tenantLimitsFile: file,
    // Acknowledge when the store has the spans, however long a busy machine makes that: a 429 here is the limit's alone.
    ingestAnswerMs: 0,
  });
});

after(async () => {
  await server?.dispose();
  removeTempDir(dir);
});

let traceCounter = 0;
function spans(count: number): Span[] {
  const traceId = (++traceCounter).toString(16).padStart(32, '0');
  const start = BigInt(Date.now()) * 1_000_000n;
  return Array.from({ length: count }, (_, i) =>
    makeSpan({ traceId, spanId: (i + 1).toString(16).padStart(16, '0'), service: 'limits', startTimeUnixNano: start }),
  );
}

interface Answer {
  readonly status: number;
  readonly retryAfter: string | null;
  readonly text: string;
  readonly ms: number;
}

async function post(tenant: string, count = SPANS_PER_REQUEST): Promise<Answer> {
  const started = performance.now();
  const response = await fetch(`${server.otlpHttpUrl}/v1/traces`, {
    method: 'POST',
    headers: { 'Content-Type': 'application/json', 'X-Scope-OrgID': tenant },
    body: encodeOtlpTraceRequestJson(spans(count)),
  });
  const text = await response.text();
  return {
    status: response.status,
    retryAfter: response.headers.get('retry-after'),
    text,
    ms: performance.now() - started,
  };
}

/** Sends from `workers` clients, each one request after another, until `until` says stop. */
async function load(tenant: string, workers: number, until: () => boolean): Promise<Answer[]> {
  const answers: Answer[] = [];
  await Promise.all(
    Array.from({ length: workers }, async () => {
      while (!until()) answers.push(await post(tenant));
    }),
  );
  return answers;
}

function p99(answers: readonly Answer[]): number {
  const sorted = answers.map((a) => a.ms).sort((x, y) => x - y);
  return sorted[Math.min(sorted.length - 1, Math.floor(sorted.length * 0.99))] ?? Number.NaN;
}

async function metric(line: string): Promise<number> {
  const text = await (await fetch(`${server.queryUrl}/metrics`)).text();
  const found = text.split('\n').find((l) => l.startsWith(`${line} `));
  return found === undefined ? 0 : Number(found.slice(line.length + 1));
}

test('tenant A is throttled at its limit while tenant B, loaded at the same time, is always acknowledged', async () => {
  // Each tenant's first request opens its stores: done before anything is measured.
  assert.equal((await post('tenant-b')).status, 200);
  assert.equal((await post('tenant-a')).status, 200);

  let stopAt = performance.now() + RUN_MS / 2;
  const alone = await load('tenant-b', 2, () => performance.now() >= stopAt);

  stopAt = performance.now() + RUN_MS;
  const aStarted = performance.now();
  const [aAnswers, bAnswers] = await Promise.all([
    load('tenant-a', 4, () => performance.now() >= stopAt),
    load('tenant-b', 2, () => performance.now() >= stopAt),
  ]);
  const aSeconds = (performance.now() - aStarted) / 1000;

  const aAcked = aAnswers.filter((a) => a.status === 200).length * SPANS_PER_REQUEST;
  const aLimited = aAnswers.filter((a) => a.status === 429);
  console.log(
    `tenant B p99 alone ${p99(alone).toFixed(1)} ms (${alone.length} requests), with A's load ${p99(bAnswers).toFixed(1)} ms (${bAnswers.length} requests); ` +
      `tenant A: ${aAnswers.length} requests, ${aLimited.length} answered 429, ${aAcked} spans acknowledged in ${aSeconds.toFixed(2)} s ` +
      `(${(aAcked / aSeconds).toFixed(0)} spans/s; limit ${A_RATE}/s, burst ${A_BURST})`,
  );

  const bRefused = [...alone, ...bAnswers].filter((a) => a.status !== 200);
  assert.deepEqual(
    bRefused.map((a) => `${a.status} ${a.text}`),
    [],
    'every request of B is acknowledged',
  );
  assert.ok(aLimited.length > 0, 'A was throttled');
  for (const answer of aLimited) {
    // OTLP/HTTP's google.rpc.Status (JSON here), code 8: RESOURCE_EXHAUSTED.
    assert.match(answer.text, /"code":8,.*is over its ingest limit of 200 spans per second/);
    assert.ok(Number(answer.retryAfter) >= 1, `Retry-After ${answer.retryAfter}`);
  }
  assert.deepEqual(
    aAnswers.filter((a) => a.status !== 200 && a.status !== 429).map((a) => `${a.status} ${a.text}`),
    [],
    'A is only ever told to retry',
  );
  assert.ok(aAcked > 0, 'A still gets its rate through');
  assert.ok(aAcked <= A_RATE * aSeconds + A_BURST, `A acknowledged ${aAcked} spans in ${aSeconds} s`);

  // Counted per tenant on /metrics.
  assert.ok(
    (await metric('ariadne_tenant_spans_refused_total{reason="spans_rate",tenant="tenant-a"}')) >=
      aLimited.length * SPANS_PER_REQUEST,
  );
  assert.equal(
    await metric('ariadne_tenant_spans_accepted_total{tenant="tenant-b"}'),
    (1 + alone.length + bAnswers.length) * SPANS_PER_REQUEST,
  );
  assert.equal(await metric('ariadne_tenant_spans_refused_total{reason="spans_rate",tenant="tenant-b"}'), 0);
  assert.ok((await metric('ariadne_tenant_bytes_accepted_total{tenant="tenant-a"}')) > 0);
});

test('over its rate over gRPC, a tenant is RESOURCE_EXHAUSTED with a RetryInfo of the wait its bucket needs', async () => {
  const client = rawIngestClient(server.urlOf('otlpGrpc').replace(/^grpc:\/\//, ''));
  try {
    const send = () => client.call('Export', encodeOtlpTraceRequestProto(spans(10)), { 'x-scope-orgid': 'tenant-c' });
    await send(); // the burst: 10 spans
    await assert.rejects(send(), (error: ServiceError) => {
      assert.equal(error.code, status.RESOURCE_EXHAUSTED);
      assert.match(error.details, /tenant "tenant-c" is over its ingest limit of 1 spans per second/);
      const [details] = error.metadata.get('grpc-status-details-bin') as Buffer[];
      assert.ok(details, 'grpc-status-details-bin is sent');
      assert.ok(details.toString('latin1').includes(RETRY_INFO_TYPE_URL), 'a google.rpc.RetryInfo detail');
      // RetryInfo{retry_delay: Duration{seconds}}: 10 spans at 1 per second, less what came back since the
      // first call (which opened the tenant's stores: seconds on a busy machine).
      const at = details.lastIndexOf(Buffer.from([0x0a, 0x02, 0x08]));
      const seconds = details[at + 3];
      assert.ok(at > 0 && seconds !== undefined && seconds >= 1 && seconds <= 10, details.toString('hex'));
      return true;
    });
    // A request larger than the burst could never pass: too large, with no RetryInfo.
    await assert.rejects(
      client.call('Export', encodeOtlpTraceRequestProto(spans(11)), { 'x-scope-orgid': 'tenant-c' }),
      (error: ServiceError) =>
        error.code === status.RESOURCE_EXHAUSTED &&
        /burst_size_spans 10/.test(error.details) &&
        error.metadata.get('grpc-status-details-bin').length === 0,
    );
  } finally {
    client.close();
  }
});

const HOUR_US = 3_600_000_000;

/**
 * A search that finds nothing (what it would find does not matter here, and a
 * search of the embedded store whose results are read back fails today on
 * main: see the report).
 */
function jaegerSearch(tenant: string, hours = 1): Promise<Response> {
  const end = Date.now() * 1000;
  return fetch(`${server.queryUrl}/api/traces?service=none-such&start=${end - hours * HOUR_US}&end=${end}&limit=20`, {
    headers: { 'X-Scope-OrgID': tenant },
  });
}

test("a tenant past its concurrent searches is answered 429 with Retry-After in the API's own shape; others are not", async () => {
  let refused: Response | undefined;
  // Searches run on the store's thread: of several sent at once, the second arrives while the first runs.
  for (let round = 0; round < 50 && refused === undefined; round++) {
    const answers = await Promise.all(Array.from({ length: 8 }, () => jaegerSearch('tenant-a')));
    refused = answers.find((r) => r.status === 429);
    for (const answer of answers) {
      if (answer !== refused) assert.ok([200, 429].includes(answer.status), `${answer.status} ${await answer.text()}`);
    }
  }
  assert.ok(refused, "one of tenant A's simultaneous searches was refused");
  assert.equal(refused.headers.get('retry-after'), '1');
  const body = (await refused.json()) as { data: unknown; errors: { code: number; msg: string }[] };
  assert.equal(body.data, null);
  assert.equal(body.errors[0]?.code, 429);
  assert.match(body.errors[0]?.msg ?? '', /tenant "tenant-a" already runs 1 searches/);
  const forB = await Promise.all(Array.from({ length: 8 }, () => jaegerSearch('tenant-b')));
  assert.deepEqual(
    forB.map((r) => r.status),
    Array(8).fill(200),
  );
  assert.ok(
    (await metric('ariadne_tenant_searches_refused_total{reason="concurrent_searches",tenant="tenant-a"}')) >= 1,
  );
});

test("a search longer than the tenant's window is a 400 naming the limit, on Jaeger's API and Tempo's", async () => {
  const jaeger = await jaegerSearch('tenant-a', 3);
  assert.equal(jaeger.status, 400);
  assert.match(await jaeger.text(), /may search at most 2h at once \(max_search_duration/);
  assert.equal((await jaegerSearch('tenant-b', 3)).status, 200);
  const end = Math.floor(Date.now() / 1000);
  const tempo = await fetch(
    `${server.urlOf('tempo')}/api/search?tags=service.name%3Dlimits&start=${end - 3 * 3600}&end=${end}`,
    {
      headers: { 'X-Scope-OrgID': 'tenant-a' },
    },
  );
  assert.equal(tempo.status, 400);
  assert.match(await tempo.text(), /max_search_duration/);
});
