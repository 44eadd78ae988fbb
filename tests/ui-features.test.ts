// The web UI's features in headless Chromium against a real server loaded
// with fixture traces over OTLP: search (form filters, scatter, every sort
// order, compare, time range, TraceQL box), the trace page (header facts,
// minimap, find, critical path, views, events, clock skew, span details and
// links, downloads, keyboard), opening files, service map, monitor, theme,
// live tail with its service and TraceQL filters, and hostile attribute values.
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { after, before, test } from 'node:test';
import type { Browser, BrowserContextOptions, Locator, Page } from 'playwright-core';
import { type FixtureSpan, fixtureTrace, sendSpans, spanIdOf } from '../bench/ui/ui-fixtures.js';
import { DURATION_QUANTILE_RELATIVE_ERROR } from '../packages/server/src/storage/query/duration-histogram.js';
import { artifactPath, launchChromium } from './support/browser.js';
import { getJson, startTestServer, type TestServer } from './support/test-server.js';

const TRACE_A = '1a1a1a1a1a1a1a1a1a1a1a1a1a1a1a1a';
const TRACE_B = '2b2b2b2b2b2b2b2b2b2b2b2b2b2b2b2b';
const TRACE_HOSTILE = '3c3c3c3c3c3c3c3c3c3c3c3c3c3c3c3c';
const TRACE_LIVE = '4d4d4d4d4d4d4d4d4d4d4d4d4d4d4d4d';
const HUGE = 'x'.repeat(1024 * 1024);

const checkoutA: FixtureSpan[] = [
  { id: 'root', service: 'web', name: 'GET /checkout', startMs: 0, durationMs: 100 },
  {
    id: 'cart',
    parent: 'root',
    service: 'cart',
    name: 'load cart',
    startMs: 5,
    durationMs: 20,
    events: [{ name: 'cache miss', atMs: 10 }],
  },
  { id: 'pay', parent: 'root', service: 'payment', name: 'charge card', startMs: 30, durationMs: 60, error: true },
  { id: 'db', parent: 'pay', service: 'payment', name: 'SELECT card', startMs: 40, durationMs: 25 },
  // Overlaps the payment and ends first: never on the critical path.
  { id: 'audit', parent: 'root', service: 'web', name: 'audit log', startMs: 35, durationMs: 15 },
  // Starts 3 ms before its parent: clock skew.
  { id: 'skew', parent: 'cart', service: 'inventory', name: 'reserve', startMs: 2, durationMs: 10 },
];
const checkoutB: FixtureSpan[] = [
  { id: 'root', service: 'web', name: 'GET /checkout', startMs: 0, durationMs: 300 },
  { id: 'cart', parent: 'root', service: 'cart', name: 'load cart', startMs: 5, durationMs: 20 },
  { id: 'pay', parent: 'root', service: 'payment', name: 'charge card', startMs: 30, durationMs: 260 },
  { id: 'mail', parent: 'root', service: 'mail', name: 'send receipt', startMs: 290, durationMs: 5 },
];

let server: TestServer;
let browser: Browser;
const pageErrors: string[] = [];
/** When the fixture traces were sent: trace A starts a minute before, B half a minute before. */
let sentAt = 0;

before(async () => {
  server = await startTestServer({
    limits: { maxSpansPerRequest: 100_000, maxAttributesPerSpan: 1024, maxAttributeValueLength: 2 * 1024 * 1024 },
  });
  sentAt = Date.now();
  await sendSpans(server.otlpHttpUrl, [
    ...fixtureTrace(TRACE_A, sentAt - 60_000, checkoutA),
    ...fixtureTrace(TRACE_B, sentAt - 30_000, checkoutB),
    ...fixtureTrace(TRACE_HOSTILE, sentAt - 20_000, [
      {
        id: 'evil',
        service: 'web',
        name: '<img src=x onerror="window.__pwned=1">',
        startMs: 0,
        durationMs: 5,
        attributes: {
          html: '<b>bold?</b><iframe src="javascript:window.__pwned=2"></iframe>',
          script: '<script>window.__pwned = 3</script>',
          huge: HUGE,
        },
      },
    ]),
  ]);
  browser = await launchChromium();
});

after(async () => {
  await browser?.close();
  await server?.dispose();
});

async function newPage(options: BrowserContextOptions = {}): Promise<Page> {
  const page = await browser.newPage({ viewport: { width: 1400, height: 900 }, acceptDownloads: true, ...options });
  page.on('pageerror', (error) => pageErrors.push(error.message));
  return page;
}

const row = (page: Page, id: string) => page.locator(`[data-testid="timeline-row"][data-span-id="${spanIdOf(id)}"]`);

/** A table row's cells by their column headings. */
const cellsOf = (tableRow: Locator) =>
  tableRow.evaluate((tr) => {
    const headings = [...(tr.closest('table')?.querySelectorAll('thead th') ?? [])].map((th) => th.textContent ?? '');
    return Object.fromEntries([...tr.children].map((td, i) => [headings[i] ?? '', td.textContent ?? '']));
  });

test('search: scatter plot opens a trace, sort by errors, compare two results, absolute UTC range', async () => {
  const page = await newPage();
  await page.goto(`${server.queryUrl}/search?sort=errors`);
  const results = page.getByTestId('trace-result');
  await results.nth(2).waitFor();
  // Most errors first: the checkout with a failed payment.
  assert.equal(await results.first().getAttribute('data-trace-id'), TRACE_A.slice(0));
  const dots = page.getByTestId('scatter-dot');
  await dots.nth(2).waitFor({ state: 'attached' });
  assert.equal(await dots.count(), 3);
  assert.equal(await page.locator('[data-testid="scatter-dot"][data-error]').count(), 1);
  await page.screenshot({ path: artifactPath('ui-search-scatter.png'), fullPage: true });
  await page.locator(`[data-testid="scatter-dot"][data-trace-id="${TRACE_B}"]`).click();
  await page.waitForURL(`**/trace/${TRACE_B}`);
  await page.getByTestId('timeline-row').nth(3).waitFor();

  await page.goBack();
  await page.locator(`[data-testid="trace-result-select"][data-trace-id="${TRACE_A}"]`).check();
  await page.locator(`[data-testid="trace-result-select"][data-trace-id="${TRACE_B}"]`).check();
  await page.getByTestId('compare-selected').click();
  await page.getByTestId('trace-diff').waitFor();
  const statuses = await page
    .getByTestId('diff-row')
    .evaluateAll((rows) => rows.map((r) => (r as HTMLElement).dataset.status));
  for (const status of ['added', 'removed', 'slower']) assert.ok(statuses.includes(status), `${status} in ${statuses}`);
  await page.screenshot({ path: artifactPath('ui-compare.png'), fullPage: true });
  // The other way round, the payment got faster.
  await page.goto(`${server.queryUrl}/compare?a=${TRACE_B}&b=${TRACE_A}`);
  await page.locator('[data-testid="diff-row"][data-status="faster"]').first().waitFor();

  // An absolute window in UTC that holds the traces, then one that does not.
  const iso = (ms: number) => new Date(ms).toISOString().slice(0, 16);
  await page.goto(`${server.queryUrl}/search`);
  await page.getByTestId('search-lookback').selectOption('custom');
  await page.getByTestId('search-tz').selectOption('utc');
  await page.getByTestId('search-from').fill(iso(Date.now() - 10 * 60_000));
  await page.getByTestId('search-to').fill(iso(Date.now() + 2 * 60_000));
  await page.getByTestId('search-submit').click();
  // The form is rebuilt from the new URL (in the same render as this attribute): typing before that is lost.
  await page.locator('.search-sidebar[data-search-params*="lookback=custom"]').waitFor();
  await page.getByTestId('trace-result').nth(2).waitFor();
  assert.match(page.url(), /lookback=custom/);
  await page.getByTestId('search-from').fill(iso(Date.now() - 3 * 3600_000));
  await page.getByTestId('search-to').fill(iso(Date.now() - 2 * 3600_000));
  await page.getByTestId('search-submit').click();
  await page.getByText('No traces match').waitFor();
  await page.close();
});

test('search time zone: results show times in the chosen zone, and a typed range means that zone', async () => {
  // Kolkata is UTC+5:30 all year: the two zones never show the same clock.
  const page = await newPage({ timezoneId: 'Asia/Kolkata' });
  const inKolkata = (ms: number) => new Date(ms + 5.5 * 3600_000).toISOString().slice(0, 23).replace('T', ' ');
  const startA = sentAt - 60_000;
  const timeOfA = page.locator(`[data-testid="trace-result"][data-trace-id="${TRACE_A}"] .trace-result-time .faint`);
  await page.goto(`${server.queryUrl}/search`);
  await timeOfA.waitFor();
  assert.equal(await timeOfA.textContent(), inKolkata(startA));
  await page.getByTestId('search-tz').selectOption('utc');
  await page.getByTestId('search-submit').click();
  await page.waitForURL(/tz=utc/);
  await timeOfA.filter({ hasText: 'UTC' }).waitFor();
  assert.equal(await timeOfA.textContent(), `${new Date(startA).toISOString().slice(0, 19).replace('T', ' ')} UTC`);

  // The clock of a window that holds the traces in UTC, typed as Kolkata time, is 5½ hours earlier: nothing there.
  const from = new Date(Date.now() - 10 * 60_000).toISOString().slice(0, 16);
  const to = new Date(Date.now() + 2 * 60_000).toISOString().slice(0, 16);
  await page.getByTestId('search-lookback').selectOption('custom');
  await page.getByTestId('search-tz').selectOption('local');
  await page.getByTestId('search-from').fill(from);
  await page.getByTestId('search-to').fill(to);
  await page.getByTestId('search-submit').click();
  await page.getByText('No traces match').waitFor();
  const fromInstant = new Date(`${from}+05:30`).toISOString();
  assert.equal(new URL(page.url()).searchParams.get('from'), fromInstant);
  // Switching the zone keeps the instant and shows its UTC clock; typed as UTC, the window holds the traces.
  await page.getByTestId('search-tz').selectOption('utc');
  assert.equal(await page.getByTestId('search-from').inputValue(), fromInstant.slice(0, 16));
  await page.getByTestId('search-from').fill(from);
  await page.getByTestId('search-to').fill(to);
  await page.getByTestId('search-submit').click();
  await page.getByTestId('trace-result').nth(2).waitFor();
  await page.close();
});

test('search form: operation, tags, duration range, limit, and each sort order', async () => {
  const page = await newPage();
  const shown = () =>
    page.getByTestId('trace-result').evaluateAll((list) => list.map((r) => (r as HTMLElement).dataset.traceId));
  const search = async (fill: () => Promise<void>, expected: string[]) => {
    await page.goto(`${server.queryUrl}/search`);
    await page.getByTestId('search-form').waitFor();
    await fill();
    await page.getByTestId('search-submit').click();
    await page.waitForFunction(
      (n) => document.querySelectorAll('[data-testid="trace-result"]').length === n,
      expected.length,
    );
    assert.deepEqual((await shown()).sort(), [...expected].sort());
  };
  const chooseService = async (service: string) => {
    await page.getByTestId('search-service').locator(`option[value="${service}"]`).waitFor({ state: 'attached' });
    await page.getByTestId('search-service').selectOption(service);
  };
  // The payment service's "charge card": in both checkouts, 60 ms in A and 260 ms in B.
  const chargeCard = async () => {
    await chooseService('payment');
    await page.getByTestId('search-operation').locator('option[value="charge card"]').waitFor({ state: 'attached' });
    await page.getByTestId('search-operation').selectOption('charge card');
  };
  await search(chargeCard, [TRACE_A, TRACE_B]);
  await search(async () => {
    await chargeCard();
    await page.getByTestId('search-min-duration').fill('100ms');
  }, [TRACE_B]);
  await search(async () => {
    await chargeCard();
    await page.getByTestId('search-max-duration').fill('100ms');
  }, [TRACE_A]);
  await search(() => page.getByTestId('search-tags').fill('error=true'), [TRACE_A]);
  await search(async () => {
    await chooseService('web');
    await page.getByTestId('search-limit').fill('1');
  }, [TRACE_HOSTILE]);

  // Every order of the same results: the hostile trace is the newest and shortest, B the longest, A has most spans and errors.
  const expectedFirst: Record<string, string> = {
    recent: TRACE_HOSTILE,
    longest: TRACE_B,
    spans: TRACE_A,
    errors: TRACE_A,
  };
  await page.goto(`${server.queryUrl}/search`);
  await page.getByTestId('trace-result').nth(2).waitFor();
  for (const [order, first] of Object.entries(expectedFirst)) {
    await page.getByTestId('search-sort').selectOption(order);
    await page.waitForFunction(
      (id) => (document.querySelector('[data-testid="trace-result"]') as HTMLElement | null)?.dataset.traceId === id,
      first,
    );
  }
  await page.close();
});

test('TraceQL box: completes attribute names and builds a query', async () => {
  const page = await newPage();
  await page.goto(`${server.queryUrl}/search`);
  const input = page.getByTestId('traceql-input');
  await input.click();
  await input.pressSequentially('{ dur');
  await page.getByTestId('traceql-suggestion').first().waitFor();
  assert.equal(await page.getByTestId('traceql-suggestion').first().textContent(), 'duration');
  await input.press('Tab');
  assert.equal(await input.inputValue(), '{ duration ');
  await page.getByTestId('traceql-builder-toggle').click();
  await page.getByTestId('builder-value').first().fill('checkout');
  assert.equal(await input.inputValue(), '{ resource.service.name = "checkout" }');
  await page.getByTestId('traceql-run').click();
  // Either the server answers TraceQL on this port, or the page says it does not.
  await page.locator('[data-testid="search-results"], [role="alert"]').first().waitFor();
  assert.match(page.url(), /q=/);
  await page.close();
});

test('trace page: minimap, find, critical path, events, clock skew, keyboard', async () => {
  const page = await newPage();
  await page.goto(`${server.queryUrl}/trace/${TRACE_A}`);
  await row(page, 'skew').waitFor();
  await page.getByTestId('minimap').waitFor();
  // The header's facts: root to the skewed span is three levels; the payment failed.
  const facts = await page
    .locator('[data-testid="trace-header"] .trace-fact')
    .evaluateAll((list) =>
      Object.fromEntries(
        list.map((f) => [f.querySelector('dt')?.textContent ?? '', f.querySelector('dd')?.textContent ?? '']),
      ),
    );
  assert.deepEqual(
    {
      duration: facts.Duration,
      services: facts.Services,
      depth: facts.Depth,
      spans: facts.Spans,
      errors: facts.Errors,
    },
    { duration: '100ms', services: '4', depth: '3', spans: '6', errors: '1' },
  );
  // The ruler runs from the trace's start to its duration in four equal steps.
  assert.deepEqual(await page.locator('.timeline-ruler .timeline-tick').allTextContents(), [
    '0µs',
    '25ms',
    '50ms',
    '75ms',
    facts.Duration,
  ]);
  // The failed payment, and only it, has the error marker and a red bar.
  const marked = page.getByTestId('timeline-row').filter({ has: page.getByRole('img', { name: 'error' }) });
  assert.deepEqual(await marked.evaluateAll((rows) => rows.map((r) => (r as HTMLElement).dataset.spanId)), [
    spanIdOf('pay'),
  ]);
  assert.equal(await page.locator('[data-testid="timeline-row"] .timeline-bar-error').count(), 1);
  assert.equal(await row(page, 'pay').locator('.timeline-bar-error').count(), 1);
  assert.match((await page.getByTestId('trace-warnings').textContent()) ?? '', /Clock skew: 1 span/);
  assert.equal(await row(page, 'skew').getByTestId('skew-flag').count(), 1);
  assert.equal(await row(page, 'cart').getByTestId('timeline-event').count(), 1);

  await page.getByTestId('trace-find').fill('card');
  await page.getByTestId('trace-find-count').filter({ hasText: '1 of 2' }).waitFor();
  assert.deepEqual(
    await page
      .locator('[data-testid="timeline-row"][data-match]')
      .evaluateAll((rows) => rows.map((r) => (r as HTMLElement).dataset.spanId)),
    [spanIdOf('pay'), spanIdOf('db')],
  );

  await page.getByTestId('critical-path-toggle').check();
  await row(page, 'pay').and(page.locator('[data-critical]')).waitFor();
  // The audit runs beside the payment and ends first: the trace never waited on it.
  assert.equal(await row(page, 'root').getAttribute('data-critical'), 'true');
  assert.equal(await row(page, 'db').getAttribute('data-critical'), 'true');
  assert.equal(await row(page, 'cart').getAttribute('data-critical'), 'true');
  assert.equal(await row(page, 'audit').getAttribute('data-critical'), null);
  await page.screenshot({ path: artifactPath('ui-trace-critical-path.png'), fullPage: true });

  // Keyboard: focus the tree, move down twice, open the details, fold the root.
  await page.getByTestId('trace-find').fill('');
  await page.getByTestId('timeline-body').focus();
  await page.keyboard.press('Home');
  await page.keyboard.press('ArrowDown');
  await page.keyboard.press('Enter');
  await page.locator(`[data-testid="span-detail"][data-span-id="${spanIdOf('cart')}"]`).waitFor();
  await page.keyboard.press('ArrowLeft'); // cart has a child: collapse it
  await row(page, 'skew').waitFor({ state: 'detached' });
  await page.keyboard.press('ArrowRight'); // expand again
  await row(page, 'skew').waitFor();
  await page.keyboard.press('ArrowLeft');
  await page.keyboard.press('ArrowLeft'); // already collapsed: go to the parent (root)
  await page.keyboard.press('ArrowLeft'); // collapse the root
  assert.equal(await page.getByTestId('timeline-row').count(), 1);
  await page.close();
});

test('trace page: flame graph, sortable span table, statistics, service graph', async () => {
  const page = await newPage();
  await page.goto(`${server.queryUrl}/trace/${TRACE_A}?view=flame`);
  await page.getByTestId('flame-graph').waitFor();
  // Click the root's bar (top row, middle) selects it.
  const canvas = page.locator('[data-testid="flame-graph"] canvas');
  const box = await canvas.boundingBox();
  assert.ok(box);
  await page.mouse.click(box.x + box.width * 0.5, box.y + 5);
  await page.locator(`[data-testid="span-detail"][data-span-id="${spanIdOf('root')}"]`).waitFor();
  await page.screenshot({ path: artifactPath('ui-trace-flame.png') });

  await page.getByTestId('view-table').click();
  const tableRows = page.getByTestId('span-table-row');
  await tableRows.nth(5).waitFor();
  // Default: longest first.
  assert.equal(await tableRows.first().getAttribute('data-span-id'), spanIdOf('root'));
  await page.getByTestId('span-table-sort-duration').click();
  assert.equal(await tableRows.first().getAttribute('data-span-id'), spanIdOf('skew'));
  await page.getByTestId('span-table-sort-self').click();
  const selfFirst = await tableRows.first().getAttribute('data-span-id');
  assert.equal(selfFirst, spanIdOf('pay')); // 60 ms minus its 25 ms query: 35 ms, more than any other span's own time

  await page.getByTestId('view-stats').click();
  const stats = page.getByTestId('trace-statistics-row');
  await stats.first().waitFor();
  assert.equal(await stats.count(), 6);
  const pick = (cells: Record<string, string>, keys: string[]) => keys.map((key) => `${key}: ${cells[key]}`);
  const columns = ['Service', 'Spans', 'Errors', 'Total duration', 'Self time'];
  // The failed charge: 60 ms, of which its 25 ms query is not its own.
  assert.deepEqual(pick(await cellsOf(stats.filter({ hasText: 'charge card' })), ['Operation', ...columns]), [
    'Operation: charge card',
    'Service: payment',
    'Spans: 1',
    'Errors: 1',
    'Total duration: 60ms',
    'Self time: 35ms',
  ]);
  await page.getByLabel('Group by').selectOption('services');
  await stats.nth(4).waitFor({ state: 'detached' }); // web, cart, payment, inventory
  assert.deepEqual(pick(await cellsOf(stats.filter({ hasText: 'payment' })), columns), [
    'Service: payment',
    'Spans: 2',
    'Errors: 1',
    'Total duration: 85ms',
    'Self time: 60ms',
  ]);

  await page.getByTestId('view-graph').click();
  await page.getByTestId('service-graph-edge').first().waitFor();
  const edges = await page
    .getByTestId('service-graph-edge')
    .evaluateAll((list) =>
      list.map((e) => `${(e as HTMLElement).dataset.parent}>${(e as HTMLElement).dataset.child}`).sort(),
    );
  assert.deepEqual(edges, ['cart>inventory', 'web>cart', 'web>payment']);
  assert.match((await page.locator('[data-parent="web"][data-child="payment"]').textContent()) ?? '', /100% err/);
  await page.close();
});

test('span details: typed attributes, resource, events in a list, a link that opens the linked trace', async () => {
  const traceId = '6f6f6f6f6f6f6f6f6f6f6f6f6f6f6f6f';
  const [span] = fixtureTrace(traceId, Date.now() - 10_000, [
    {
      id: 'linked',
      service: 'worker',
      name: 'process batch',
      startMs: 0,
      durationMs: 50,
      attributes: { 'http.status_code': 200, 'batch.id': '200', 'retry.allowed': true, ratio: 0.25 },
      events: [{ name: 'batch claimed', atMs: 10 }],
    },
  ]);
  assert.ok(span);
  await sendSpans(server.otlpHttpUrl, [
    {
      ...span,
      links: [
        {
          traceId: TRACE_B,
          spanId: spanIdOf('root'),
          traceState: '',
          attributes: [],
          droppedAttributesCount: 0,
          flags: 1,
        },
      ],
    },
  ]);
  const page = await newPage();
  await page.goto(`${server.queryUrl}/trace/${traceId}?span=${spanIdOf('linked')}`);
  const detail = page.locator(`[data-testid="span-detail"][data-span-id="${spanIdOf('linked')}"]`);
  await detail.getByTestId('span-link').waitFor();
  // Each attribute with its type: the number 200 and the text "200" are told apart.
  const typed = await detail
    .getByTestId('span-attributes')
    .locator('tr')
    .evaluateAll((rows) => rows.map((r) => (r.textContent ?? '').replace(/\s+/g, ' ').trim()));
  for (const [key, type] of [
    ['http.status_code', 'int64'],
    ['batch.id', 'string'],
    ['retry.allowed', 'bool'],
    ['ratio', 'float64'],
  ]) {
    assert.ok(
      typed.some((text) => text.includes(key as string) && text.includes(type as string)),
      `${key} as ${type} in ${typed}`,
    );
  }
  assert.match((await detail.getByTestId('span-process').textContent()) ?? '', /service\.name\s*worker/);
  assert.match((await detail.getByTestId('span-events').textContent()) ?? '', /batch claimed/);
  await page.screenshot({ path: artifactPath('ui-span-detail.png') });
  await detail.getByTestId('span-link').click();
  await page.waitForURL(`**/trace/${TRACE_B}?span=${spanIdOf('root')}`);
  await page.locator(`[data-testid="span-detail"][data-span-id="${spanIdOf('root')}"]`).waitFor();
  await page.close();
});

test('minimap: a click there brings that part of a long timeline into view', async () => {
  const traceId = '7a7a7a7a7a7a7a7a7a7a7a7a7a7a7a7a';
  const spans: FixtureSpan[] = [{ id: 'w-root', service: 'wide', name: 'fan out', startMs: 0, durationMs: 400 }];
  for (let i = 0; i < 300; i++) {
    spans.push({ id: `w-${i}`, parent: 'w-root', service: 'wide', name: `part ${i}`, startMs: 1 + i, durationMs: 5 });
  }
  await sendSpans(server.otlpHttpUrl, fixtureTrace(traceId, Date.now() - 5_000, spans));
  const page = await newPage();
  await page.goto(`${server.queryUrl}/trace/${traceId}`);
  await row(page, 'w-root').waitFor();
  const body = page.getByTestId('timeline-body');
  assert.equal(await body.evaluate((el) => el.scrollTop), 0);
  assert.equal(await row(page, 'w-299').count(), 0);
  const minimap = page.getByTestId('minimap');
  const box = await minimap.boundingBox();
  assert.ok(box);
  await page.mouse.click(box.x + box.width / 2, box.y + box.height - 2);
  // The last rows are on screen, the first gone, and the minimap frames the bottom.
  await row(page, 'w-299').waitFor();
  assert.equal(await row(page, 'w-root').count(), 0);
  const windowTop = await page.getByTestId('minimap-window').evaluate((el) => Number.parseFloat(el.style.top));
  assert.ok(windowTop > 50, `window at ${windowTop}%`);
  await page.close();
});

test('downloads as Jaeger JSON and OTLP JSON open again from a file', async () => {
  const page = await newPage();
  for (const format of ['jaeger', 'otlp'] as const) {
    await page.goto(`${server.queryUrl}/trace/${TRACE_A}`);
    await row(page, 'db').waitFor();
    const [download] = await Promise.all([
      page.waitForEvent('download'),
      page.getByTestId(`download-${format}`).click(),
    ]);
    const path = await download.path();
    const text = readFileSync(path, 'utf8');
    assert.ok(format === 'jaeger' ? text.includes('"data"') : text.includes('"resourceSpans"'));
    assert.match(download.suggestedFilename(), new RegExp(`${format}\\.json$`));

    await page.goto(`${server.queryUrl}/open`);
    await page
      .getByTestId('open-file')
      .setInputFiles({ name: `t.${format}.json`, mimeType: 'application/json', buffer: Buffer.from(text) });
    await page.waitForURL(`**/trace/${TRACE_A}`);
    await row(page, 'skew').waitFor();
    assert.equal(await page.getByTestId('timeline-row').count(), 6);
  }
  await page.goto(`${server.queryUrl}/open`);
  await page
    .getByTestId('open-file')
    .setInputFiles({ name: 'bad.json', mimeType: 'application/json', buffer: Buffer.from('{"nope": 1}') });
  await page.getByTestId('open-error').waitFor();
  // A file with two traces lists them instead of opening one.
  const [a, b] = await Promise.all(
    [TRACE_A, TRACE_B].map((id) => getJson<{ data: unknown[] }>(`${server.queryUrl}/api/traces/${id}`)),
  );
  const both = JSON.stringify({ data: [...(a?.data ?? []), ...(b?.data ?? [])] });
  await page
    .getByTestId('open-file')
    .setInputFiles({ name: 'two.json', mimeType: 'application/json', buffer: Buffer.from(both) });
  await page.getByTestId('open-list').locator('li').nth(1).waitFor();
  await page.screenshot({ path: artifactPath('ui-open-file.png'), fullPage: true });
  await page.close();
});

test('hostile attribute values render as inert text and the page stays responsive', async () => {
  const page = await newPage();
  await page.goto(`${server.queryUrl}/trace/${TRACE_HOSTILE}?span=${spanIdOf('evil')}`);
  // The panel shows at once; the span's attributes are fetched after it (aria-busy until then).
  const detail = page.locator('[data-testid="span-detail"][aria-busy="false"]');
  await detail.waitFor();
  const text = (await detail.textContent()) ?? '';
  assert.match(text, /<script>window.__pwned = 3<\/script>/);
  assert.match(text, /<b>bold\?<\/b>/);
  assert.match(text, /Show all \(1,048,576 characters\)/);
  assert.equal(
    await page.locator('.span-detail script, .span-detail iframe, .span-detail img, .span-detail b').count(),
    0,
  );
  // Unfold the megabyte, then check the page still answers promptly.
  await detail.getByRole('button', { name: /Show all \(1,048,576/ }).click();
  assert.equal(await page.evaluate(() => (window as unknown as { __pwned?: number }).__pwned), undefined);
  await page.getByTestId('trace-find').fill('pwned');
  await page.getByTestId('trace-find-count').filter({ hasText: '1 of 1' }).waitFor();
  await page.getByTestId('view-table').click();
  await page.getByTestId('span-table-row').first().waitFor();
  await page.screenshot({ path: artifactPath('ui-hostile.png') });
  await page.close();
});

test('service map, monitor, theme', async () => {
  const page = await newPage();
  // The embedded store computes both from the fixture traces: they must show, not an empty or error state.
  await page.goto(`${server.queryUrl}/dependencies`);
  const edge = page.locator('[data-testid="service-map"] [data-parent="web"][data-child="payment"]');
  await edge.waitFor();
  // Calls and error rate on the edge and in the table: both checkouts call the payment, one fails.
  assert.match((await edge.textContent()) ?? '', /2 calls?.*50% err|50% err.*2 calls?/s);
  const paymentRow = page.getByTestId('dependency-row').filter({ hasText: 'payment' }).filter({ hasText: 'web' });
  assert.match((await paymentRow.textContent()) ?? '', /2\s*1\s*50\.0%/);
  await page.screenshot({ path: artifactPath('ui-service-map.png') });

  // A day's window (15-minute buckets): the last bucket holds the fixture traces however long the
  // tests before this one took (with the hour's 1-minute buckets it did not on a busy machine).
  await page.goto(`${server.queryUrl}/monitor?service=web&kind=server&window=24h`);
  await page.getByTestId('chart-rate').waitFor();
  await page.getByTestId('chart-errors').waitFor();
  await page.getByTestId('chart-latency').waitFor();
  await page.screenshot({ path: artifactPath('ui-monitor.png') });
  const chart = page.locator('[data-testid="chart-rate"] .u-over');
  const box = await chart.boundingBox();
  assert.ok(box);
  // The traces are in the last 15 minutes: the right end of the chart holds their bucket.
  await page.mouse.move(box.x + box.width - 3, box.y + box.height / 2);
  await page.mouse.click(box.x + box.width - 3, box.y + box.height / 2);
  await page.waitForURL(/\/search\?.*lookback=custom/);
  await page.getByTestId('trace-result').first().waitFor();

  await page.goto(`${server.queryUrl}/search`);
  const before = await page.evaluate(() => document.documentElement.dataset.theme);
  await page.getByTestId('theme-toggle').click();
  const after = await page.evaluate(() => document.documentElement.dataset.theme);
  assert.notEqual(after, before);
  await page.reload();
  await page.getByTestId('theme-toggle').waitFor();
  assert.equal(await page.evaluate(() => document.documentElement.dataset.theme), after);
  await page.screenshot({ path: artifactPath(`ui-theme-${after}.png`) });
  await page.close();

  const dark = await browser.newPage({ colorScheme: 'dark' });
  await dark.goto(`${server.queryUrl}/search`);
  await dark.getByTestId('theme-toggle').waitFor();
  assert.equal(await dark.evaluate(() => document.documentElement.dataset.theme), 'dark');
  await dark.close();
});

test('monitor: per-operation numbers match the fixture spans, the window refetches, an operation gets its own charts', async () => {
  const page = await newPage();
  // The payment service's internal spans: "charge card" in both checkouts (one failed), "SELECT card" once, 25 ms.
  await page.goto(`${server.queryUrl}/monitor?service=payment&kind=internal`);
  const rows = page.getByTestId('monitor-operation-row');
  await rows.nth(1).waitFor();
  const table = async () => {
    const cells = await Promise.all((await rows.all()).map(cellsOf));
    return Object.fromEntries(cells.map((c) => [c.Operation, c]));
  };
  // The table's figures are over the whole window: calls per second of it, quantiles of all its calls.
  const rate = (calls: number, seconds: number) => (calls / seconds).toFixed(3);
  let ops = await table();
  assert.deepEqual(Object.keys(ops).sort(), ['SELECT card', 'charge card']);
  for (const quantile of ['p50 ms', 'p95 ms', 'p99 ms']) {
    const ms = Number(ops['SELECT card']?.[quantile]);
    assert.ok(Math.abs(ms - 25) <= 25 * DURATION_QUANTILE_RELATIVE_ERROR, `SELECT card ${quantile} ${ms}`);
  }
  assert.equal(ops['SELECT card']?.['Errors %'], '0.0');
  assert.equal(ops['charge card']?.['Errors %'], '50.0');
  assert.equal(ops['charge card']?.['Rate /s'], rate(2, 3600));
  // Its two calls took 60 and 260 ms: the median is the first, p99 the second (not a mean of bucket quantiles).
  for (const [quantile, ms] of [
    ['p50 ms', 60],
    ['p99 ms', 260],
  ] as const) {
    const shown = Number(ops['charge card']?.[quantile]);
    assert.ok(Math.abs(shown - ms) <= ms * DURATION_QUANTILE_RELATIVE_ERROR, `charge card ${quantile} ${shown}`);
  }

  const refetched = page.waitForRequest((r) => /\/api\/metrics\/calls\?.*lookback=900000/.test(r.url()));
  await page.getByLabel('Window').selectOption('15m');
  await refetched;
  await rows
    .filter({ hasText: 'charge card' })
    .filter({ hasText: rate(2, 900) })
    .waitFor();
  ops = await table();
  assert.equal(ops['charge card']?.['Rate /s'], rate(2, 900));
  assert.equal(ops['SELECT card']?.['Rate /s'], rate(1, 900));
  assert.match(page.url(), /window=15m/);

  // One operation: its charts hold only its bucket, and a click there searches its traces.
  await rows.getByRole('button', { name: 'SELECT card' }).click();
  await page.waitForURL(/operation=SELECT/);
  assert.equal(await page.getByTestId('monitor-operation').inputValue(), 'SELECT card');
  await page.screenshot({ path: artifactPath('ui-monitor-operation.png') });
  const box = await page.locator('[data-testid="chart-latency"] .u-over').boundingBox();
  assert.ok(box);
  await page.mouse.move(box.x + box.width / 2, box.y + box.height / 2);
  await page.mouse.click(box.x + box.width / 2, box.y + box.height / 2);
  await page.waitForURL(/\/search\?.*operation=SELECT/);
  await page.getByTestId('trace-result').first().waitFor();
  assert.deepEqual(
    await page.getByTestId('trace-result').evaluateAll((list) => list.map((r) => (r as HTMLElement).dataset.traceId)),
    [TRACE_A],
  );
  await page.close();
});

test('live tail: new spans stream in; pause holds them back until resumed', async () => {
  const page = await newPage();
  await page.goto(`${server.queryUrl}/live`);
  await page
    .locator('[data-testid="live-page"][data-status="open"], [data-testid="live-page"][data-status="error"]')
    .waitFor();
  if ((await page.locator('[data-testid="live-page"][data-status="error"]').count()) > 0) {
    assert.fail(`live tail unavailable: ${await page.textContent('body')}`);
  }
  await sendSpans(
    server.otlpHttpUrl,
    fixtureTrace(TRACE_LIVE, Date.now(), [{ id: 'l1', service: 'live', name: 'tick', startMs: 0, durationMs: 1 }]),
  );
  await page.locator(`[data-testid="live-entry"][data-trace-id="${TRACE_LIVE}"]`).waitFor();

  await page.getByTestId('live-pause').click();
  await sendSpans(
    server.otlpHttpUrl,
    fixtureTrace('5e5e5e5e5e5e5e5e5e5e5e5e5e5e5e5e', Date.now(), [
      { id: 'l2', service: 'live', name: 'tock', startMs: 0, durationMs: 1 },
    ]),
  );
  await page.getByTestId('live-resume').filter({ hasText: '1 new' }).waitFor();
  assert.equal(await page.getByTestId('live-entry').count(), 1);
  await page.getByTestId('live-resume').click();
  await page.getByTestId('live-entry').nth(1).waitFor();

  // Filtered by service: a span of another service, then one of it; only the second shows.
  await page.getByTestId('live-service').fill('filtered');
  await page.getByTestId('live-service').press('Enter');
  await page.locator('[data-testid="live-page"][data-status="open"]').waitFor();
  const other = '8b8b8b8b8b8b8b8b8b8b8b8b8b8b8b8b';
  const wanted = '9c9c9c9c9c9c9c9c9c9c9c9c9c9c9c9c';
  await page.getByTestId('live-empty').waitFor();
  await sendSpans(
    server.otlpHttpUrl,
    fixtureTrace(other, Date.now(), [{ id: 'l3', service: 'live', name: 'tick', startMs: 0, durationMs: 1 }]),
  );
  await sendSpans(
    server.otlpHttpUrl,
    fixtureTrace(wanted, Date.now(), [{ id: 'l4', service: 'filtered', name: 'tock', startMs: 0, durationMs: 1 }]),
  );
  await page.locator(`[data-testid="live-entry"][data-trace-id="${wanted}"]`).waitFor();
  // The stream keeps the server's order: had the first span passed the filter, it would be here already.
  assert.deepEqual(
    await page.getByTestId('live-entry').evaluateAll((list) => list.map((e) => (e as HTMLElement).dataset.traceId)),
    [wanted],
  );

  // Filtered with TraceQL instead: failed spans of the live service. Only the last of three traces passes.
  await page.getByTestId('live-service').fill('');
  await page.getByTestId('live-q').fill('{ resource.service.name = "live" && status = error }');
  await page.getByTestId('live-q').press('Enter');
  await page.locator('[data-testid="live-page"][data-status="open"]').waitFor();
  await page.getByTestId('live-empty').waitFor();
  const failed = 'adadadadadadadadadadadadadadadad';
  for (const [traceId, service, error] of [
    ['aeaeaeaeaeaeaeaeaeaeaeaeaeaeaeae', 'live', false],
    ['afafafafafafafafafafafafafafafaf', 'filtered', true],
    [failed, 'live', true],
  ] as const) {
    await sendSpans(
      server.otlpHttpUrl,
      fixtureTrace(traceId, Date.now(), [{ id: 'l5', service, name: 'tick', startMs: 0, durationMs: 1, error }]),
    );
  }
  await page.locator(`[data-testid="live-entry"][data-trace-id="${failed}"]`).waitFor();
  assert.deepEqual(
    await page.getByTestId('live-entry').evaluateAll((list) => list.map((e) => (e as HTMLElement).dataset.traceId)),
    [failed],
  );
  await page.screenshot({ path: artifactPath('ui-live-tail.png'), fullPage: true });
  await page.close();
  assert.deepEqual(pageErrors, []);
});
