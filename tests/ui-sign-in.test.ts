// The web UI under --auth (issue 14) in headless Chromium: the page asks for a
// token; a wrong one is refused with a message and never kept; the right one
// (a query token of two tenants) signs in; search shows tenant A's traces
// only, the switcher then B's only; live tail, a fetch stream carrying the
// token and tenant, shows a span sent to the current tenant while open and
// not one sent to the other; sign-out returns to the sign-in page with the
// tab's sessionStorage empty.
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { encodeOtlpTraceRequestJson, type Span } from '@ariadne/protocol';
import type { Browser, Page } from 'playwright-core';
import { fixtureTrace } from '../bench/ui/ui-fixtures.js';
import { bearer, type TestToken, testToken, writeAuthFile } from './support/auth-file.js';
import { artifactPath, launchChromium } from './support/browser.js';
import { sendRetrying } from './support/tenant-writes.js';
import { makeTempDir, removeTempDir, startTestServer, type TestServer } from './support/test-server.js';

const [TENANT_A, TENANT_B] = ['team-a', 'team-b'];
/** Stored before the page opens (TRACE_*), and sent while live tail is open (LIVE_*); a trace id is 32 hex digits. */
const [TRACE_A, TRACE_B, LIVE_A, LIVE_B] = ['a1', 'b2', 'a3', 'b4'].map((pair) => pair.repeat(16)) as [
  string,
  string,
  string,
  string,
];

const reader = testToken([TENANT_A, TENANT_B], ['query']);
const writerA = testToken([TENANT_A], ['ingest']);
const writerB = testToken([TENANT_B], ['ingest']);

let dir: string;
let server: TestServer;
let browser: Browser;
const pageErrors: string[] = [];

async function send(writer: TestToken, spans: readonly Span[]): Promise<void> {
  // A loaded machine may be answered "overloaded, retry" (429): the span must still arrive.
  const response = await sendRetrying(() =>
    fetch(`${server.otlpHttpUrl}/v1/traces`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', ...bearer(writer) },
      body: encodeOtlpTraceRequestJson(spans),
    }),
  );
  const text = await response.text();
  assert.equal(response.status, 200, text);
}

const oneSpan = (traceId: string, service: string) =>
  fixtureTrace(traceId, Date.now() - 1000, [{ id: 'root', service, name: 'GET /', startMs: 0, durationMs: 5 }]);

before(async () => {
  dir = makeTempDir('ariadne-ui-sign-in-');
  server = await startTestServer({ authFile: writeAuthFile(dir, [reader, writerA, writerB]) });
  await send(writerA, oneSpan(TRACE_A, 'shop-a'));
  await send(writerB, oneSpan(TRACE_B, 'shop-b'));
  browser = await launchChromium();
});

after(async () => {
  await browser?.close();
  await server?.dispose();
  if (dir) removeTempDir(dir);
});

const result = (page: Page, traceId: string) =>
  page.locator(`[data-testid="trace-result"][data-trace-id="${traceId}"]`);
const liveEntry = (page: Page, traceId: string) =>
  page.locator(`[data-testid="live-entry"][data-trace-id="${traceId}"]`);
/** The tab's sessionStorage, key by key. */
const stored = (page: Page) =>
  page.evaluate(() => {
    const storage = (globalThis as unknown as { sessionStorage: Record<string, string> }).sessionStorage;
    return Object.fromEntries(Object.entries(storage));
  });

test('sign in with a token, switch tenants, follow live tail, sign out', async () => {
  const page = await browser.newPage({ viewport: { width: 1400, height: 900 } });
  page.on('pageerror', (error) => pageErrors.push(error.message));
  // A Basic challenge would open the browser's own password dialog: the UI's requests must never get one.
  const dialogs: string[] = [];
  page.on('dialog', (dialog) => {
    dialogs.push(dialog.message());
    void dialog.dismiss();
  });

  await page.goto(`${server.queryUrl}/search`);
  await page.getByTestId('sign-in').waitFor();

  await page.getByTestId('sign-in-token').fill('not-a-token');
  await page.getByTestId('sign-in-submit').click();
  await page.getByTestId('sign-in-error').filter({ hasText: 'refused this token' }).waitFor();
  assert.deepEqual(await stored(page), {}, 'a refused token is not kept');

  await page.getByTestId('sign-in-token').fill(reader.token);
  await page.getByTestId('sign-in-submit').click();
  await result(page, TRACE_A).waitFor();
  assert.equal(await result(page, TRACE_B).count(), 0, "B's trace is not among A's");
  assert.equal(await page.getByTestId('tenant-switcher').inputValue(), TENANT_A);
  assert.deepEqual(await stored(page), { 'ariadne.token': reader.token, 'ariadne.tenant': TENANT_A });
  await page.screenshot({ path: artifactPath('ui-sign-in-tenant-a.png'), fullPage: true });

  await page.getByTestId('tenant-switcher').selectOption(TENANT_B);
  await result(page, TRACE_B).waitFor();
  assert.equal(await result(page, TRACE_A).count(), 0, "A's trace is gone once B is picked");
  assert.equal((await stored(page))['ariadne.tenant'], TENANT_B);

  await page.getByRole('link', { name: 'Live' }).click();
  await page.locator('[data-testid="live-page"][data-status="open"]').waitFor();
  // A's span first: had it reached B's stream, it would be there before B's.
  await send(writerA, oneSpan(LIVE_A, 'live-a'));
  await send(writerB, oneSpan(LIVE_B, 'live-b'));
  await liveEntry(page, LIVE_B).waitFor();
  assert.equal(await liveEntry(page, LIVE_A).count(), 0, "the stream is B's alone");
  assert.equal(await page.getByTestId('live-entry').count(), 1);

  await page.getByTestId('sign-out').click();
  await page.getByTestId('sign-in').waitFor();
  assert.deepEqual(await stored(page), {}, 'sign-out leaves nothing in the tab');
  // Nothing the page asks now is answered with data.
  const status = await page.evaluate(() =>
    fetch('/api/services', { headers: { 'X-Requested-With': 'XMLHttpRequest' } }).then((r) => r.status),
  );
  assert.equal(status, 401);
  assert.deepEqual(dialogs, []);
  assert.deepEqual(pageErrors, []);
  await page.close();
});

test('a trace link opened in a signed-in tab loads with the tab’s token and tenant', async () => {
  const page = await browser.newPage({ viewport: { width: 1400, height: 900 } });
  await page.goto(`${server.queryUrl}/search`);
  await page.getByTestId('sign-in-token').fill(reader.token);
  await page.getByTestId('sign-in-submit').click();
  await page.getByTestId('tenant-switcher').selectOption(TENANT_B);
  await result(page, TRACE_B).waitFor();
  // A full page load: index.html's early fetch of the trace must carry the credentials too.
  await page.goto(`${server.queryUrl}/trace/${TRACE_B}`);
  await page.getByTestId('timeline-row').first().waitFor();
  await page.goto(`${server.queryUrl}/trace/${TRACE_A}`);
  await page
    .getByText(/not found/i)
    .first()
    .waitFor();
  await page.close();
});
