// Acceptance (issue 6, demo 2): bands-api and reviews-api propagate W3C
// traceparent and tracestate; responses carry the trace id, log lines carry
// trace and span ids; the one-request-per-review bug shows in the trace and
// the batch flag removes it; `npm run demo:bands` prints the JSON and the link.
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { after, before, test } from 'node:test';
import { promisify } from 'node:util';
import { OtlpHttpExporter } from '@ariadne/sdk';
import { BANDS_SERVICE_NAME, startBandsApi } from '../examples/bands-and-reviews/bands-api.js';
import { REVIEWS } from '../examples/bands-and-reviews/catalog.js';
import { REVIEWS_SERVICE_NAME, startReviewsApi } from '../examples/bands-and-reviews/reviews-api.js';
import type { RunningService } from '../examples/shared/running-service.js';
import { type TraceView, tag, waitForTrace } from '../examples/testing/jaeger-query.js';
import { startTestServer, type TestServer } from './support/test-server.js';

const ROOT = new URL('..', import.meta.url).pathname;
let ariadne: TestServer;
let reviews: RunningService;
let bands: RunningService;
const logLines: Record<string, unknown>[] = [];
const logStream = {
  write: (chunk: string) => {
    for (const line of chunk.trim().split('\n')) logLines.push(JSON.parse(line) as Record<string, unknown>);
  },
};

before(async () => {
  ariadne = await startTestServer({ storage: 'memory' });
  const exporter = () => new OtlpHttpExporter({ url: `${ariadne.otlpHttpUrl}/v1/traces`, env: {} });
  reviews = await startReviewsApi({ port: 0, exporters: [exporter()], logStream });
  bands = await startBandsApi({ port: 0, reviewsUrl: reviews.url, exporters: [exporter()], logStream });
});

after(async () => {
  await bands?.close();
  await reviews?.close();
  await ariadne?.dispose();
});

async function fetchBand(path: string): Promise<{ traceId: string; body: { reviews: { id: string }[] } }> {
  const response = await fetch(`${bands.url}${path}`);
  assert.equal(response.status, 200);
  const traceId = response.headers.get('x-trace-id') ?? '';
  assert.match(traceId, /^[0-9a-f]{32}$/, 'the response names its trace');
  return { traceId, body: (await response.json()) as { reviews: { id: string }[] } };
}

async function traceOf(traceId: string, spans: number): Promise<TraceView> {
  await bands.flush();
  await reviews.flush();
  return waitForTrace(ariadne.queryUrl, traceId, spans);
}

const band1Reviews = REVIEWS.filter((r) => r.bandId === '1');

test('the performance bug: one reviews-api request per review, each with W3C context', async () => {
  const { traceId, body } = await fetchBand('/bands/1');
  assert.deepEqual(
    body.reviews.map((r) => r.id),
    band1Reviews.map((r) => r.id),
  );
  // bands-api server + (1 list + N) × (client + server + db).
  const n = band1Reviews.length;
  const view = await traceOf(traceId, 1 + 3 * (n + 1));
  const root = view.span('GET /bands/:id', BANDS_SERVICE_NAME);
  assert.equal(view.parentOf(root), undefined);
  assert.equal(tag(root, 'reviews.batched'), false);
  const perReview = view.spans('GET /reviews/:id', REVIEWS_SERVICE_NAME);
  assert.equal(perReview.length, n, 'one request per review');
  assert.equal(view.spans('GET /reviews', REVIEWS_SERVICE_NAME).length, 1);
  for (const server of perReview) {
    const client = view.parentOf(server);
    assert.ok(client, 'each reviews-api span has the bands-api client span as parent');
    assert.equal(view.serviceOf(client), BANDS_SERVICE_NAME);
    assert.equal(tag(client, 'span.kind'), 'client');
    assert.equal(view.parentOf(client)?.spanID, root.spanID);
    // What crossed the hop: traceparent naming the client span, and tracestate with bands-api's member.
    assert.equal(tag(server, 'propagation.format'), 'w3c');
    assert.equal(tag(server, 'http.request.header.traceparent'), `00-${traceId}-${client.spanID}-01`);
    assert.equal(tag(server, 'http.request.header.tracestate'), 'bands=v1');
    assert.equal(tag(server, 'w3c.tracestate'), 'bands=v1');
    const db = view.spans('SELECT reviews').find((s) => view.parentOf(s)?.spanID === server.spanID);
    assert.equal(db && tag(db, 'db.system'), 'sqlite');
  }
});

test('the fix: ?batch=true makes one reviews-api request for the whole band', async () => {
  const { traceId, body } = await fetchBand('/bands/1?batch=true');
  assert.equal(body.reviews.length, band1Reviews.length);
  const view = await traceOf(traceId, 4);
  assert.equal(view.trace.spans.length, 4, 'bands-api server, client; reviews-api server, db');
  assert.equal(view.spans('GET /reviews/:id').length, 0);
  const list = view.span('GET /reviews', REVIEWS_SERVICE_NAME);
  assert.equal(tag(list, 'url.query'), 'bandId=1&include=full');
  assert.equal(tag(view.span('GET /bands/:id'), 'reviews.batched'), true);
});

test('the fix as a service flag (BANDS_BATCH_REVIEWS=1 in the CLI): batched without asking', async () => {
  const fixed = await startBandsApi({
    port: 0,
    reviewsUrl: reviews.url,
    batchReviews: true,
    exporters: [new OtlpHttpExporter({ url: `${ariadne.otlpHttpUrl}/v1/traces`, env: {} })],
    logStream,
  });
  try {
    const response = await fetch(`${fixed.url}/bands/1`);
    assert.equal(response.status, 200);
    await response.text();
    await fixed.flush();
    await reviews.flush();
    const view = await waitForTrace(ariadne.queryUrl, response.headers.get('x-trace-id') ?? '', 4);
    assert.equal(view.spans('GET /reviews/:id').length, 0);
    assert.equal(view.spans('GET /reviews', REVIEWS_SERVICE_NAME).length, 1);
  } finally {
    await fixed.close();
  }
});

test('log lines of both services carry the trace id and the span id they were written in', async () => {
  const { traceId } = await fetchBand('/bands/2');
  const view = await traceOf(traceId, 1 + 3 * 3);
  const mine = logLines.filter((l) => l.trace_id === traceId);
  const services = new Set(mine.map((l) => l.service));
  assert.deepEqual([...services].sort(), [BANDS_SERVICE_NAME, REVIEWS_SERVICE_NAME]);
  const fetching = mine.find((l) => l.msg === 'fetching reviews');
  assert.equal(fetching?.span_id, view.span('GET /bands/:id').spanID);
  const spanIds = new Set(view.trace.spans.map((s) => s.spanID));
  for (const line of mine)
    assert.ok(spanIds.has(String(line.span_id)), `log line's span is in the trace: ${JSON.stringify(line)}`);
});

test('npm run demo:bands prints the band JSON and the link to its trace', async () => {
  const { stdout } = await promisify(execFile)(
    process.execPath,
    ['--conditions=ariadne-source', '--import', 'tsx', 'examples/bands-and-reviews/fetch-band.ts', '3'],
    { cwd: ROOT, env: { ...process.env, BANDS_URL: bands.url, ARIADNE_UI_URL: 'http://ui.example:16686' } },
  );
  const link = /Trace: http:\/\/ui\.example:16686\/trace\/([0-9a-f]{32})/.exec(stdout);
  assert.ok(link, `a trace link in:\n${stdout}`);
  const json = JSON.parse(stdout.slice(0, stdout.indexOf('\nTrace:'))) as { name: string; reviews: unknown[] };
  assert.equal(json.name, 'Sampled at One');
  assert.equal(json.reviews.length, 1);
  const view = await traceOf(link[1] as string, 7);
  assert.equal(view.span('GET /bands/:id').tags.find((t) => t.key === 'band.id')?.value, '3');
});
