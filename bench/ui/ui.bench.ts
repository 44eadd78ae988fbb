// UI benchmark: how fast one large trace opens in headless Chromium and how
// smoothly its timeline scrolls, folds and finds, against a real server, for
// traces of 1,000, 10,000, 100,000 and 1,000,000 spans of one shape
// (bench/workload/deep-trace.ts: 8 services, a random tree 18 levels deep, 5
// attributes per span, sent over OTLP/HTTP in requests of 5,000 spans).
// Each trace is opened by a link in a new tab (cold, then warm), after one
// more span arrived, and from inside the running app with the server
// started again (cold, then warm). Needs the UI built (npm run build). `npm run bench ui`; sizes can be given:
// `node --conditions=ariadne-source --import tsx bench/ui/ui.bench.ts 1000 10000`; UI_DIR names another
// build's dist folder to measure instead of packages/ui/dist.
import { mkdtempSync, readdirSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DEFAULT_SERVE_CONFIG, type ServePorts, startServer } from '@ariadne/server';
import type { Page } from 'playwright-core';
import { type DeepTraceFacts, deepTraceRequests, sendDeepTrace } from '../workload/deep-trace.js';
import { launchChromium } from './chromium.js';
import { printTraceViewsTable, type TraceViewsTiming, timeTraceViews } from './trace-views-timing.js';

const sizes = process.argv
  .slice(2)
  .map(Number)
  .filter((n) => n > 0);
const SIZES = sizes.length > 0 ? sizes : [1_000, 10_000, 100_000, 1_000_000];
const RUNS = Number(process.env.UI_BENCH_RUNS ?? 3);

const dataDir = mkdtempSync(join(tmpdir(), 'ariadne-ui-bench-'));
/** The server as the benchmark runs it; started again (same folder, every cache cold) for the in-app opens. */
const startBenchServer = () =>
  startServer({
    ...DEFAULT_SERVE_CONFIG,
    dataDir,
    // Another build of the UI (UI_DIR=path/to/dist), to compare two builds run after run on one machine.
    ...(process.env.UI_DIR === undefined ? {} : { uiDir: process.env.UI_DIR }),
    // Only the two listeners the benchmark uses, whatever ports the server has.
    ports: {
      ...(Object.fromEntries(
        Object.keys(DEFAULT_SERVE_CONFIG.ports).map((name) => [name, 'off']),
      ) as unknown as ServePorts),
      query: 0,
      otlpHttp: 0,
    },
  });
let server = await startBenchServer();

/** Resolves after the next frame has been painted and the main thread has run once more. */
const AFTER_PAINT = 'new Promise((resolve) => requestAnimationFrame(() => setTimeout(resolve, 0)))';
/**
 * When the trace's API request started and its response ended, when the app's code
 * had run, and when the root row was painted (page clock, ms; `notePainted`). The trace page reads the skeleton's byte form
 * (`/api/trace-view/{id}/columns`); earlier builds read `/api/trace-view/{id}` or `/api/traces/{id}`.
 */
const TIMINGS = `(() => {
  const entry = performance.getEntriesByType('resource').find((e) => {
    const parts = new URL(e.name).pathname.split('/');
    return parts[1] === 'api' && ((parts.length === 4 && (parts[2] === 'traces' || parts[2] === 'trace-view')) || (parts.length === 5 && parts[4] === 'columns'));
  });
  const server = entry && entry.serverTiming ? entry.serverTiming.map((t) => t.name === 'cached' ? t.name : t.name + ' ' + Math.round(t.duration)).join(', ') : '';
  // The app's code has run by DOMContentLoaded (module scripts are deferred); the page can fetch the trace before that.
  const navigation = performance.getEntriesByType('navigation')[0];
  const codeReady = navigation ? navigation.domContentLoadedEventEnd : 0;
  return { responseEnd: entry ? entry.responseEnd : 0, requestStart: entry ? entry.startTime : 0, codeReady, painted: globalThis.__opened.painted, server, bytes: entry ? entry.encodedBodySize : 0 };
})()`;
/** Starts recording the time between animation frames (`STOP_FRAMES` returns them). */
const START_FRAMES = `(() => {
  const frames = { out: [], last: performance.now(), on: true };
  window.__frames = frames;
  const tick = (now) => { if (!frames.on) return; frames.out.push(now - frames.last); frames.last = now; requestAnimationFrame(tick); };
  requestAnimationFrame(tick);
})()`;
/** Waits five more frames, stops recording and returns the intervals (ms). */
const STOP_FRAMES = `(async () => {
  for (let i = 0; i < 5; i++) await new Promise((resolve) => requestAnimationFrame(resolve));
  window.__frames.on = false;
  return window.__frames.out;
})()`;
const SCROLL = `(async () => {
  const body = document.querySelector('[data-testid="timeline-body"]');
  for (let f = 0; f < 150; f++) {
    body.scrollTop += 600;
    await new Promise((resolve) => requestAnimationFrame(resolve));
  }
  body.scrollTop = 0;
  await ${AFTER_PAINT};
})()`;
const clickButton = (label: string) => `(async () => {
  [...document.querySelectorAll('button')].find((b) => b.textContent === ${JSON.stringify(label)}).click();
  await ${AFTER_PAINT};
})()`;
/** Folds and unfolds the subtree of the second row (the root's first child), twice. */
const TOGGLE_SUBTREE = `(async () => {
  for (let i = 0; i < 4; i++) {
    const row = document.querySelectorAll('[data-testid="timeline-row"]')[1];
    row.querySelector('[data-testid="timeline-toggle"]').click();
    await ${AFTER_PAINT};
  }
})()`;

const browser = await launchChromium();

interface Open {
  openMs: number;
  /** From the trace's request until its response had fully arrived (server, transfer). */
  serverMs: number;
  /**
   * From when both the response and the app's code were there (the page asks
   * for the trace while its code loads) until the root row was painted (read,
   * tree, render).
   */
  uiMs: number;
  /** The skeleton endpoint's Server-Timing. */
  timing: string;
  /**
   * CPU time of this process (the server with its store thread, and the
   * benchmark's side of the browser's protocol) during the open: unlike wall
   * time, not stretched by whatever else the machine runs.
   */
  cpuMs: number;
  bytes: number;
}

/** An open from inside the app (`openInApp`). */
interface InAppOpen {
  readonly openMs: number;
  readonly cpuMs: number;
  readonly timing: string;
}

interface Frames {
  p50: number;
  p95: number;
  max: number;
}

interface Result {
  spans: number;
  cold: Open;
  warm: Open[];
  grown: Open;
  /** The page's V8 heap after the last open was painted: used, and committed (MB). */
  heapUsedMb: number;
  heapTotalMb: number;
  scroll: Frames;
  collapseAll: Frames;
  expandAll: Frames;
  subtree: Frames;
  find: Frames;
  /** From typing the needle's name until its row was on screen with the match counted. */
  findMs: number;
  /** Span details after the find, and the other views (trace-views-timing.ts). */
  views: TraceViewsTiming;
  /** Opened from inside the app: with the server started again (its caches cold), then again (warm). */
  inApp: { cold: InAppOpen; warm: InAppOpen };
}

/**
 * Waits (at most three minutes) until the embedded store runs no cut: one
 * WAL segment (the head's; a frozen head keeps its own until its block is
 * written) and no block being written. With `emptyHead`, also until that
 * segment is empty (the head holds no span: the trace is all in blocks, its
 * last part cut when the head grew old, up to 35 s after it was made) and
 * this process has used under a tenth of a core for a quarter of a second
 * (a cut plans its block on the store's thread before it writes it): a cold
 * open then reads a trace from its blocks, not partly from the head, and
 * does not wait for a cut's turns of the store's thread. What still stretches
 * the cold read here is the browser: it starts the page (compiles the app,
 * lays it out) on the same cores while the store reads (a 100,000-span trace
 * read in 189 ms with nothing else asking, measured by curl, and in 640 to
 * 1,090 ms while the page opened, on a machine at load 3 to 9).
 */
async function storeQuiet(emptyHead = false): Promise<void> {
  for (let waited = 0; waited < 180_000; waited += 100) {
    const segments = readdirSync(join(dataDir, 'wal')).filter((name) => name.endsWith('.wal'));
    const writing = readdirSync(join(dataDir, 'blocks')).some((name) => name.endsWith('.tmp'));
    const headEmpty = segments.length === 1 && statSync(join(dataDir, 'wal', segments[0] as string)).size === 0;
    if (segments.length <= 1 && !writing && (!emptyHead || headEmpty)) break;
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  if (!emptyHead) return;
  for (let waited = 0; waited < 60_000; waited += 250) {
    const cpu = process.cpuUsage();
    await new Promise((resolve) => setTimeout(resolve, 250));
    const used = process.cpuUsage(cpu);
    if (used.user + used.system < 25_000) return;
  }
}

/**
 * Installed in the page before its own scripts: notes (page clock, ms from
 * navigation start) when the root row first shows and when the frame that
 * shows it has been painted and the main thread has run once more (as
 * `AFTER_PAINT`). A MutationObserver sees the row as it is added: polling for
 * it from here (Playwright's locator waits poll at 0, 20, 50, 100, 100 and then
 * every 500 ms) rounded every open up to the next poll, by up to half a second.
 */
const notePainted = (selector: string) => `(() => {
  const marks = {};
  globalThis.__opened = marks;
  const observer = new MutationObserver(() => {
    if (document.querySelector(${JSON.stringify(selector)}) === null) return;
    observer.disconnect();
    marks.row = performance.now();
    requestAnimationFrame(() => setTimeout(() => { marks.painted = performance.now(); }, 0));
  });
  observer.observe(document, { childList: true, subtree: true });
})()`;

/** Opens the trace page: from navigation until the root row is painted and the main thread is free again. */
async function openTrace(facts: DeepTraceFacts): Promise<Open & { page: Page }> {
  const page = await browser.newPage({ viewport: { width: 1400, height: 900 } });
  await page.addInitScript(notePainted(`[data-testid="timeline-row"][data-span-id="${facts.rootSpanId}"]`));
  const cpuBefore = process.cpuUsage();
  await page.goto(`${server.listeners.query.url}/trace/${facts.traceId}`, { waitUntil: 'commit' });
  // A function, not a string: the page's Content-Security-Policy forbids eval.
  const painted = () => (globalThis as unknown as { __opened: { painted?: number } }).__opened.painted !== undefined;
  await page.waitForFunction(painted, undefined, {
    polling: 'raf',
    timeout: 300_000,
  });
  const cpu = process.cpuUsage(cpuBefore);
  const timing = (await page.evaluate(TIMINGS)) as {
    responseEnd: number;
    requestStart: number;
    codeReady: number;
    painted: number;
    server: string;
    bytes: number;
  };
  return {
    page,
    // The page's clock starts at navigation: the user's click.
    openMs: timing.painted,
    cpuMs: (cpu.user + cpu.system) / 1000,
    serverMs: timing.responseEnd - timing.requestStart,
    uiMs: timing.painted - Math.max(timing.responseEnd, timing.codeReady),
    timing: timing.server,
    bytes: timing.bytes,
  };
}

/**
 * Opens the trace from inside the app, as a user who pastes its id into the
 * header's box does (or follows a link in the app): the app's code running
 * already (on its page for opening trace files, which asks the server
 * nothing), until the root row is painted and the main thread is free again
 * (page clock, from the submit). What is left is the trace's answer and the
 * page it makes. (Not from the search page: its results are whole traces
 * from `/api/traces`, Jaeger's way, and a search that lists the
 * million-span trace did not answer within two minutes.)
 */
async function openInApp(facts: DeepTraceFacts): Promise<InAppOpen> {
  const page = await browser.newPage({ viewport: { width: 1400, height: 900 } });
  try {
    await page.goto(`${server.listeners.query.url}/open`);
    const box = page.getByTestId('trace-id-jump');
    await box.fill(facts.traceId);
    await page.evaluate(AFTER_PAINT);
    const cpuBefore = process.cpuUsage();
    // Submitted from inside the page: its clock starts with it, with no round trip of the protocol.
    await page.evaluate(
      `(() => { ${notePainted(`[data-testid="timeline-row"][data-span-id="${facts.rootSpanId}"]`)}; globalThis.__opened.submit = performance.now(); document.querySelector('[data-testid="trace-id-jump"]').form.requestSubmit(); })()`,
    );
    const painted = () => (globalThis as unknown as { __opened: { painted?: number } }).__opened.painted !== undefined;
    await page.waitForFunction(painted, undefined, { polling: 'raf', timeout: 300_000 });
    const cpu = process.cpuUsage(cpuBefore);
    const marks = (await page.evaluate('globalThis.__opened')) as { submit: number; painted: number };
    const timing = (await page.evaluate(TIMINGS)) as { server: string };
    return { openMs: marks.painted - marks.submit, cpuMs: (cpu.user + cpu.system) / 1000, timing: timing.server };
  } finally {
    await page.close();
  }
}

const sorted = (values: number[]) => [...values].sort((a, b) => a - b);
const quantile = (values: number[], q: number) =>
  sorted(values)[Math.min(values.length - 1, Math.floor(values.length * q))] as number;
const median = (values: number[]) => quantile(values, 0.5);
const framesOf = (deltas: number[]): Frames => ({
  p50: quantile(deltas, 0.5),
  p95: quantile(deltas, 0.95),
  max: Math.max(...deltas),
});

/** Frame intervals while `run` does something in the page; a step that fails is reported, and the run goes on. */
async function framesWhile(page: Page, run: () => Promise<unknown>): Promise<number[]> {
  await page.evaluate(START_FRAMES);
  try {
    await run();
  } catch (error) {
    console.error(`a step failed: ${error instanceof Error ? error.message.split('\n')[0] : String(error)}`);
  }
  return (await page.evaluate(STOP_FRAMES)) as number[];
}

try {
  // The server's port changes when it is started again.
  const otlpUrl = () => server.listeners.otlpHttp?.url ?? '';
  const results: Result[] = [];
  for (const [i, spanCount] of SIZES.entries()) {
    // Written and sent a batch at a time: a million spans never exist here as objects at once
    // (the server shares this process).
    const sentAt = performance.now();
    const { bodies, facts } = deepTraceRequests({ spanCount, seed: 100 + i, startMillis: Date.now() - 700_000 });
    await sendDeepTrace(otlpUrl(), bodies);
    const sendMs = performance.now() - sentAt;
    // Cold means the server's caches, not a cut of the head racing the open.
    await storeQuiet(true);
    const opens: Open[] = [];
    let last: Page | undefined;
    for (let run = 0; run < RUNS; run++) {
      const { page, ...open } = await openTrace(facts);
      opens.push(open);
      if (run < RUNS - 1) await page.close();
      else last = page;
    }
    const page = last as Page;
    const cdp = await page.context().newCDPSession(page);
    await cdp.send('Performance.enable');
    const { metrics } = await cdp.send('Performance.getMetrics');
    const metric = (name: string) => (metrics.find((m) => m.name === name)?.value ?? 0) / 1e6;
    const heapUsedMb = metric('JSHeapUsedSize');
    const heapTotalMb = metric('JSHeapTotalSize');
    await cdp.detach();
    // Scroll: 150 frames, 600 px each. Fold everything, then unfold; fold and unfold one subtree twice.
    const scroll = framesOf(await framesWhile(page, () => page.evaluate(SCROLL)));
    const collapseAll = framesOf(await framesWhile(page, () => page.evaluate(clickButton('Collapse all'))));
    const expandAll = framesOf(await framesWhile(page, () => page.evaluate(clickButton('Expand all'))));
    const subtree = framesOf(await framesWhile(page, () => page.evaluate(TOGGLE_SUBTREE)));
    // Find the needle (a span at the deepest level, late in the trace) by its name, until its row is on screen.
    let findMs = Number.NaN;
    // The page asks the server to search attributes too once the typing pauses: the details are asked
    // for while that search runs.
    const searchStarted = page.waitForRequest((r) => r.url().includes(`/${facts.traceId}/search?`), {
      timeout: 300_000,
    });
    const find = framesOf(
      await framesWhile(page, async () => {
        const t0 = performance.now();
        await page.getByTestId('trace-find').fill(facts.needleName);
        await page.getByTestId('trace-find-count').filter({ hasText: '1 of 1' }).waitFor({ timeout: 300_000 });
        await page.locator(`[data-testid="timeline-row"][data-span-id="${facts.needleSpanId}"]`).waitFor();
        await page.evaluate(AFTER_PAINT);
        findMs = performance.now() - t0;
      }),
    );
    const views = await timeTraceViews(page, facts.needleSpanId, searchStarted);
    await page.close();
    // One more span of the trace arrives: nothing kept of it holds any more, and the next open reads it all
    // again, once the store has finished cutting the head it was ingested into.
    await storeQuiet();
    await sendDeepTrace(otlpUrl(), [
      JSON.stringify({
        resourceSpans: [
          {
            resource: { attributes: [{ key: 'service.name', value: { stringValue: 'service-0' } }] },
            scopeSpans: [
              {
                spans: [
                  {
                    traceId: facts.traceId,
                    spanId: 'ffffffffffff0001',
                    parentSpanId: facts.rootSpanId,
                    name: 'late',
                    startTimeUnixNano: `${BigInt(Date.now() - 600_000) * 1_000_000n}`,
                    endTimeUnixNano: `${BigInt(Date.now() - 599_000) * 1_000_000n}`,
                  },
                ],
              },
            ],
          },
        ],
      }),
    ]);
    const { page: grownPage, ...grown } = await openTrace(facts);
    await grownPage.close();
    // From inside the app: the server started again on the same folder, so that nothing it kept of the
    // trace holds.
    await storeQuiet();
    await server.close();
    server = await startBenchServer();
    await storeQuiet(true);
    const inApp = { cold: await openInApp(facts), warm: await openInApp(facts) };
    results.push({
      spans: spanCount,
      cold: opens[0] as Open,
      warm: opens.slice(1),
      grown,
      heapUsedMb,
      heapTotalMb,
      scroll,
      collapseAll,
      expandAll,
      subtree,
      find,
      findMs,
      views,
      inApp,
    });
    console.error(`done: ${spanCount} spans (sent in ${(sendMs / 1000).toFixed(1)} s)`);
  }

  const f = (n: number) => n.toFixed(n < 10 ? 1 : 0);
  const warmOf = (r: Result, pick: (o: Open) => number) =>
    r.warm.length === 0 ? Number.NaN : median(r.warm.map(pick));
  console.log(
    `Trace page in headless Chromium (1400×900), ${RUNS} opens per size: the first with the server's caches cold (cold), the median of the others (warm). Traces: bench/workload/deep-trace.ts.\n`,
  );
  console.log(
    '| Spans | Open cold (ms) | Open warm (ms) | of which server + transfer, cold / warm | of which UI (response and code there → painted), cold / warm | Server CPU per open, cold / warm (ms) | Open after one more span arrived (ms) | Answer (MB) | Page JS heap used / committed (MB) |',
  );
  console.log('|---:|---:|---:|---:|---:|---:|---:|---:|---:|');
  for (const r of results) {
    console.log(
      `| ${r.spans.toLocaleString('en')} | ${f(r.cold.openMs)} | ${f(warmOf(r, (o) => o.openMs))} | ${f(r.cold.serverMs)} / ${f(warmOf(r, (o) => o.serverMs))} | ${f(r.cold.uiMs)} / ${f(warmOf(r, (o) => o.uiMs))} | ${f(r.cold.cpuMs)} / ${f(warmOf(r, (o) => o.cpuMs))} | ${f(r.grown.openMs)} | ${(r.cold.bytes / 1e6).toFixed(1)} | ${f(r.heapUsedMb)} / ${f(r.heapTotalMb)} |`,
    );
  }
  const base = results[0] as Result;
  const frames = (x: Frames, ref: Frames) =>
    `${f(x.p50)} / ${f(x.p95)} / ${f(x.max)} (${(x.p95 / ref.p95).toFixed(2)}×)`;
  console.log(
    `\nFrames while acting on the last open page, p50 / p95 / max (ms), and in brackets p95 against the ${base.spans.toLocaleString('en')}-span trace's in the same run. Scroll: 150 frames of 600 px. Collapse all, then expand all. Subtree: fold and unfold the second row's subtree twice. Find: type the name of a span at the deepest level, late in the trace, until its row is on screen (the page finds it in the names it holds; the server's search of attributes answers later, or gives up at its query timeout).\n`,
  );
  console.log(
    '| Spans | Scroll | Collapse all | Expand all | Subtree fold/unfold | Find | Find until the row shows (ms) |',
  );
  console.log('|---:|---:|---:|---:|---:|---:|---:|');
  for (const r of results) {
    console.log(
      `| ${r.spans.toLocaleString('en')} | ${frames(r.scroll, base.scroll)} | ${frames(r.collapseAll, base.collapseAll)} | ${frames(r.expandAll, base.expandAll)} | ${frames(r.subtree, base.subtree)} | ${frames(r.find, base.find)} | ${f(r.findMs)} |`,
    );
  }
  console.log(
    "\nOpened from inside the app (its code running, the trace's id submitted in the header's box), ms from the submit until the root row is painted: with the server just started again on the same folder (its caches cold), then again (its answer kept). Server CPU as above.\n",
  );
  console.log('| Spans | Open cold (ms) | Open warm (ms) | Server CPU, cold / warm (ms) | Server-Timing, cold |');
  console.log('|---:|---:|---:|---:|---|');
  for (const r of results) {
    console.log(
      `| ${r.spans.toLocaleString('en')} | ${f(r.inApp.cold.openMs)} | ${f(r.inApp.warm.openMs)} | ${f(r.inApp.cold.cpuMs)} / ${f(r.inApp.warm.cpuMs)} | ${r.inApp.cold.timing} |`,
    );
  }
  printTraceViewsTable(results);
  console.log(
    "\nServer CPU: this process (the server, its store's thread with any cut of the head meanwhile, and the benchmark's end of the browser protocol) during the open. Heap: the page after its last open, before scrolling (V8 heap used, and committed). The server keeps the answers of large traces (10,000 spans or more) per trace version: warm opens are served from there (Server-Timing `cached`); the open after one more span arrived reads the trace again.",
  );
  console.log('\nServer-Timing of each open (ms):');
  for (const r of results) {
    console.log(
      `- ${r.spans.toLocaleString('en')} spans: cold: ${r.cold.timing} | warm: ${r.warm.map((o) => o.timing).join(' | ')} || after one more span: ${r.grown.timing}`,
    );
  }
} finally {
  await browser.close();
  await server.close();
  rmSync(dataDir, { recursive: true, force: true });
}
