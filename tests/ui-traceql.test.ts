// The search page's TraceQL box against the real server: the query port serves
// Tempo's search and tag routes beside the UI, so the box is tested end to end:
// completion of attribute names and values, the builder, and the results.
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import type { Browser } from 'playwright-core';
import { fixtureTrace, sendSpans } from '../bench/ui/ui-fixtures.js';
import { artifactPath, launchChromium } from './support/browser.js';
import { startTestServer, type TestServer } from './support/test-server.js';

const SLOW = 'aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa1';
const FAST = 'aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa2';

let server: TestServer;
let browser: Browser;

before(async () => {
  server = await startTestServer();
  const now = Date.now();
  await sendSpans(server.otlpHttpUrl, [
    ...fixtureTrace(SLOW, now - 30_000, [
      {
        id: 'a',
        service: 'checkout',
        name: 'POST /order',
        startMs: 0,
        durationMs: 800,
        attributes: { 'http.route': '/order' },
      },
      { id: 'b', parent: 'a', service: 'payment', name: 'charge', startMs: 10, durationMs: 700, error: true },
    ]),
    ...fixtureTrace(FAST, now - 20_000, [
      {
        id: 'a',
        service: 'checkout',
        name: 'GET /cart',
        startMs: 0,
        durationMs: 20,
        attributes: { 'http.route': '/cart' },
      },
    ]),
  ]);
  browser = await launchChromium();
});

after(async () => {
  await browser?.close();
  await server?.dispose();
});

test('TraceQL: attribute and value completion from the Tempo tag API, builder, results', async () => {
  const page = await browser.newPage({ viewport: { width: 1400, height: 900 } });
  const errors: string[] = [];
  page.on('pageerror', (error) => errors.push(error.message));
  await page.goto(`${server.queryUrl}/search`);
  const input = page.getByTestId('traceql-input');
  await input.click();
  await input.pressSequentially('{ resource.serv');
  const suggestion = page.getByTestId('traceql-suggestion');
  await suggestion.filter({ hasText: 'resource.service.name' }).waitFor();
  await input.press('Tab');
  await input.pressSequentially('= "chec');
  await suggestion.filter({ hasText: '"checkout"' }).waitFor();
  await input.press('Enter'); // takes the suggestion
  await input.pressSequentially('&& duration > 100ms }');
  assert.equal(await input.inputValue(), '{ resource.service.name = "checkout" && duration > 100ms }');
  await input.press('Enter'); // runs the query
  await page.waitForURL(/q=/);
  const results = page.getByTestId('trace-result');
  await results.first().waitFor();
  assert.deepEqual(await results.evaluateAll((list) => list.map((r) => (r as HTMLElement).dataset.traceId)), [SLOW]);
  await page.screenshot({ path: artifactPath('ui-traceql.png'), fullPage: true });

  // The builder writes the query; an error shows the server's reason and what to do.
  await page.getByTestId('traceql-builder-toggle').click();
  await page.getByTestId('builder-value').first().fill('checkout');
  assert.equal(await input.inputValue(), '{ resource.service.name = "checkout" }');
  await page.getByTestId('traceql-run').click();
  await page.waitForFunction(() => document.querySelectorAll('[data-testid="trace-result"]').length === 2);

  await input.fill('{ nonsense ');
  await page.getByTestId('traceql-run').click();
  await page.getByText('The search failed').waitFor();
  assert.deepEqual(errors, []);
  await page.close();
});
