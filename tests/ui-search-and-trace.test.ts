// Acceptance (ground floor): in headless Chromium, the UI searches, opens a
// trace sent by the OpenTelemetry SDK and shows its spans on the timeline.
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { OTLPTraceExporter } from '@opentelemetry/exporter-trace-otlp-proto';
import type { Browser } from 'playwright-core';
import { artifactPath, launchChromium } from './support/browser.js';
import { SERVICE_NAME, type SentTrace, sendKnownTrace } from './support/otel-sdk-trace.js';
import { startTestServer, type TestServer } from './support/test-server.js';

let server: TestServer;
let browser: Browser;
let sent: SentTrace;

before(async () => {
  server = await startTestServer();
  sent = await sendKnownTrace(new OTLPTraceExporter({ url: `${server.otlpHttpUrl}/v1/traces` }));
  browser = await launchChromium();
});

after(async () => {
  await browser?.close();
  await server?.dispose();
});

test('search finds the trace, the trace page shows its spans and their details', async () => {
  const page = await browser.newPage({ viewport: { width: 1400, height: 900 } });
  const pageErrors: string[] = [];
  page.on('pageerror', (error) => pageErrors.push(error.message));

  await page.goto(`${server.queryUrl}/search`);
  const serviceSelect = page.getByTestId('search-service');
  await serviceSelect.locator(`option[value="${SERVICE_NAME}"]`).waitFor({ state: 'attached' });
  await serviceSelect.selectOption(SERVICE_NAME);
  await page.getByTestId('search-submit').click();

  const result = page.locator(`[data-testid="trace-result"][data-trace-id="${sent.traceId}"]`);
  await result.waitFor();
  await page.screenshot({ path: artifactPath('ground-floor-search.png'), fullPage: true });
  await result.click();

  await page.getByTestId('trace-page').waitFor();
  await page.waitForURL(`**/trace/${sent.traceId}`);
  const rows = page.getByTestId('timeline-row');
  await rows.nth(1).waitFor();
  assert.equal(await rows.count(), 2);
  assert.match((await page.getByTestId('trace-header').textContent()) ?? '', /POST \/checkout/);

  await page.locator(`[data-testid="timeline-row"][data-span-id="${sent.childSpanId}"]`).click();
  const detail = page.locator('[data-testid="span-detail"][aria-busy="false"]');
  await detail.waitFor();
  const detailText = (await detail.textContent()) ?? '';
  assert.match(detailText, /charge card/);
  assert.match(detailText, /card declined/);
  await page.screenshot({ path: artifactPath('ground-floor-trace.png'), fullPage: true });

  // Collapsing the root hides its child.
  await page
    .locator(`[data-testid="timeline-row"][data-span-id="${sent.rootSpanId}"] [data-testid="timeline-toggle"]`)
    .click();
  await page.locator(`[data-testid="timeline-row"][data-span-id="${sent.childSpanId}"]`).waitFor({ state: 'detached' });
  assert.equal(await rows.count(), 1);

  assert.deepEqual(pageErrors, []);
});

test('a trace page opened directly (deep link) loads, and an unknown trace says so', async () => {
  const page = await browser.newPage();
  await page.goto(`${server.queryUrl}/trace/${sent.traceId}`);
  await page.getByTestId('timeline-row').nth(1).waitFor();
  await page.goto(`${server.queryUrl}/trace/0123456789abcdef0123456789abcdef`);
  await page
    .getByText(/not found/i)
    .first()
    .waitFor();
});
