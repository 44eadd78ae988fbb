// What a cold open of one large trace costs the server: the web UI's
// `/api/trace-view/{id}/columns` answered by the embedded store on its own
// thread (as `ariadne serve` runs it), with the trace in blocks and every
// cache of the store and of the API cold. The trace has the shape
// (bench/workload/deep-trace.ts: 8 services, a random tree 18 levels deep, 5
// attributes per span). Each run opens the store again on the same folder,
// opens a small trace first (so the code is compiled, as in a server that has
// run for a while) and then the large one: its process CPU time (both
// threads), wall time and Server-Timing (read, skeleton, encode); then the
// kept answer, and an answer built again by a new API on the same store.
// `node --conditions=ariadne-source --import tsx bench/ui/trace-columns-server.bench.ts [spans] [runs]`
// With COLUMNS_BENCH_DIR, the store's folder is kept there and written only
// when empty: a profile (`node --cpu-prof`) of the opens alone. With
// COLUMNS_BENCH_BEFORE, a folder holding another version's
// packages/server/src (`git archive <commit> packages/server/src | tar -x -C
// <folder>`, inside this checkout so that its packages resolve), each run
// opens the trace with that version too, first: before and after side by side.
import { existsSync, mkdirSync, mkdtempSync, readdirSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { decodeOtlpTraceRequestJson } from '@ariadne/protocol';
import { createTraceViewApi } from '../../packages/server/src/query/trace-view/trace-view-api.js';
import { BlockReader } from '../../packages/server/src/storage/embedded/block-file.js';
import { openEmbeddedStoreInWorker } from '../../packages/server/src/storage/worker/embedded-store-in-worker.js';

interface Version {
  readonly name: string;
  readonly createTraceViewApi: typeof createTraceViewApi;
  readonly openEmbeddedStoreInWorker: typeof openEmbeddedStoreInWorker;
}
const versions: Version[] = [];
const before = process.env.COLUMNS_BENCH_BEFORE;
if (before !== undefined) {
  const source = (path: string) => import(pathToFileURL(resolve(before, 'packages/server/src', path)).href);
  versions.push({
    name: 'before',
    ...((await source('query/trace-view/trace-view-api.ts')) as Pick<Version, 'createTraceViewApi'>),
    ...((await source('storage/worker/embedded-store-in-worker.ts')) as Pick<Version, 'openEmbeddedStoreInWorker'>),
  });
}
versions.push({ name: before === undefined ? 'this' : 'after', createTraceViewApi, openEmbeddedStoreInWorker });

import { deepTraceRequests } from '../workload/deep-trace.js';

const spanCount = Number(process.argv[2] ?? 200_000);
const runs = Number(process.argv[3] ?? 3);
/** The trace opened first in each run, to compile the code paths: above the API's cache threshold. */
const WARM_UP_SPANS = 20_000;

const keptDir = process.env.COLUMNS_BENCH_DIR;
const dataDir = keptDir ?? mkdtempSync(join(tmpdir(), 'ariadne-columns-bench-'));
if (keptDir !== undefined) mkdirSync(keptDir, { recursive: true });
const written =
  keptDir !== undefined && existsSync(join(keptDir, 'blocks')) && readdirSync(join(keptDir, 'blocks')).length > 0;
// Fixed while a kept folder is reused (ids and times come from the seeds and this).
const startMillis = keptDir === undefined ? Date.now() - 15 * 60_000 : Date.UTC(2026, 0, 1);

/** Writes one deep trace, a batch at a time: a million spans never exist as objects at once. */
async function writeTrace(
  store: Awaited<ReturnType<typeof openEmbeddedStoreInWorker>>,
  spans: number,
  seed: number,
): Promise<void> {
  const { bodies } = deepTraceRequests({ spanCount: spans, seed, startMillis });
  for (const body of bodies) await store.writeSpans(decodeOtlpTraceRequestJson(body).spans);
}

interface Open {
  readonly cpuMs: number;
  readonly wallMs: number;
  readonly timing: string;
  readonly bytes: number;
}

/**
 * Waits until the process has used under a tenth of a core for a quarter of
 * a second: an opened store rebuilds its dependency index from the newest
 * blocks in the background, which is not the open's cost.
 */
async function settle(): Promise<void> {
  for (;;) {
    const cpu = process.cpuUsage();
    await new Promise((resolve) => setTimeout(resolve, 250));
    const used = process.cpuUsage(cpu);
    if (used.user + used.system < 25_000) return;
  }
}

async function openColumns(api: ReturnType<typeof createTraceViewApi>, traceId: string): Promise<Open> {
  const cpu = process.cpuUsage();
  const t0 = performance.now();
  // For a profile (`--cpu-prof`) cut to the open: its clock (µs) is the monotonic one.
  const from = process.hrtime.bigint() / 1000n;
  const response = await api.request(`/api/trace-view/${traceId}/columns`);
  const body = await response.arrayBuffer();
  const wallMs = performance.now() - t0;
  const used = process.cpuUsage(cpu);
  if (process.env.COLUMNS_BENCH_MARKS) console.log(`marks ${traceId} ${from} ${process.hrtime.bigint() / 1000n}`);
  if (response.status !== 200) throw new Error(`columns: ${response.status} ${new TextDecoder().decode(body)}`);
  return {
    cpuMs: (used.user + used.system) / 1000,
    wallMs,
    timing: response.headers.get('server-timing') ?? '',
    bytes: body.byteLength,
  };
}

try {
  // The ids depend on the seeds only.
  const traceId = deepTraceRequests({ spanCount, seed: 18, startMillis }).facts.traceId;
  const warmUpId = deepTraceRequests({ spanCount: WARM_UP_SPANS, seed: 7, startMillis }).facts.traceId;
  if (!written) {
    const t0 = performance.now();
    // Cut into blocks as a server's head is (every 50,000 spans by default); closing cuts the rest.
    const store = await openEmbeddedStoreInWorker({ dataDir });
    await writeTrace(store, WARM_UP_SPANS, 7);
    await writeTrace(store, spanCount, 18);
    await store.close();
    console.log(
      `wrote ${spanCount} spans (+${WARM_UP_SPANS} warm-up) in ${((performance.now() - t0) / 1000).toFixed(1)} s`,
    );
  }
  // What the blocks take on disk, and of that the large traces' outline parts (`OUTLINE_PART_MIN_SPANS`).
  let fileBytes = 0;
  let partBytes = 0;
  let storedSpans = 0;
  for (const name of readdirSync(join(dataDir, 'blocks')).filter((file) => file.endsWith('.blk'))) {
    const path = join(dataDir, 'blocks', name);
    fileBytes += statSync(path).size;
    const block = await BlockReader.open(path);
    try {
      const meta = await block.meta();
      storedSpans += meta.spanCount;
      for (const [, , length] of meta.outlineParts ?? []) partBytes += length;
    } finally {
      await block.close();
    }
  }
  console.log(
    `blocks: ${(fileBytes / storedSpans).toFixed(1)} bytes a span, of which outline parts ${(partBytes / storedSpans).toFixed(1)} (${storedSpans} spans)`,
  );
  const cold = new Map<string, Open[]>(versions.map((version) => [version.name, []]));
  for (let run = 0; run < runs; run++) {
    for (const version of versions) {
      const store = await version.openEmbeddedStoreInWorker({ dataDir });
      try {
        await settle();
        const api = version.createTraceViewApi(store);
        const warm = await openColumns(api, warmUpId);
        const first = await openColumns(api, traceId);
        const again = await openColumns(api, traceId);
        // A new API (its answer cache empty) on the same store: the code and the blocks' metadata
        // warm, the trace's pages read and walked again.
        const rebuilt = await openColumns(version.createTraceViewApi(store), traceId);
        cold.get(version.name)?.push(first);
        console.log(
          `run ${run + 1} ${version.name}: cold ${first.cpuMs.toFixed(0)} ms CPU, ${first.wallMs.toFixed(0)} ms wall (${first.timing}); ` +
            `again ${again.cpuMs.toFixed(0)} ms CPU (${again.timing}); ` +
            `rebuilt ${rebuilt.cpuMs.toFixed(0)} ms CPU (${rebuilt.timing}); warm-up ${warm.cpuMs.toFixed(0)} ms CPU; ` +
            `${(first.bytes / 1e6).toFixed(1)} MB`,
        );
      } finally {
        await store.close();
      }
    }
  }
  const median = (values: number[]) => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)] as number;
  for (const [name, opens] of cold) {
    console.log(
      `${name}: ${spanCount} spans, cold open, median of ${runs}: ${median(opens.map((o) => o.cpuMs)).toFixed(0)} ms CPU, ` +
        `${median(opens.map((o) => o.wallMs)).toFixed(0)} ms wall`,
    );
  }
} finally {
  if (keptDir === undefined) rmSync(dataDir, { recursive: true, force: true });
}
