import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { openEmbeddedStore } from '../../storage/embedded/embedded-store.js';
import { openMemoryStore } from '../../storage/memory/memory-store.js';
import { runTraceQLEngineCases, runTraceQLStoreCases } from './traceql-case-runner.js';

runTraceQLEngineCases();

runTraceQLStoreCases('memory store', async () => ({ store: openMemoryStore(), cleanUp: async () => {} }));

runTraceQLStoreCases('embedded store', async () => {
  const dataDir = await mkdtemp(join(tmpdir(), 'ariadne-traceql-'));
  // A small head forces blocks, so the prefilter runs against block files too.
  const store = await openEmbeddedStore({ dataDir, maxHeadSpans: 8 });
  return { store, cleanUp: () => rm(dataDir, { recursive: true, force: true }) };
});
