// Where the time of opening one large trace goes, step by step, in Node:
// server (store read, translation, JSON), transfer, and the UI's pure steps
// (parse, validate, tree, summaries). The browser's own share (layout, first
// React render) is what ui.bench.ts measures beyond these.
// `node --conditions=ariadne-source --import tsx bench/ui/trace-open-breakdown.ts 100000`
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { stringifyJaegerJson, toJaegerTrace } from '@ariadne/protocol';
import { DEFAULT_SERVE_CONFIG, type ServePorts, startServer } from '@ariadne/server';
import { hasTraceOutline, traceOutlineOf } from '../../packages/server/src/query/trace-view/trace-outline.js';
import { toTraceSkeleton } from '../../packages/server/src/query/trace-view/trace-skeleton.js';
import { largeTrace } from '../workload/large-trace.js';
import { sendSpans } from './ui-fixtures.js';

// The UI's modules are loaded by path: the benchmarks' project does not compile the UI's sources.
// biome-ignore lint/suspicious/noExplicitAny: the UI's types are not in this project.
type Any = any;
const ui = (path: string): Promise<Any> => import(new URL(`../../packages/ui/src/${path}`, import.meta.url).href);
const { readEnvelope, readTraces } = await ui('api/read-response.ts');
const { readTraceSkeleton } = await ui('api/read-skeleton.ts');
const { readTraceColumns } = await ui('api/read-trace-columns.ts');
const { parseJson } = await ui('api/parse-json.ts');
const { buildSpanTree } = await ui('trace/build-span-tree.ts');
const { findClockSkew } = await ui('trace/clock-skew.ts');
const { summarizeTrace } = await ui('trace/summarize-trace.ts');

const spanCount = Number(process.argv[2] ?? 100_000);
/** `--skeleton-only`: skip the (slow) Jaeger API path. */
const jaegerToo = !process.argv.includes('--skeleton-only');
const dataDir = mkdtempSync(join(tmpdir(), 'ariadne-ui-breakdown-'));
const server = await startServer({
  ...DEFAULT_SERVE_CONFIG,
  dataDir,
  ports: {
    ...(Object.fromEntries(
      Object.keys(DEFAULT_SERVE_CONFIG.ports).map((name) => [name, 'off']),
    ) as unknown as ServePorts),
    query: 0,
    otlpHttp: 0,
  },
});

const steps: [string, number][] = [];
function time<T>(label: string, run: () => T): T {
  const t0 = performance.now();
  const out = run();
  steps.push([label, performance.now() - t0]);
  return out;
}
async function timeAsync<T>(label: string, run: () => Promise<T>): Promise<T> {
  const t0 = performance.now();
  const out = await run();
  steps.push([label, performance.now() - t0]);
  return out;
}

try {
  const spans = largeTrace({ spanCount, seed: 100, startTimeUnixNano: BigInt(Date.now() - 60_000) * 1_000_000n });
  await sendSpans(server.listeners.otlpHttp?.url ?? '', spans, 10_000);
  const traceId = spans[0]?.traceId as string;
  // Warm up once so JIT and caches look like a second open.
  await (await fetch(`${server.listeners.query.url}/api/trace-view/${traceId}`)).text();

  const stored = await timeAsync('server: store.getTrace', () => server.store.getTrace(traceId));
  time('server: traceOutlineOf (stored spans)', () => traceOutlineOf(stored));
  const { store } = server;
  const outline = await timeAsync('server: store.getTraceOutline', () =>
    hasTraceOutline(store) ? store.getTraceOutline(traceId) : Promise.resolve(traceOutlineOf(stored)),
  );
  const skeleton = time('server: toTraceSkeleton', () => toTraceSkeleton(outline));
  time('server: JSON.stringify skeleton', () => JSON.stringify(skeleton));
  let jsonBytes = 0;
  if (jaegerToo) {
    const jaeger = time('server: toJaegerTrace', () => toJaegerTrace(stored));
    const json = time('server: stringifyJaegerJson', () =>
      stringifyJaegerJson({ data: [jaeger], total: 1, limit: 0, offset: 0, errors: null }),
    );
    const text = await timeAsync('http: GET /api/traces/{id} (all of the above + transfer)', async () =>
      (await fetch(`${server.listeners.query.url}/api/traces/${traceId}`)).text(),
    );
    const body = time('ui: parseJson', () => parseJson(text));
    const trace = time('ui: readTraces (validate)', () => readTraces(readEnvelope(body).data)[0]);
    if (trace === undefined) throw new Error('no trace');
    const tree = time('ui: buildSpanTree', () => buildSpanTree(trace));
    time('ui: findClockSkew', () => findClockSkew(tree));
    time('ui: summarizeTrace', () => summarizeTrace(trace));
    time('ui: services set', () => new Set(tree.nodes.map((n: Any) => n.serviceName)));
    jsonBytes = json.length;
  }

  // The trace page's way since issue 8: the skeleton.
  const skeletonText = await timeAsync('http: GET /api/trace-view/{id} (skeleton)', async () =>
    (await fetch(`${server.listeners.query.url}/api/trace-view/${traceId}`)).text(),
  );
  const skeletonBody = time('ui: JSON.parse skeleton', () => JSON.parse(skeletonText));
  const light = time('ui: readTraceSkeleton', () => readTraceSkeleton(readEnvelope(skeletonBody).data));
  const lightTree = time('ui: buildSpanTree (skeleton, with its columns)', () =>
    buildSpanTree(light.trace, light.columns),
  );
  time('ui: findClockSkew (skeleton)', () => findClockSkew(lightTree));
  time('ui: summarizeTrace (skeleton, with its columns)', () => summarizeTrace(light.trace, light.columns));
  // The trace page's way since issue 18: the skeleton's byte form.
  const columns = await timeAsync('http: GET /api/trace-view/{id}/columns (bytes)', async () =>
    (await fetch(`${server.listeners.query.url}/api/trace-view/${traceId}/columns`)).arrayBuffer(),
  );
  const fromBytes = time('ui: readTraceColumns', () => readTraceColumns(columns));
  const bytesTree = time('ui: buildSpanTree (bytes, with their columns)', () =>
    buildSpanTree(fromBytes.trace, fromBytes.columns),
  );
  time('ui: findClockSkew (bytes)', () => findClockSkew(bytesTree));
  time('ui: summarizeTrace (bytes, with their columns)', () => summarizeTrace(fromBytes.trace, fromBytes.columns));
  const spanId = spans[spans.length - 1]?.spanId;
  await timeAsync('http: GET /api/trace-view/{id}/spans/{spanId}', async () =>
    (await fetch(`${server.listeners.query.url}/api/trace-view/${traceId}/spans/${spanId}`)).text(),
  );
  await timeAsync('http: GET /api/trace-view/{id}/search?q=retry', async () =>
    (await fetch(`${server.listeners.query.url}/api/trace-view/${traceId}/search?q=retry`)).text(),
  );

  console.log(
    `${spanCount.toLocaleString('en')} spans; Jaeger JSON ${jaegerToo ? `${(jsonBytes / 1e6).toFixed(1)} MB` : 'not measured'}, skeleton ${(skeletonText.length / 1e6).toFixed(1)} MB as JSON, ${(columns.byteLength / 1e6).toFixed(1)} MB as bytes`,
  );
  for (const [label, ms] of steps) console.log(`${ms.toFixed(0).padStart(7)} ms  ${label}`);
} finally {
  await server.close();
  rmSync(dataDir, { recursive: true, force: true });
}
