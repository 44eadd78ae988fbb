// UI benchmark: how fast one large trace opens in headless Chromium and how
// smoothly its timeline scrolls and folds, against a real server, for traces
// of 1,000, 10,000 and 100,000 spans (bench/workload/large-trace.ts).
// Needs the UI built (npm run build). `npm run bench ui`; sizes can be given:
// `node --conditions=ariadne-source --import tsx bench/ui/ui.bench.ts 1000 10000`.
import { mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Span } from '@ariadne/protocol';
import { DEFAULT_SERVE_CONFIG, type ServePorts, startServer } from '@ariadne/server';
import { chromium } from 'playwright-core';
import { largeTrace } from '../workload/large-trace.js';
import { sendSpans } from './ui-fixtures.js';

const sizes = process.argv
  .slice(2)
  .map(Number)
  .filter((n) => n > 0);
const SIZES = sizes.length > 0 ? sizes : [1_000, 10_000, 100_000];
const RUNS = Number(process.env.UI_BENCH_RUNS ?? 3);

const dataDir = mkdtempSync(join(tmpdir(), 'ariadne-ui-bench-'));
const server = await startServer({
  ...DEFAULT_SERVE_CONFIG,
  dataDir,
  // Only the two listeners the benchmark uses, whatever ports the server has.
  ports: {
    ...(Object.fromEntries(
      Object.keys(DEFAULT_SERVE_CONFIG.ports).map((name) => [name, 'off']),
    ) as unknown as ServePorts),
    query: 0,
    otlpHttp: 0,
  },
});

// Scripts run in the page. Strings, because the benchmarks compile without the DOM's types.
/** Resolves after the next frame has been painted and the main thread has run once more. */
const AFTER_PAINT = 'new Promise((resolve) => requestAnimationFrame(() => setTimeout(resolve, 0)))';
/**
 * When the trace's API request started and its response ended, when the app's code
 * had run (page clock, ms), and now. The trace page reads the skeleton
 * (`/api/trace-view/{id}`); builds before issue 8 read `/api/traces/{id}`.
 */
const TIMINGS = `(() => {
  const entry = performance.getEntriesByType('resource').find((e) => {
    const parts = new URL(e.name).pathname.split('/');
    return parts.length === 4 && parts[1] === 'api' && (parts[2] === 'traces' || parts[2] === 'trace-view');
  });
  const server = entry && entry.serverTiming ? entry.serverTiming.map((t) => t.name === 'cached' ? t.name : t.name + ' ' + Math.round(t.duration)).join(', ') : '';
  // The app's code has run by DOMContentLoaded (module scripts are deferred); the page can fetch the trace before that.
  const navigation = performance.getEntriesByType('navigation')[0];
  const codeReady = navigation ? navigation.domContentLoadedEventEnd : 0;
  return { responseEnd: entry ? entry.responseEnd : 0, requestStart: entry ? entry.startTime : 0, codeReady, now: performance.now(), server };
})()`;
const SCROLL = `(async () => {
  const body = document.querySelector('[data-testid="timeline-body"]');
  const out = [];
  let last = performance.now();
  for (let f = 0; f < 150; f++) {
    body.scrollTop += 600;
    await new Promise((resolve) => requestAnimationFrame(resolve));
    const now = performance.now();
    out.push(now - last);
    last = now;
  }
  body.scrollTop = 0;
  await new Promise((resolve) => requestAnimationFrame(resolve));
  return out;
})()`;
const fold = (label: string) => `(async () => {
  const button = [...document.querySelectorAll('button')].find((b) => b.textContent === ${JSON.stringify(label)});
  const t0 = performance.now();
  button.click();
  await ${AFTER_PAINT};
  return performance.now() - t0;
})()`;
const browser = await chromium.launch({
  executablePath: process.env.CHROMIUM_PATH ?? '/usr/bin/chromium',
  args: ['--headless', '--no-sandbox', '--disable-gpu', '--no-first-run', '--disable-background-networking'],
});

interface Result {
  spans: number;
  openMs: number[];
  /** Of the open: from the trace's request until its response had fully arrived (server, transfer). */
  serverMs: number[];
  /**
   * Of the open: from when both the response and the app's code were there
   * (the page asks for the trace while its code loads) until the timeline was
   * painted (parse, check, tree, render).
   */
  uiMs: number[];
  /** The skeleton endpoint's Server-Timing per open: store read, skeleton, JSON (ms). */
  serverTimings: string[];
  /**
   * CPU time of this process (the server, and the benchmark's side of the
   * browser's protocol) during each open: unlike wall time, not stretched by
   * whatever else the machine runs.
   */
  serverCpuMs: number[];
  /** The page's V8 heap after the last open was painted: used, and committed (MB). */
  heapUsedMb: number;
  heapTotalMb: number;
  /** The open after one more span of the trace arrived, and its Server-Timing. */
  grownOpenMs: number;
  grownTiming: string;
  frameP50: number;
  frameP95: number;
  frameMax: number;
  collapseMs: number;
  expandMs: number;
}

/**
 * Waits (at most a minute) until the embedded store runs no cut: one WAL
 * segment (the head's; a frozen head keeps its own until its block is
 * written) and no block being written.
 */
async function storeQuiet(): Promise<void> {
  for (let waited = 0; waited < 60_000; waited += 100) {
    const segments = readdirSync(join(dataDir, 'wal')).filter((name) => name.endsWith('.wal'));
    const writing = readdirSync(join(dataDir, 'blocks')).some((name) => name.endsWith('.tmp'));
    if (segments.length <= 1 && !writing) return;
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}

/** Generates and sends one large trace (`largeTrace`); returns its root span. */
async function sendLargeTrace(otlpUrl: string, spanCount: number, seed: number): Promise<Span> {
  const spans = largeTrace({ spanCount, seed, startTimeUnixNano: BigInt(Date.now() - 60_000) * 1_000_000n });
  await sendSpans(otlpUrl, spans, 10_000);
  return spans[0] as Span;
}

/** Opens the trace page: from navigation until the root row is on screen and the main thread is free again. */
async function openTrace(traceId: string, rootId: string) {
  const page = await browser.newPage({ viewport: { width: 1400, height: 900 } });
  const cpuBefore = process.cpuUsage();
  const started = performance.now();
  await page.goto(`${server.listeners.query.url}/trace/${traceId}`);
  await page.locator(`[data-testid="timeline-row"][data-span-id="${rootId}"]`).waitFor();
  await page.evaluate(AFTER_PAINT);
  const openMs = performance.now() - started;
  const cpu = process.cpuUsage(cpuBefore);
  const timing = (await page.evaluate(TIMINGS)) as {
    responseEnd: number;
    requestStart: number;
    codeReady: number;
    now: number;
    server: string;
  };
  return {
    page,
    openMs,
    cpuMs: (cpu.user + cpu.system) / 1000,
    serverMs: timing.responseEnd - timing.requestStart,
    uiMs: timing.now - Math.max(timing.responseEnd, timing.codeReady),
    serverTiming: timing.server,
  };
}

const median = (values: number[]) => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)] as number;
const quantile = (values: number[], q: number) =>
  [...values].sort((a, b) => a - b)[Math.min(values.length - 1, Math.floor(values.length * q))] as number;

try {
  const otlpUrl = server.listeners.otlpHttp?.url ?? '';
  const results: Result[] = [];
  for (const [i, spanCount] of SIZES.entries()) {
    // Only the root is kept: the server shares this process, and 100,000 generated spans held
    // here would make its garbage collections slower than a server's own.
    const root = await sendLargeTrace(otlpUrl, spanCount, 100 + i);
    const traceId = root.traceId;
    const rootId = root.spanId;
    const result: Result = {
      spans: spanCount,
      openMs: [],
      serverMs: [],
      uiMs: [],
      serverTimings: [],
      serverCpuMs: [],
      heapUsedMb: 0,
      heapTotalMb: 0,
      grownOpenMs: 0,
      grownTiming: '',
      frameP50: 0,
      frameP95: 0,
      frameMax: 0,
      collapseMs: 0,
      expandMs: 0,
    };
    for (let run = 0; run < RUNS; run++) {
      const { page, ...open } = await openTrace(traceId, rootId);
      result.openMs.push(open.openMs);
      result.serverCpuMs.push(open.cpuMs);
      // The server's own account (Server-Timing), when it gives one.
      if (open.serverTiming !== '') result.serverTimings.push(open.serverTiming);
      result.serverMs.push(open.serverMs);
      result.uiMs.push(open.uiMs);

      if (run === RUNS - 1) {
        const cdp = await page.context().newCDPSession(page);
        await cdp.send('Performance.enable');
        const { metrics } = await cdp.send('Performance.getMetrics');
        const metric = (name: string) => (metrics.find((m) => m.name === name)?.value ?? 0) / 1e6;
        result.heapUsedMb = metric('JSHeapUsedSize');
        result.heapTotalMb = metric('JSHeapTotalSize');
        await cdp.detach();
        // Scroll: 150 frames, 600 px each, recording the time between animation frames.
        const deltas = (await page.evaluate(SCROLL)) as number[];
        result.frameP50 = median(deltas);
        result.frameP95 = quantile(deltas, 0.95);
        result.frameMax = Math.max(...deltas);
        // Fold everything, then unfold: from the click until the next painted frame.
        result.collapseMs = (await page.evaluate(fold('Collapse all'))) as number;
        result.expandMs = (await page.evaluate(fold('Expand all'))) as number;
      }
      await page.close();
    }
    // One more span of the trace arrives: nothing kept of it holds any more, the next open reads it all again,
    // once the store has finished cutting the head it was ingested into (which shares this process's CPU).
    await storeQuiet();
    await sendSpans(otlpUrl, [
      { ...root, spanId: 'ffffffffffff0001', parentSpanId: root.spanId, events: [], links: [] },
    ]);
    const grown = await openTrace(traceId, rootId);
    result.grownOpenMs = grown.openMs;
    result.grownTiming = grown.serverTiming;
    await grown.page.close();
    results.push(result);
    console.error(`done: ${spanCount} spans`);
  }

  const f = (n: number) => n.toFixed(n < 10 ? 1 : 0);
  console.log(
    `Trace page in headless Chromium (1400×900), ${RUNS} opens per size, median; scroll = 150 frames of 600 px.\n`,
  );
  console.log(
    '| Spans | Open (ms) | of which server + transfer | of which UI (response and code there → painted) | Opens (ms, each) | First open, nothing cached (ms) | Open after one more span arrived (ms) | Server CPU per open (ms) | Frame p50 (ms) | Frame p95 (ms) | Frame max (ms) | Collapse all (ms) | Expand all (ms) | Page JS heap used / committed (MB) |',
  );
  console.log('|---:|---:|---:|---:|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|');
  for (const r of results) {
    console.log(
      `| ${r.spans.toLocaleString('en')} | ${f(median(r.openMs))} | ${f(median(r.serverMs))} | ${f(median(r.uiMs))} | ${r.openMs.map(f).join(', ')} | ${f(r.openMs[0] ?? 0)} | ${f(r.grownOpenMs)} | ${f(median(r.serverCpuMs))} | ${f(r.frameP50)} | ${f(r.frameP95)} | ${f(r.frameMax)} | ${f(r.collapseMs)} | ${f(r.expandMs)} | ${f(r.heapUsedMb)} / ${f(r.heapTotalMb)} |`,
    );
  }
  console.log(
    "\nThe embedded store keeps the outlines of the large traces (10,000 spans or more) it read last: opens after the first are served from there while the trace is unchanged (Server-Timing says `cached`); the first open of each size had nothing cached, and the open after one more span of the trace arrived reads it all again, with no cut of the store running (the first open may race the cut of the head the trace was ingested into, which runs in this process). Server CPU: this process (the server, its background cuts of the head meanwhile, and the benchmark's end of the browser protocol), median per open. UI: from when both the trace's response and the app's code were there (the page asks for the trace while its code loads, so for a small trace this includes starting the app). Heap: the page after its last open, before scrolling (V8 heap used, and committed).",
  );
  console.log('\nServer-Timing of each open (ms):');
  for (const r of results) {
    console.log(
      `- ${r.spans.toLocaleString('en')} spans: ${r.serverTimings.join(' | ')} || after one more span: ${r.grownTiming}`,
    );
  }
} finally {
  await browser.close();
  await server.close();
  rmSync(dataDir, { recursive: true, force: true });
}
