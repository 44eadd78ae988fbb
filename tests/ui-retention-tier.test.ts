// Acceptance (issue 17): a trace past the short retention window, kept by a
// policy, shows the kept-tier badge and the policy in the search results and
// on the trace page; the APIs say the same.
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import type { Browser } from 'playwright-core';
import { openEmbeddedStore } from '../packages/server/src/storage/embedded/embedded-store.js';
import { retentionTestTrace, traceIdOf } from '../packages/server/src/storage/embedded/retention-test-traces.js';
import { artifactPath, launchChromium } from './support/browser.js';
import { getJson, makeTempDir, removeTempDir, startTestServer, type TestServer } from './support/test-server.js';

const HOUR = 3_600_000_000_000n;
let server: TestServer;
let browser: Browser;
let dataDir: string;

before(async () => {
  dataDir = makeTempDir('ariadne-ui-retention-');
  // Three hours ago: an error trace and an ordinary one, compacted with the store's clock at now.
  const start = BigInt(Date.now()) * 1_000_000n - 3n * HOUR;
  const options = {
    dataDir,
    maxHeadAgeMs: 3_600_000,
    retentionNanos: HOUR,
    retentionKeptNanos: 30n * 24n * HOUR,
  };
  const store = await openEmbeddedStore(options);
  await store.writeSpans(retentionTestTrace({ n: 1, startNanos: start, error: true }));
  await store.writeSpans(retentionTestTrace({ n: 2, startNanos: start + 1_000_000_000n, operation: 'GET /other' }));
  await store.close();
  const compacting = await openEmbeddedStore(options);
  await compacting.runRetention();
  await compacting.close();
  server = await startTestServer({ dataDir, retentionNanos: HOUR, retentionKeptNanos: 30n * 24n * HOUR });
  browser = await launchChromium();
});

after(async () => {
  await browser?.close();
  await server?.dispose();
  removeTempDir(dataDir);
});

test('the APIs name the tier and the policy beside a kept trace', async () => {
  const byId = await getJson<{ data: { retention?: unknown }[] }>(`${server.queryUrl}/api/traces/${traceIdOf(1)}`);
  assert.deepEqual(byId.data[0]?.retention, { tier: 'kept', keptBy: 'error' });
  const view = await getJson<{ data: { retention?: unknown } }>(`${server.queryUrl}/api/trace-view/${traceIdOf(1)}`);
  assert.deepEqual(view.data.retention, { tier: 'kept', keptBy: 'error' });
});

test('search results and the trace page show the kept-tier badge and the policy', async () => {
  const page = await browser.newPage({ viewport: { width: 1400, height: 900 } });
  const pageErrors: string[] = [];
  page.on('pageerror', (error) => pageErrors.push(error.message));
  await page.goto(`${server.queryUrl}/search`);
  const serviceSelect = page.getByTestId('search-service');
  await serviceSelect.locator('option[value="frontend"]').waitFor({ state: 'attached' });
  await serviceSelect.selectOption('frontend');
  await page.getByTestId('search-lookback').selectOption('6h');
  await page.getByTestId('search-submit').click();
  // Jaeger shortens ids whose first half is zeros, as the UI shows them.
  const result = page.locator(`[data-testid="trace-result"][data-trace-id="${traceIdOf(1).slice(16)}"]`);
  await result.waitFor();
  const badge = result.getByTestId('retention-badge');
  assert.equal(await badge.getAttribute('data-kept-by'), 'error');
  assert.match((await badge.textContent()) ?? '', /kept · error/);
  assert.match((await badge.getAttribute('title')) ?? '', /error/);
  await page.screenshot({ path: artifactPath('retention-tier-search.png'), fullPage: true });

  await result.click();
  await page.getByTestId('trace-page').waitFor();
  const headerBadge = page.getByTestId('trace-header').getByTestId('retention-badge');
  await headerBadge.waitFor();
  assert.match((await headerBadge.textContent()) ?? '', /kept · error/);
  await page.screenshot({ path: artifactPath('retention-tier-trace.png'), fullPage: true });
  assert.deepEqual(pageErrors, []);
});
