// A trace of 1,000,000 spans (8 services, a random tree 18 levels deep, 5
// attributes each, sent over OTLP in requests of 5,000) in headless
// Chromium: the trace page opens it, scrolls it, finds a span at the deepest
// level late in the trace, shows that span's details, and opens the flame
// graph, the spans table, the statistics and the service graph. Slow on a busy
// machine (most of it is the server taking the spans): each stage's wall
// time is reported (`UI_MILLION_SPANS` sets another size). On a loaded
// machine the file can outlast the runner's default of five minutes a file:
// `node scripts/test.mjs --test-timeout=1800000 tests/ui-million-spans.test.ts`.
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import type { Browser } from 'playwright-core';
import {
  DEEP_TRACE_SERVICES,
  type DeepTraceFacts,
  deepTraceRequests,
  sendDeepTrace,
} from '../bench/workload/deep-trace.js';
import { artifactPath, launchChromium } from './support/browser.js';
import { startTestServer, type TestServer } from './support/test-server.js';

const SPANS = Number(process.env.UI_MILLION_SPANS ?? 1_000_000);
/** Bounds only a hang misses, even on a busy shared machine. */
const OPEN_TIMEOUT_MS = 10 * 60_000;
const SEND_TIMEOUT_MS = 20 * 60_000;

let server: TestServer;
let browser: Browser;
let facts: DeepTraceFacts;
const wallMs: Record<string, number> = {};

before(
  async () => {
    server = await startTestServer();
    const t0 = performance.now();
    const sent = deepTraceRequests({ spanCount: SPANS, startMillis: Date.now() - 700_000 });
    await sendDeepTrace(server.otlpHttpUrl, sent.bodies);
    facts = sent.facts;
    wallMs['generate and send'] = performance.now() - t0;
    browser = await launchChromium();
  },
  { timeout: SEND_TIMEOUT_MS },
);

after(async () => {
  await browser?.close();
  await server?.dispose();
  console.log(
    `wall times for ${SPANS.toLocaleString('en')} spans (ms): ${Object.entries(wallMs)
      .map(([step, ms]) => `${step} ${Math.round(ms)}`)
      .join(', ')}`,
  );
});

test(`a trace of ${SPANS.toLocaleString('en')} spans opens, scrolls, finds a deep span, shows its details and its other views`, {
  timeout: 4 * OPEN_TIMEOUT_MS,
}, async () => {
  assert.equal(facts.needleDepth, 17);
  const page = await browser.newPage({ viewport: { width: 1400, height: 900 } });
  const pageErrors: string[] = [];
  page.on('pageerror', (error) => pageErrors.push(error.message));
  page.setDefaultTimeout(OPEN_TIMEOUT_MS);

  let t0 = performance.now();
  await page.goto(`${server.queryUrl}/trace/${facts.traceId}`);
  await page.locator(`[data-testid="timeline-row"][data-span-id="${facts.rootSpanId}"]`).waitFor();
  wallMs.open = performance.now() - t0;
  assert.match((await page.getByTestId('trace-header').textContent()) ?? '', new RegExp(SPANS.toLocaleString('en')));
  const rows = page.getByTestId('timeline-row');
  // Only a screenful (and a few more) of a million rows is in the page.
  assert.ok((await rows.count()) < 200, `${await rows.count()} rows drawn`);

  // Scroll to the middle: the rows there are drawn, the root's is not, and the minimap's window follows.
  t0 = performance.now();
  await page.getByTestId('timeline-body').evaluate((body, spans) => {
    body.scrollTop = (spans / 2) * 28;
  }, SPANS);
  await page.locator(`[data-testid="timeline-row"][data-span-id="${facts.rootSpanId}"]`).waitFor({ state: 'detached' });
  await page.waitForFunction(() => {
    const top = Number.parseFloat(document.querySelector('[data-testid="minimap-window"]')?.style.top ?? '');
    return top > 40 && top < 60;
  });
  assert.ok((await rows.count()) > 10);
  wallMs.scroll = performance.now() - t0;

  // Find the deep span by its name: one match, brought on screen (its ancestors expanded).
  t0 = performance.now();
  // The page asks the server to search attributes too, once the typing pauses: the details below
  // are asked for while that search runs (they must not wait for it).
  const searchStarted = page.waitForRequest((request) => request.url().includes(`/${facts.traceId}/search?`));
  await page.getByTestId('trace-find').fill(facts.needleName);
  await page.getByTestId('trace-find-count').filter({ hasText: '1 of 1' }).waitFor();
  const needle = page.locator(`[data-testid="timeline-row"][data-span-id="${facts.needleSpanId}"]`);
  await needle.waitFor();
  wallMs.find = performance.now() - t0;
  assert.equal(await needle.getAttribute('aria-level'), String(facts.needleDepth + 1));

  // Its details come from the server: the attribute only it has.
  await searchStarted;
  t0 = performance.now();
  await needle.click();
  const detail = page.locator('[data-testid="span-detail"][aria-busy="false"]');
  await detail.waitFor();
  const text = (await detail.textContent()) ?? '';
  assert.match(text, /needle in the haystack/);
  assert.match(text, /found me/);
  wallMs.details = performance.now() - t0;
  await page.screenshot({ path: artifactPath('million-spans-trace.png') });

  // The other views open on the same page and show their content: drawn or aggregated from the
  // trace's columns, without a node per span.
  t0 = performance.now();
  await page.getByTestId('view-flame').click();
  await page.getByTestId('flame-graph').locator('canvas').waitFor();
  // A million spans: most are narrower than a pixel, and the view says it merged them.
  assert.match((await page.getByTestId('flame-merged').textContent()) ?? '', /Aggregated/);
  // Some pixel of its top rows is painted (a string: the tests compile without the canvas's types).
  const flameDrawn = await page.evaluate(`(() => {
    const canvas = document.querySelector('[data-testid="flame-graph"] canvas');
    const pixels = canvas.getContext('2d').getImageData(0, 0, canvas.width, Math.min(canvas.height, 40)).data;
    for (let i = 3; i < pixels.length; i += 4) if (pixels[i] > 0) return true;
    return false;
  })()`);
  assert.ok(flameDrawn, 'the flame graph drew something');
  wallMs.flame = performance.now() - t0;

  t0 = performance.now();
  await page.getByTestId('view-table').click();
  await page.getByTestId('span-table-row').first().waitFor();
  assert.ok((await page.getByTestId('span-table-row').count()) < 200, 'the table draws a screenful');
  wallMs.table = performance.now() - t0;

  t0 = performance.now();
  await page.getByTestId('view-stats').click();
  await page.getByTestId('trace-statistics-row').first().waitFor();
  // Every span counted: the per-operation counts add up to the trace's size.
  const counts = await page
    .getByTestId('trace-statistics-row')
    .evaluateAll((rows) => rows.map((row) => Number((row.children[2]?.textContent ?? '').replace(/,/g, ''))));
  assert.equal(
    counts.reduce((sum, n) => sum + n, 0),
    SPANS,
  );
  wallMs.statistics = performance.now() - t0;

  t0 = performance.now();
  await page.getByTestId('view-graph').click();
  await page.getByTestId('service-graph-node').first().waitFor();
  assert.equal(await page.getByTestId('service-graph-node').count(), DEEP_TRACE_SERVICES);
  assert.ok((await page.getByTestId('service-graph-edge').count()) > 0);
  wallMs.graph = performance.now() - t0;
  assert.deepEqual(pageErrors, []);
});
