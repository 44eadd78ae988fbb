// Issue 16, in headless Chromium: a Zipkin call whose client half (shop) and
// shared server half (cart) carry one span id, and a child of that id in cart.
// The trace page nests them as Jaeger's UI would after Jaeger's span-id
// deduper: the server half (with an id of its own) under the client half, the
// child under the server half, and the server half's details keep the id it
// was sent with.
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import type { Browser } from 'playwright-core';
import { artifactPath, launchChromium } from './support/browser.js';
import { startTestServer, type TestServer } from './support/test-server.js';

const TRACE = '463ac35c9f6413ad48485a3953bb6124';
const SHARED_ID = '00000000000000a1';
const CHILD_ID = '00000000000000b2';

let server: TestServer;
let browser: Browser;

before(async () => {
  server = await startTestServer();
  const t = (Date.now() - 60_000) * 1000;
  const response = await fetch(`${server.urlOf('zipkin')}/api/v2/spans`, {
    method: 'POST',
    headers: { 'Content-Type': 'application/json' },
    body: JSON.stringify([
      {
        traceId: TRACE,
        id: SHARED_ID,
        kind: 'CLIENT',
        name: 'get /cart',
        timestamp: t,
        duration: 9000,
        localEndpoint: { serviceName: 'shop' },
      },
      {
        traceId: TRACE,
        id: SHARED_ID,
        kind: 'SERVER',
        name: 'get /cart',
        timestamp: t + 1000,
        duration: 7000,
        localEndpoint: { serviceName: 'cart' },
        shared: true,
      },
      {
        traceId: TRACE,
        parentId: SHARED_ID,
        id: CHILD_ID,
        name: 'select items',
        timestamp: t + 2000,
        duration: 3000,
        localEndpoint: { serviceName: 'cart' },
      },
    ]),
  });
  assert.equal(response.status, 202);
  // The spans reach the store a moment after the 202.
  for (let attempt = 0; ; attempt++) {
    const trace = await fetch(`${server.queryUrl}/api/traces/${TRACE}`);
    const body = trace.status === 200 ? ((await trace.json()) as { data: { spans: unknown[] }[] }) : undefined;
    if (body === undefined) await trace.body?.cancel();
    if (body?.data[0]?.spans.length === 3) break;
    if (attempt === 400) throw new Error('the trace did not arrive');
    await new Promise((resolve) => setTimeout(resolve, 25));
  }
  browser = await launchChromium();
});

after(async () => {
  await browser?.close();
  await server?.dispose();
});

test('the server half nests under the client half, the child under the server half', async () => {
  const page = await browser.newPage({ viewport: { width: 1400, height: 900 } });
  const pageErrors: string[] = [];
  page.on('pageerror', (error) => pageErrors.push(error.message));

  await page.goto(`${server.queryUrl}/trace/${TRACE}`);
  const rows = page.getByTestId('timeline-row');
  await rows.nth(2).waitFor();

  const seen = await rows.evaluateAll((elements) =>
    elements.map((row) => ({
      spanId: row.getAttribute('data-span-id'),
      level: row.getAttribute('aria-level'),
      text: row.querySelector('.timeline-names')?.textContent ?? '',
    })),
  );
  assert.equal(seen.length, 3, JSON.stringify(seen));
  const [client, serverHalf, child] = seen;
  assert.deepEqual(client, { spanId: SHARED_ID, level: '1', text: 'shopget /cart' });
  assert.equal(serverHalf?.level, '2');
  assert.equal(serverHalf?.text, 'cartget /cart');
  assert.match(serverHalf?.spanId ?? '', /^[0-9a-f]{16}$/);
  assert.notEqual(serverHalf?.spanId, SHARED_ID);
  assert.deepEqual(child, { spanId: CHILD_ID, level: '3', text: 'cartselect items' });

  // The server half's details: the span as sent, and the id it was sent with.
  await page.locator(`[data-testid="timeline-row"][data-span-id="${serverHalf?.spanId}"]`).click();
  const detail = page.locator('[data-testid="span-detail"][aria-busy="false"]');
  await detail.waitFor();
  const detailText = (await detail.textContent()) ?? '';
  assert.match(detailText, /zipkin\.original_span_id/);
  assert.match(detailText, new RegExp(SHARED_ID));
  await page.screenshot({ path: artifactPath('zipkin-shared-spans.png'), fullPage: true });

  // Collapsing the client half hides both spans of cart.
  await page
    .locator(`[data-testid="timeline-row"][data-span-id="${SHARED_ID}"] [data-testid="timeline-toggle"]`)
    .click();
  await page.locator(`[data-testid="timeline-row"][data-span-id="${CHILD_ID}"]`).waitFor({ state: 'detached' });
  assert.equal(await rows.count(), 1);

  assert.deepEqual(pageErrors, []);
});
