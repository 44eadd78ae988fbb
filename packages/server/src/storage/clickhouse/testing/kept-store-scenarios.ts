import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { Span } from '@ariadne/protocol';
import { sampled } from '../../../retention/keep-decision.js';
import { DEFAULT_RETENTION_POLICY, type RetentionPolicy } from '../../../retention/retention-policy.js';
import type { RetentionStats } from '../../embedded/compactor.js';
import * as workload from '../../embedded/retention-test-traces.js';
import { openMemoryStore } from '../../memory/memory-store.js';
import type { ClickHouseHttp } from '../clickhouse-http.js';
import type { ClickHouseKeptStore } from '../clickhouse-kept-store.js';
import { copyDay, type KeptTierContext, KeptTierCounts } from '../kept-tier-copy.js';
import { keptSpanColumns } from '../kept-tier-schema.js';

/**
 * The ClickHouse kept tier's scenarios (every policy, whole kept traces,
 * exact aggregates, a redone copy, a trace across midnight, the sample
 * fraction), run on a single node and on a cluster by their test files.
 */

const HOUR = 3_600_000_000_000n;
const DAY = 24n * HOUR;
const MINUTE = 60_000_000_000n;
/** 2026-01-01 00:00 UTC: a day partition starts here. */
const T0 = 1_767_225_600_000_000_000n;

/** The kept tier's policy in these scenarios (each may change some of it). */
export const SCENARIO_POLICY: RetentionPolicy = {
  ...DEFAULT_RETENTION_POLICY,
  settleNanos: MINUTE,
  traceql: ['{ span.customer.tier = "gold" }'],
  sampleFraction: 0,
};

/** The options every scenario opens its store with, but the URL, database and cluster. */
export const scenarioOptions = (clock: { now: bigint }, policy: RetentionPolicy) => ({
  retentionNanos: HOUR,
  retentionKeptNanos: 30n * DAY,
  retentionPolicy: policy,
  retentionIntervalMs: 3_600_000,
  now: () => clock.now,
});

export interface KeptStoreSetup {
  readonly name: string;
  readonly databasePrefix: string;
  readonly shards: number;
  /** The store under test, its clock at `clock.now` (in cluster mode: one that runs every shard's pass). */
  open(clock: { now: bigint }, database: string, policy: RetentionPolicy): Promise<ClickHouseKeptStore>;
  /** Reads the tier's tables (the Distributed ones in cluster mode). */
  http(): ClickHouseHttp;
  /** A node of every shard, with what a copy there needs. */
  shardNodes(): readonly { http: ClickHouseHttp; localSuffix?: string; shard?: number }[];
}

/** Retention stats of several processes, added up. */
export function addRetentionStats(all: readonly RetentionStats[]): RetentionStats {
  const kept: Record<string, { traces: number; spans: number; bytes: number }> = {};
  const dropped = { traces: 0, spans: 0, bytes: 0 };
  let compactions = 0;
  for (const stats of all) {
    compactions += stats.compactions;
    for (const [policy, counts] of Object.entries(stats.kept)) {
      const sum = kept[policy] ?? { traces: 0, spans: 0, bytes: 0 };
      kept[policy] = sum;
      sum.traces += counts.traces;
      sum.spans += counts.spans;
      sum.bytes += counts.bytes;
    }
    dropped.traces += stats.dropped.traces;
    dropped.spans += stats.dropped.spans;
    dropped.bytes += stats.dropped.bytes;
  }
  return { compactions, kept, dropped };
}

/** Half the traces come as one write, half root and child apart (their parents' services are then found by a join). */
async function writeAll(store: { writeSpans(spans: Span[]): Promise<void> }, traces: Map<number, Span[]>) {
  const whole: Span[] = [];
  const roots: Span[] = [];
  const children: Span[] = [];
  for (const [n, spans] of traces) {
    if (n % 2 === 0) whole.push(...spans);
    else {
      roots.push(spans[0]!);
      children.push(...spans.slice(1));
    }
  }
  for (const batch of [whole, roots, children]) await store.writeSpans(batch);
}

export function runKeptStoreScenarios(setup: KeptStoreSetup): void {
  let databases = 0;
  const policy = SCENARIO_POLICY;
  const wholeRange = { startNanos: T0 - HOUR, endNanos: T0 + 3n * DAY };
  const redQuery = workload.retentionRedQuery(wholeRange);

  test(`${setup.name}: past --retention a day keeps only what the policies keep, each trace whole, named by its policy; aggregates stay exact`, async () => {
    const database = `${setup.databasePrefix}_${++databases}`;
    const clock = { now: T0 + 2n * HOUR };
    let store = await setup.open(clock, database, policy);
    const traces = workload.retentionWorkload(T0);
    await writeAll(store, traces);
    // Spans of the next day, still in the full tier after the first day goes.
    const nextDay = workload.retentionTestTrace({ n: 5000, startNanos: T0 + DAY + 10n * MINUTE });
    await store.writeSpans(nextDay);
    const all = new Map([...traces, [5000, nextDay]]);
    const truth = openMemoryStore();
    await writeAll(truth, all);

    // Within the short window: nothing copied, nothing dropped.
    assert.deepEqual(await store.applyRetention(), []);
    assert.equal((await store.retentionStats()).compactions, 0);
    assert.equal(await store.traceRetention(workload.traceIdOf(1001)), undefined);

    clock.now = T0 + DAY + 2n * HOUR;
    assert.deepEqual(await store.applyRetention(), ['2026-01-01']);
    const stats = await store.retentionStats();
    assert.equal(stats.compactions, setup.shards, 'the day copied once per shard');

    const keptBy = new Map<number, string>();
    const summaries = await store.findTraces({ timeRange: wholeRange, limit: 1000 });
    for (const [n, spans] of traces) {
      const found = await workload.openedTrace(store, n);
      const summary = summaries.find((s) => s.traceId === workload.traceIdOf(n));
      if (found === undefined) {
        assert.equal(summary, undefined, `trace ${n} is not found by search either`);
        continue;
      }
      assert.equal(found.length, spans.length, `trace ${n} is whole`);
      const retention = await store.traceRetention(workload.traceIdOf(n));
      assert.equal(retention?.tier, 'kept');
      assert.equal(summary?.retention?.tier, 'kept', `trace ${n} is found by search, in the kept tier`);
      assert.equal(summary.retention.keptBy, retention.keptBy);
      keptBy.set(n, retention.keptBy);
    }
    assert.equal(keptBy.get(1001), 'error');
    assert.equal(keptBy.get(1002), 'traceql');
    assert.equal(keptBy.get(1003), 'attribute');
    assert.equal(keptBy.get(1005), 'slow');
    // Each shard keeps its own exemplars: one per shard that holds a trace of GET /rare.
    const rareExemplars = [2001, 2002, 2003].filter((n) => keptBy.get(n) === 'exemplar').length;
    assert.ok(rareExemplars >= 1 && rareExemplars <= setup.shards, `${rareExemplars} exemplars of GET /rare`);
    workload.assertOrdinaryTracesKept(keptBy);
    // The p99 of each operation is the whole cluster's: the same traces are slow on one node and on
    // two shards (thresholds of each shard's spans alone keep 32, 97 and 113 as well).
    const slow = [...keptBy].filter(([, by]) => by === 'slow').map(([n]) => n);
    assert.deepEqual(
      slow.sort((a, b) => a - b),
      [154, 227, 1005],
    );
    // Search by attribute finds a kept trace; the next day's trace is in the full tier.
    const [gold] = await store.findTraces({
      timeRange: wholeRange,
      limit: 5,
      attributes: [{ key: 'customer.tier', scope: 'span', operator: '=', value: 'gold' }],
    });
    assert.equal(gold?.traceId, workload.traceIdOf(1002));
    assert.deepEqual(gold?.retention, { tier: 'kept', keptBy: 'traceql' });
    assert.equal((await store.getTrace(workload.traceIdOf(5000))).length, 2);
    assert.equal(await store.traceRetention(workload.traceIdOf(5000)), undefined);

    const keptTraces = Object.values(stats.kept).reduce((sum, counts) => sum + counts.traces, 0);
    assert.equal(keptTraces, keptBy.size);
    assert.equal(stats.dropped.traces, traces.size - keptBy.size);
    assert.equal(stats.kept.error?.traces, 1);
    assert.ok(stats.dropped.bytes > 0 && (stats.kept.error?.bytes ?? 0) > 0);

    // Metrics over the whole range equal a store that never dropped anything.
    assert.deepEqual(await store.getRedMetrics(redQuery), await truth.getRedMetrics(redQuery));
    assert.deepEqual(await store.getDependencies(wholeRange), await truth.getDependencies(wholeRange));
    assert.deepEqual(await store.getServices(), await truth.getServices());
    assert.deepEqual(
      await store.getOperations({ service: 'frontend' }),
      await truth.getOperations({ service: 'frontend' }),
    );
    // A range across the edge of the tiers, not aligned to a day.
    const across = { startNanos: T0 + 30n * MINUTE, endNanos: T0 + DAY + 30n * MINUTE };
    assert.deepEqual(await store.getDependencies(across), await truth.getDependencies(across));
    const acrossRed = { ...redQuery, groupByOperation: false, timeRange: across, stepNanos: 7n * MINUTE };
    assert.deepEqual(await store.getRedMetrics(acrossRed), await truth.getRedMetrics(acrossRed));

    // After a reopen too; and past --retention-kept the kept traces go.
    await store.close();
    store = await setup.open(clock, database, policy);
    assert.equal((await store.getTrace(workload.traceIdOf(1001))).length, 2);
    assert.deepEqual(await store.getRedMetrics(redQuery), await truth.getRedMetrics(redQuery));
    // The kept tier goes a week at a time (2025-12-29 to 2026-01-04 here): past --retention-kept, the
    // day stays until the week's last day is past it too.
    clock.now = T0 + 32n * DAY;
    await store.applyRetention();
    assert.equal(
      (await workload.openedTrace(store, 1001))?.length,
      2,
      'kept while its week is not all past --retention-kept',
    );
    clock.now = T0 + 34n * DAY;
    await store.applyRetention();
    assert.equal(await workload.openedTrace(store, 1001), undefined);
    await store.close();
    await truth.close();
  });

  test(`${setup.name}: a copy interrupted and run again keeps nothing twice`, async () => {
    const database = `${setup.databasePrefix}_${++databases}`;
    const clock = { now: T0 + 2n * HOUR };
    const store = await setup.open(clock, database, { ...policy, exemplarsPerMinute: 0, slow: 'off' });
    const traces = workload.retentionWorkload(T0);
    await writeAll(store, traces);
    // The day before, in the same week's partition: copied already, it must come through the redo untouched.
    const dayBefore = workload.retentionTestTrace({ n: 4001, startNanos: T0 - 12n * HOUR, error: true });
    await store.writeSpans(dayBefore);
    assert.deepEqual(await store.applyRetention(), ['2025-12-31']);
    const http = setup.http();
    // A copy that got as far as its kept spans (twice over, on every shard) and stopped before recording the day.
    for (const node of setup.shardNodes()) {
      const context: KeptTierContext = {
        ...node,
        database,
        policy: { ...policy, exemplarsPerMinute: 0, slow: 'off' },
        spanColumns: await keptSpanColumns(http, database),
      };
      await copyDay(context, '2026-01-01', new KeptTierCounts());
      await copyDay(context, '2026-01-01', new KeptTierCounts());
      await node.http.command(`TRUNCATE TABLE ${database}.kept_days${node.localSuffix ?? ''}`);
    }
    clock.now = T0 + DAY + 2n * HOUR;
    assert.deepEqual(await store.applyRetention(), ['2026-01-01']);
    const [spans] = await http.query<{ rows: string; distinct: string }>(
      `SELECT count() AS rows, uniqExact(trace_hi, trace_lo, span_id) AS distinct FROM ${database}.spans_kept`,
    );
    const [index] = await http.query<{ rows: string; distinct: string }>(
      `SELECT count() AS rows, uniqExact(trace_hi, trace_lo) AS distinct FROM ${database}.kept_traces`,
    );
    const [red] = await http.query<{ calls: string }>(`SELECT sum(calls) AS calls FROM ${database}.red_seconds`);
    // error, traceql and attribute: three traces of two spans; and the day before's error trace.
    assert.deepEqual(spans, { rows: '8', distinct: '8' });
    assert.deepEqual(index, { rows: '4', distinct: '4' });
    const allSpans = [...traces.values()].reduce((sum, t) => sum + t.length, 0) + dayBefore.length;
    assert.equal(Number(red?.calls), allSpans, 'every span counted once in the RED cells');
    for (const n of [1001, 1002, 1003, 4001]) assert.equal((await store.getTrace(workload.traceIdOf(n))).length, 2);
    const partitions = new Set<string>();
    for (const node of setup.shardNodes()) {
      const rows = await node.http.query<{ partition: string }>(
        `SELECT DISTINCT partition FROM system.parts WHERE active AND database = '${database}'
         AND table = 'spans_kept${node.localSuffix ?? ''}'`,
      );
      for (const row of rows) partitions.add(row.partition);
    }
    assert.equal(partitions.size, 1, "both days are in their week's partition");
    // Run again: the day is recorded, nothing changes.
    assert.deepEqual(await store.applyRetention(), []);
    const [again] = await http.query<{ rows: string }>(`SELECT count() AS rows FROM ${database}.spans_kept`);
    assert.equal(again?.rows, '8');
    await store.close();
  });

  test(`${setup.name}: a trace that crosses midnight is decided once with the first day and stays whole`, async () => {
    const database = `${setup.databasePrefix}_${++databases}`;
    // Written before the day is past --retention: a pass at open must not copy it half written.
    const clock = { now: T0 + 2n * HOUR };
    const store = await setup.open(clock, database, { ...policy, exemplarsPerMinute: 0, slow: 'off' });
    const [root, child] = workload.retentionTestTrace({ n: 7, startNanos: T0 + DAY - MINUTE, error: true });
    // The erroneous child starts after midnight: in the next day's partition.
    const late = { ...child!, startTimeUnixNano: T0 + DAY + MINUTE, endTimeUnixNano: T0 + DAY + 2n * MINUTE };
    await store.writeSpans([root!]);
    await store.writeSpans([late]);
    const dropped = workload.retentionTestTrace({ n: 8, startNanos: T0 + DAY - MINUTE });
    await store.writeSpans([dropped[0]!]);
    await store.writeSpans([
      { ...dropped[1]!, startTimeUnixNano: T0 + DAY + MINUTE, endTimeUnixNano: T0 + DAY + 2n * MINUTE },
    ]);
    const truth = openMemoryStore();
    await truth.writeSpans([
      root!,
      late,
      dropped[0]!,
      { ...dropped[1]!, startTimeUnixNano: T0 + DAY + MINUTE, endTimeUnixNano: T0 + DAY + 2n * MINUTE },
    ]);
    const range = { startNanos: T0, endNanos: T0 + 3n * DAY };
    const links = await truth.getDependencies(range);
    assert.equal(links[0]?.callCount, 2);
    assert.deepEqual(await store.getDependencies(range), links);
    clock.now = T0 + DAY + 2n * HOUR;
    assert.deepEqual(await store.applyRetention(), ['2026-01-01']);
    // The children's calls count though their parents' day is gone (read from the spans, and after from the aggregates).
    assert.deepEqual(await store.getDependencies(range), links);
    assert.equal(
      (await store.getTrace(workload.traceIdOf(7))).length,
      2,
      'whole while the next day is still in the full tier',
    );
    assert.deepEqual(await store.traceRetention(workload.traceIdOf(7)), { tier: 'kept', keptBy: 'error' });
    clock.now = T0 + 2n * DAY + 2n * HOUR;
    assert.deepEqual(await store.applyRetention(), ['2026-01-02']);
    assert.equal((await store.getTrace(workload.traceIdOf(7))).length, 2, 'whole after both days are dropped');
    assert.equal(await workload.openedTrace(store, 8), undefined, 'the dropped trace is not kept by the next day');
    assert.deepEqual(await store.getDependencies(range), links);
    await truth.close();
    const [index] = await setup.http().query<{ rows: string }>(`SELECT count() AS rows FROM ${database}.kept_traces`);
    assert.equal(index?.rows, '1');
    await store.close();
  });

  test(`${setup.name}: the sample policy keeps the same fraction of the other traces, by trace id`, async () => {
    const database = `${setup.databasePrefix}_${++databases}`;
    const clock = { now: T0 + 2n * HOUR };
    const overrides = { exemplarsPerMinute: 0, slow: 'off' as const, sampleFraction: 0.3 };
    const store = await setup.open(clock, database, { ...policy, ...overrides });
    const traces = workload.retentionWorkload(T0);
    await writeAll(store, traces);
    clock.now = T0 + DAY + 2n * HOUR;
    await store.applyRetention();
    const expected = [...traces.keys()].filter((n) => n <= 300 && sampled(workload.traceIdOf(n), 0.3));
    assert.ok(expected.length > 50 && expected.length < 130, `${expected.length} of 300 in the fraction`);
    const keptBySample: number[] = [];
    for (const n of traces.keys()) {
      if (n > 300) continue;
      const retention = await store.traceRetention(workload.traceIdOf(n)).catch(() => undefined);
      if (retention !== undefined) {
        assert.equal(retention.keptBy, 'sample');
        keptBySample.push(n);
      }
    }
    assert.deepEqual(keptBySample, expected);
    // Every trace that no other rule keeps (all but the error, TraceQL and attribute ones) is in the lottery.
    const lottery = [...traces.keys()].filter(
      (n) => ![1001, 1002, 1003].includes(n) && sampled(workload.traceIdOf(n), 0.3),
    );
    assert.equal((await store.retentionStats()).kept.sample?.traces, lottery.length);
    await store.close();
  });
}
