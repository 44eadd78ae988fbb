// The trace page's views beside the timeline, timed on an open page of the UI
// benchmark (ui.bench.ts): span details right after a find (the server's
// search of attributes started by the find running), then the flame
// graph, the spans table, the statistics and the service graph, each from the
// click on its tab until its content is painted, with the longest frame meanwhile
// (the page stays responsive when that is short), and the page's heap after them all.
import type { Page } from 'playwright-core';

/** Resolves after the next frame has been painted and the main thread has run once more. */
const AFTER_PAINT = 'new Promise((resolve) => requestAnimationFrame(() => setTimeout(resolve, 0)))';
/** Starts recording the longest interval between animation frames (`STOP_LONGEST` returns it). */
const START_LONGEST = `(() => {
  const frames = { longest: 0, last: performance.now(), on: true };
  window.__longest = frames;
  const tick = (now) => { if (!frames.on) return; frames.longest = Math.max(frames.longest, now - frames.last); frames.last = now; requestAnimationFrame(tick); };
  requestAnimationFrame(tick);
})()`;
const STOP_LONGEST = `(() => { window.__longest.on = false; return window.__longest.longest; })()`;

export interface ViewTiming {
  /** From the click until the content was painted (ms). */
  readonly openMs: number;
  /** The longest interval between frames meanwhile (ms). */
  readonly longestFrameMs: number;
}

export interface TraceViewsTiming {
  readonly detailsAfterFind: ViewTiming;
  readonly flame: ViewTiming;
  readonly table: ViewTiming;
  readonly stats: ViewTiming;
  readonly graph: ViewTiming;
  /** The page's V8 heap after every view had been shown (MB used). */
  readonly heapUsedMb: number;
}

export const VIEW_TIMEOUT_MS = 300_000;

async function timed(page: Page, act: () => Promise<unknown>): Promise<ViewTiming> {
  await page.evaluate(START_LONGEST);
  const t0 = performance.now();
  try {
    await act();
    await page.evaluate(AFTER_PAINT);
  } catch (error) {
    console.error(`a view failed: ${error instanceof Error ? error.message.split('\n')[0] : String(error)}`);
    await page.evaluate(STOP_LONGEST);
    return { openMs: Number.NaN, longestFrameMs: Number.NaN };
  }
  const openMs = performance.now() - t0;
  return { openMs, longestFrameMs: (await page.evaluate(STOP_LONGEST)) as number };
}

/**
 * On a trace page whose timeline shows `needleSpanId`'s row (just found):
 * once the find's server search has started, clicks the row and waits for
 * its details from the server, then opens each view.
 */
export async function timeTraceViews(
  page: Page,
  needleSpanId: string,
  searchStarted: Promise<unknown>,
): Promise<TraceViewsTiming> {
  // Details while the server searches the trace's attributes for the find: what once made them wait.
  await searchStarted.catch(() => console.error('the find asked the server nothing'));
  const detailsAfterFind = await timed(page, async () => {
    await page.locator(`[data-testid="timeline-row"][data-span-id="${needleSpanId}"]`).click();
    await page.locator('[data-testid="span-detail"][aria-busy="false"]').waitFor({ timeout: VIEW_TIMEOUT_MS });
  });
  const open = (view: string, content: string) =>
    timed(page, async () => {
      await page.getByTestId(`view-${view}`).click();
      await page.locator(content).first().waitFor({ timeout: VIEW_TIMEOUT_MS });
    });
  const flame = await open('flame', '[data-testid="flame-graph"] canvas');
  const table = await open('table', '[data-testid="span-table-row"]');
  const stats = await open('stats', '[data-testid="trace-statistics-row"]');
  const graph = await open('graph', '[data-testid="service-graph-node"]');
  const cdp = await page.context().newCDPSession(page);
  await cdp.send('Performance.enable');
  const { metrics } = await cdp.send('Performance.getMetrics');
  await cdp.detach();
  const heapUsedMb = (metrics.find((m) => m.name === 'JSHeapUsedSize')?.value ?? 0) / 1e6;
  return { detailsAfterFind, flame, table, stats, graph, heapUsedMb };
}

/** The bench's table of these timings, one line per size, the first size's figures as the reference. */
export function printTraceViewsTable(results: readonly { spans: number; views: TraceViewsTiming }[]): void {
  const f = (n: number) => (Number.isNaN(n) ? 'failed' : n.toFixed(n < 10 ? 1 : 0));
  const cell = (t: ViewTiming) => `${f(t.openMs)} (${f(t.longestFrameMs)})`;
  console.log(
    "\nThe other views, on the same page after the find: ms from the click until the content is painted, and in brackets the longest frame meanwhile (ms). Details: the found span clicked once the server's search of attributes for the find had started (at 1,000,000 spans it runs for seconds more). Heap: the page after all of them (V8 heap used).\n",
  );
  console.log(
    '| Spans | Span details after find | Flame graph | Spans table | Statistics | Service graph | Page JS heap after (MB) |',
  );
  console.log('|---:|---:|---:|---:|---:|---:|---:|');
  for (const { spans, views } of results) {
    console.log(
      `| ${spans.toLocaleString('en')} | ${cell(views.detailsAfterFind)} | ${cell(views.flame)} | ${cell(views.table)} | ${cell(views.stats)} | ${cell(views.graph)} | ${f(views.heapUsedMb)} |`,
    );
  }
}
