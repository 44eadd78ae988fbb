import assert from 'node:assert/strict';
import { mkdtemp, readdir, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, test } from 'node:test';
import { sampled } from '../../retention/keep-decision.js';
import { DEFAULT_RETENTION_POLICY, type RetentionPolicy } from '../../retention/retention-policy.js';
import { openMemoryStore } from '../memory/memory-store.js';
import type { EmbeddedStore } from './embedded-store.js';
import { openEmbeddedStore } from './embedded-store.js';
import {
  assertOrdinaryTracesKept,
  openedTrace,
  retentionRedQuery,
  retentionTestTrace,
  retentionWorkload,
  traceIdOf,
} from './retention-test-traces.js';

const HOUR = 3_600_000_000_000n;
const MINUTE = 60_000_000_000n;
const SECOND = 1_000_000_000n;
/** 2026-01-01 00:00 UTC: an hour partition starts here. */
const T0 = 1_767_225_600_000_000_000n;

const dirs: string[] = [];
after(() => Promise.all(dirs.map((dir) => rm(dir, { recursive: true, force: true }))));

const policy: RetentionPolicy = {
  ...DEFAULT_RETENTION_POLICY,
  settleNanos: MINUTE,
  traceql: ['{ span.customer.tier = "gold" }'],
  sampleFraction: 0,
};

async function openAt(clock: { now: bigint }, dataDir?: string, overrides: Partial<RetentionPolicy> = {}) {
  const dir = dataDir ?? (await mkdtemp(join(tmpdir(), 'ariadne-retention-')));
  if (dataDir === undefined) dirs.push(dir);
  const store = await openEmbeddedStore({
    dataDir: dir,
    maxHeadAgeMs: 3_600_000,
    retentionNanos: HOUR,
    retentionKeptNanos: 30n * 24n * HOUR,
    retentionPolicy: { ...policy, ...overrides },
    retentionCheckMs: 3_600_000,
    now: () => clock.now,
  });
  return { store, dir };
}

const wholeRange = { startNanos: T0 - HOUR, endNanos: T0 + 3n * HOUR };
const redQuery = retentionRedQuery(wholeRange);

test('past the short window a block keeps only what the policies keep, each trace whole, named by its policy', async () => {
  const clock = { now: T0 + 55n * MINUTE };
  const { store, dir } = await openAt(clock);
  const traces = retentionWorkload(T0);
  for (const spans of traces.values()) await store.writeSpans(spans);
  // Into blocks, then the truth before anything is dropped.
  await store.close();
  let reopened = await openAt(clock, dir);
  const redBefore = await reopened.store.getRedMetrics(redQuery);
  const dependenciesBefore = await reopened.store.getDependencies(wholeRange);
  const servicesBefore = await reopened.store.getServices();
  const operationsBefore = await reopened.store.getOperations({ service: 'frontend' });
  // Still within the short window: nothing is compacted.
  await reopened.store.runRetention();
  assert.equal((await reopened.store.retentionStats()).compactions, 0);
  assert.ok(await openedTrace(reopened.store, 1));

  clock.now = T0 + 2n * HOUR + 5n * MINUTE;
  await reopened.store.runRetention();
  const stats = await reopened.store.retentionStats();
  assert.ok(stats.compactions >= 1);
  assert.ok((await readdir(join(dir, 'blocks'))).every((name) => name.endsWith('.kept.blk')));

  const keptBy = new Map<number, string>();
  for (const [n, spans] of traces) {
    const found = await openedTrace(reopened.store, n);
    if (found === undefined) continue;
    assert.equal(found.length, spans.length, `trace ${n} is whole`);
    const [summary] = await reopened.store.findTraces({
      timeRange: wholeRange,
      limit: 1,
      attributes: [{ key: 'request.id', scope: 'span', operator: '=', value: `request-${n}` }],
    });
    if (summary !== undefined) assert.equal(summary.retention?.tier, 'kept');
    keptBy.set(n, (await summaryOf(reopened.store, n))!);
  }
  assert.equal(keptBy.get(1001), 'error');
  assert.equal(keptBy.get(1002), 'traceql');
  assert.equal(keptBy.get(1003), 'attribute');
  assert.equal(keptBy.get(1005), 'slow');
  assert.equal(
    [2001, 2002, 2003].filter((n) => keptBy.get(n) === 'exemplar').length,
    1,
    'one exemplar of the rare operation',
  );
  // keep=false keeps nothing; the ordinary traces keep their exemplars (one per minute per operation) and the slowest.
  assertOrdinaryTracesKept(keptBy);
  const keptCount =
    (stats.kept.error?.traces ?? 0) + (stats.kept.exemplar?.traces ?? 0) + (stats.kept.slow?.traces ?? 0);
  assert.ok(keptCount > 0 && stats.dropped.traces === traces.size - keptBy.size);
  assert.ok(stats.dropped.bytes > 0);

  // Aggregates, services and operations count every span, as before the compaction.
  assert.deepEqual(await reopened.store.getRedMetrics(redQuery), redBefore);
  assert.deepEqual(await reopened.store.getDependencies(wholeRange), dependenciesBefore);
  assert.deepEqual(await reopened.store.getServices(), servicesBefore);
  assert.deepEqual(await reopened.store.getOperations({ service: 'frontend' }), operationsBefore);

  // And equal to a store that never dropped anything (the memory store, fed the same spans).
  const truth = openMemoryStore();
  for (const spans of traces.values()) await truth.writeSpans(spans);
  assert.deepEqual(await reopened.store.getRedMetrics(redQuery), await truth.getRedMetrics(redQuery));
  assert.deepEqual(await reopened.store.getDependencies(wholeRange), await truth.getDependencies(wholeRange));
  await truth.close();

  // After a restart too; and past the kept window everything goes.
  await reopened.store.close();
  reopened = await openAt(clock, dir);
  assert.deepEqual(await reopened.store.getRedMetrics(redQuery), redBefore);
  assert.equal((await reopened.store.getTrace(traceIdOf(1001))).length, 2);
  clock.now = T0 + 31n * 24n * HOUR;
  await reopened.store.runRetention();
  assert.equal(await openedTrace(reopened.store, 1001), undefined);
  await reopened.store.close();
});

async function summaryOf(store: EmbeddedStore, n: number): Promise<string | undefined> {
  const found = await store.findTraces({ timeRange: wholeRange, limit: 1000 });
  return found.find((summary) => summary.traceId === traceIdOf(n))?.retention?.keptBy;
}

test('a trace with spans in two blocks is decided whole: kept in both when one piece has the error', async () => {
  const clock = { now: T0 + 2n * HOUR };
  const { store, dir } = await openAt(clock, undefined, { exemplarsPerMinute: 0, slow: 'off' });
  // One piece in the first hour, the erroneous piece in the second: two partitions, two blocks.
  const [root, child] = retentionTestTrace({ n: 7, startNanos: T0 + 59n * MINUTE, error: true });
  const late = { ...child!, startTimeUnixNano: T0 + HOUR + MINUTE, endTimeUnixNano: T0 + HOUR + 2n * MINUTE };
  const other = retentionTestTrace({ n: 8, startNanos: T0 + 30n * MINUTE });
  await store.writeSpans([root!, late, ...other]);
  await store.close();
  const reopened = await openAt(clock, dir, { exemplarsPerMinute: 0, slow: 'off' });
  // Only the first hour's block is past the short window now.
  await reopened.store.runRetention();
  assert.equal((await readdir(join(dir, 'blocks'))).filter((name) => name.endsWith('.kept.blk')).length, 1);
  assert.equal((await reopened.store.getTrace(traceIdOf(7))).length, 2);
  assert.equal(await openedTrace(reopened.store, 8), undefined);
  // Then the second: the decision made with the whole trace holds.
  clock.now = T0 + 3n * HOUR;
  await reopened.store.close();
  const again = await openAt(clock, dir, { exemplarsPerMinute: 0, slow: 'off' });
  await again.store.runRetention();
  assert.ok((await readdir(join(dir, 'blocks'))).every((name) => name.endsWith('.kept.blk')));
  assert.equal((await again.store.getTrace(traceIdOf(7))).length, 2);
  const [summary] = await again.store.findTraces({ timeRange: wholeRange, limit: 10 });
  assert.deepEqual(summary?.retention, { tier: 'kept', keptBy: 'error' });
  await again.store.close();
});

test('the random fraction keeps the same traces whatever else is kept, by trace id', async () => {
  const clock = { now: T0 + 55n * MINUTE };
  const overrides: Partial<RetentionPolicy> = {
    errors: false,
    slow: 'off',
    exemplarsPerMinute: 0,
    keepAttributes: [],
    traceql: [],
    sampleFraction: 0.3,
  };
  let { store, dir } = await openAt(clock, undefined, overrides);
  for (let n = 1; n <= 200; n++) await store.writeSpans(retentionTestTrace({ n, startNanos: T0 + BigInt(n) * SECOND }));
  await store.close();
  clock.now = T0 + 3n * HOUR;
  ({ store } = await openAt(clock, dir, overrides));
  await store.runRetention();
  const kept: number[] = [];
  for (let n = 1; n <= 200; n++) if ((await openedTrace(store, n)) !== undefined) kept.push(n);
  const expected = Array.from({ length: 200 }, (_, i) => i + 1).filter((n) => sampled(traceIdOf(n), 0.3));
  assert.deepEqual(kept, expected);
  assert.ok(expected.length > 30 && expected.length < 90, `${expected.length} of 200 sampled at 0.3`);
  await store.close();
});

test('a block none of whose traces is kept leaves a kept block with no traces that still answers RED and dependencies', async () => {
  const clock = { now: T0 + 55n * MINUTE };
  const keepNothing: Partial<RetentionPolicy> = {
    errors: false,
    slow: 'off',
    exemplarsPerMinute: 0,
    keepAttributes: [],
    traceql: [],
    sampleFraction: 0,
  };
  let { store, dir } = await openAt(clock, undefined, keepNothing);
  for (let n = 1; n <= 20; n++) await store.writeSpans(retentionTestTrace({ n, startNanos: T0 + BigInt(n) * SECOND }));
  await store.close();
  ({ store } = await openAt(clock, dir, keepNothing));
  const redBefore = await store.getRedMetrics(redQuery);
  const dependenciesBefore = await store.getDependencies(wholeRange);
  clock.now = T0 + 3n * HOUR;
  await store.runRetention();
  assert.equal(await openedTrace(store, 1), undefined);
  assert.deepEqual(await store.findTraces({ timeRange: wholeRange, limit: 10 }), []);
  assert.deepEqual(await store.getRedMetrics(redQuery), redBefore);
  assert.deepEqual(await store.getDependencies(wholeRange), dependenciesBefore);
  assert.deepEqual(await store.getServices(), ['checkout', 'frontend']);
  await store.close();
});
