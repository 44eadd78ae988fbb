// The embedded store's pre-aggregated RED metrics and service map agree with a
// span-by-span computation (the memory store) on the standard workload, with
// traces cut across blocks, blocks across hours, and a restart in between.
import assert from 'node:assert/strict';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { SpanKind } from '@ariadne/protocol';
import { StandardWorkload, WORKLOAD_SERVICES } from '../bench/workload/standard-workload.js';
import { openEmbeddedStore } from '../packages/server/src/storage/embedded/embedded-store.js';
import { openMemoryStore } from '../packages/server/src/storage/memory/memory-store.js';
import type { RedMetricsQuery, TimeRange } from '../packages/server/src/storage/span-store.js';

test('RED metrics and dependencies from block aggregates equal those computed from spans', async () => {
  const HOUR = 3_600_000_000_000n;
  const start = 1_767_225_600_000_000_000n - 90_000_000_000n; // the run crosses an hour boundary
  // 500 ms between traces: 20,000 spans cover about eight minutes.
  const spans = new StandardWorkload({ seed: 7, startTimeUnixNano: start, traceIntervalNanos: 500_000_000n }).spans(
    20_000,
  );
  const dataDir = await mkdtemp(join(tmpdir(), 'ariadne-aggregates-'));
  try {
    const memory = openMemoryStore({ maxTraces: 1_000_000 });
    let embedded = await openEmbeddedStore({ dataDir, maxHeadSpans: 3_000, maxHeadAgeMs: 3_600_000 });
    // Batches that split traces, so that calls cross cuts in both directions.
    for (let i = 0; i < spans.length; i += 700) {
      const batch = spans.slice(i, i + 700);
      await memory.writeSpans(batch);
      await embedded.writeSpans(batch.reverse());
    }
    const check = async (label: string) => {
      const ranges: TimeRange[] = [
        { startNanos: start - HOUR, endNanos: start + HOUR },
        { startNanos: start + 60_000_000_000n, endNanos: start + 240_000_000_000n - 1n },
      ];
      for (const timeRange of ranges) {
        assert.deepStrictEqual(
          await embedded.getDependencies(timeRange),
          await memory.getDependencies(timeRange),
          `${label}: dependencies`,
        );
        for (const groupByOperation of [false, true]) {
          const query: RedMetricsQuery = {
            services: WORKLOAD_SERVICES,
            groupByOperation,
            spanKinds: groupByOperation ? [] : [SpanKind.Server, SpanKind.Consumer],
            timeRange,
            stepNanos: 30_000_000_000n,
            quantiles: [0.5, 0.95, 0.99],
          };
          const expected = await memory.getRedMetrics(query);
          assert.ok(expected.some((series) => series.points.some((point) => point.calls > 0)));
          assert.deepStrictEqual(await embedded.getRedMetrics(query), expected, `${label}: RED`);
        }
      }
    };
    await check('head and blocks');
    await embedded.close();
    embedded = await openEmbeddedStore({ dataDir, maxHeadAgeMs: 3_600_000 });
    await check('after a restart, blocks only');
    await embedded.close();
    await memory.close();
  } finally {
    await rm(dataDir, { recursive: true, force: true });
  }
});
