import assert from 'node:assert/strict';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { DEFAULT_RETENTION_POLICY } from '../retention/retention-policy.js';
import { openEmbeddedStore } from '../storage/embedded/embedded-store.js';
import { retentionTestTrace } from '../storage/embedded/retention-test-traces.js';
import { IngestMetrics } from './ingest-metrics.js';
import { hasRetentionStats, trackRetention } from './retention-metrics.js';

const HOUR = 3_600_000_000_000n;
const T0 = 1_767_225_600_000_000_000n;

test('/metrics counts traces and bytes kept per policy and dropped, per tenant', async () => {
  const dataDir = await mkdtemp(join(tmpdir(), 'ariadne-retention-metrics-'));
  const clock = { now: T0 + HOUR / 2n };
  const open = () =>
    openEmbeddedStore({
      dataDir,
      maxHeadAgeMs: 3_600_000,
      retentionNanos: HOUR,
      retentionKeptNanos: 10n * HOUR,
      retentionPolicy: { ...DEFAULT_RETENTION_POLICY, slow: 'off', exemplarsPerMinute: 0, sampleFraction: 0 },
      retentionCheckMs: 3_600_000,
      now: () => clock.now,
    });
  try {
    const store = await open();
    for (let n = 1; n <= 40; n++) {
      await store.writeSpans(retentionTestTrace({ n, startNanos: T0 + BigInt(n) * 1_000_000_000n, error: n <= 3 }));
    }
    await store.close();
    clock.now = T0 + 3n * HOUR;
    const reopened = await open();
    assert.ok(hasRetentionStats(reopened));
    const metrics = new IngestMetrics();
    const tracker = trackRetention(metrics, 'team-a', reopened);
    await reopened.runRetention();
    await tracker.poll();
    await tracker.poll(); // nothing new: counts stay
    tracker.stop();
    const text = metrics.registry.render();
    assert.match(text, /ariadne_retention_traces_total\{outcome="kept",policy="error",tenant="team-a"\} 3\n/);
    assert.match(text, /ariadne_retention_traces_total\{outcome="dropped",policy="none",tenant="team-a"\} 37\n/);
    assert.match(text, /ariadne_retention_bytes_total\{outcome="kept",policy="error",tenant="team-a"\} [1-9]\d*\n/);
    assert.match(text, /ariadne_retention_bytes_total\{outcome="dropped",policy="none",tenant="team-a"\} [1-9]\d*\n/);
    assert.match(text, /ariadne_retention_compactions_total\{tenant="team-a"\} 1\n/);
    await reopened.close();
  } finally {
    await rm(dataDir, { recursive: true, force: true });
  }
});
