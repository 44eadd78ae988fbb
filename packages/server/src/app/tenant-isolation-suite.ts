import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { isAriadneError, SpanKind } from '@ariadne/protocol';
import { hasSpanLookup } from '../query/trace-view/span-lookup.js';
import { hasTraceOutline } from '../query/trace-view/trace-outline.js';
import { hasDependencies, hasRedMetrics, type SpanReader, type TimeRange } from '../storage/span-store.js';
import { SINGLE_TENANT } from '../tenancy/tenant-id.js';
import {
  A_MARKS,
  B_MARKS,
  SHARED_OPERATION,
  SHARED_SERVICE,
  SHARED_TRACE_ID,
  TENANT_A,
  TENANT_B,
  type TenantMarks,
  tenantSpans,
} from '../tenancy/testing/tenant-traces.js';
import type { ServeConfig } from './serve-config.js';
import { closeTenantStorage, openTenantStorage, type TenantStorage } from './tenant-storage.js';

export interface TenantIsolationSuiteOptions {
  readonly name: string;
  /**
   * The server settings whose stores are tested, asked again before the
   * restart round (a cluster may be read through another shard then).
   */
  readonly config: (round: 'first' | 'restart') => Promise<ServeConfig> | ServeConfig;
  /** Close every store and open them again over the same data, then check again. */
  readonly restart: boolean;
  readonly cleanUp?: () => Promise<void>;
}

const START = 1_750_000_000_000_000_000n;
const RANGE: TimeRange = { startNanos: START - 3_600_000_000_000n, endNanos: START + 3_600_000_000_000n };

/**
 * Tenants kept apart by every store, through the same per-tenant stores the
 * server opens (`openTenantStorage`): tenants A and B (ids that differ only
 * in case) write distinct traces sharing service and operation names, and a
 * trace id both wrote; each reads through every reader method and capability
 * its store has, and its archive, and finds its own data and nothing of the
 * other's; the `single-tenant` store finds neither. Every negative check has
 * its positive twin, so a store that returned nothing would fail too.
 */
export function runTenantIsolationSuite(options: TenantIsolationSuiteOptions): void {
  describe(`tenant isolation: ${options.name}`, () => {
    let a: TenantStorage;
    let b: TenantStorage;
    let single: TenantStorage;
    const open = async (round: 'first' | 'restart') => {
      const config = await options.config(round);
      a = await openTenantStorage(config, TENANT_A);
      b = await openTenantStorage(config, TENANT_B);
      single = await openTenantStorage(config, SINGLE_TENANT);
    };
    const closeAll = () => Promise.all([a, b, single].filter(Boolean).map(closeTenantStorage));

    before(async () => {
      await open('first');
      await a.store.writeSpans(tenantSpans(A_MARKS, START));
      await b.store.writeSpans(tenantSpans(B_MARKS, START));
      await a.archive.writeSpans(tenantSpans(A_MARKS, START).slice(0, 2));
    });
    after(async () => {
      await closeAll();
      await options.cleanUp?.();
    });

    const rounds = options.restart ? (['first', 'restart'] as const) : (['first'] as const);
    for (const round of rounds) {
      test(`${round}: each tenant reads its own traces and none of the other's`, async () => {
        if (round === 'restart') {
          await closeAll();
          await open('restart');
        }
        for (const [own, other, storage] of [
          [A_MARKS, B_MARKS, a],
          [B_MARKS, A_MARKS, b],
        ] as const) {
          await assertReadsOnlyOwn(storage, own, other);
        }
        await assertSeesNothing(single.store, [A_MARKS, B_MARKS]);
        await assertNotFound(single.archive, A_MARKS.traceId);
      });
    }
  });
}

async function assertReadsOnlyOwn(storage: TenantStorage, own: TenantMarks, other: TenantMarks): Promise<void> {
  const { store, archive } = storage;
  const where = `as the tenant of ${own.service}`;
  assert.deepEqual((await store.getTrace(own.traceId)).map((span) => span.spanId).sort(), own.spanIds.slice(0, 2));
  await assertNotFound(store, other.traceId);
  const shared = await store.getTrace(SHARED_TRACE_ID);
  assert.deepEqual(
    shared.map((span) => span.spanId),
    [own.spanIds[2]],
    `${where}: only its own part of a trace id both wrote`,
  );

  const found = await store.findTraces({ service: SHARED_SERVICE, timeRange: RANGE, limit: 20 });
  assert.deepEqual(found.map((summary) => summary.traceId).sort(), [own.traceId, SHARED_TRACE_ID].sort(), where);
  const sharedSummary = found.find((summary) => summary.traceId === SHARED_TRACE_ID);
  assert.equal(sharedSummary?.spanCount, 1, `${where}: a summary counts only the tenant's spans`);
  const byAttribute = (value: string) =>
    store.findTraces({
      attributes: [{ key: 'customer', scope: 'any', operator: '=', value }],
      timeRange: RANGE,
      limit: 20,
    });
  assert.equal((await byAttribute(own.attributeValue)).length, 2);
  assert.deepEqual(await byAttribute(other.attributeValue), []);
  assert.deepEqual(await store.findTraces({ service: other.service, timeRange: RANGE, limit: 20 }), []);

  assert.deepEqual(await store.getServices(), [SHARED_SERVICE, own.service].sort());
  assert.deepEqual(await store.getOperations({ service: SHARED_SERVICE }), [
    { name: SHARED_OPERATION, spanKind: SpanKind.Server },
  ]);
  assert.deepEqual(await store.getOperations({ service: own.service }), [
    { name: own.operation, spanKind: SpanKind.Server },
  ]);
  assert.deepEqual(await store.getOperations({ service: other.service }), []);

  if (hasDependencies(store)) {
    assert.deepEqual(await store.getDependencies(RANGE), [
      { parent: SHARED_SERVICE, child: own.service, callCount: 1, errorCount: 1 },
    ]);
  }
  if (hasRedMetrics(store)) {
    const series = await store.getRedMetrics({
      services: [SHARED_SERVICE, own.service, other.service],
      groupByOperation: false,
      spanKinds: [],
      timeRange: RANGE,
      stepNanos: RANGE.endNanos - RANGE.startNanos + 1n,
      quantiles: [0.5],
    });
    const calls = Object.fromEntries(
      series.map((entry) => [entry.service, entry.points.reduce((sum, point) => sum + point.calls, 0)]),
    );
    assert.deepEqual(calls, { [SHARED_SERVICE]: 2, [own.service]: 1 }, `${where}: RED metrics of its spans alone`);
  }
  if (hasTraceOutline(store)) {
    assert.equal((await store.getTraceOutline(own.traceId)).spanIds.length, 2);
    await assert.rejects(store.getTraceOutline(other.traceId), (error) => isAriadneError(error, 'TraceNotFound'));
  }
  if (hasSpanLookup(store)) {
    assert.equal((await store.getSpansById(own.traceId, own.spanIds[0]!)).length, 1);
    await assert.rejects(store.getSpansById(other.traceId, other.spanIds[0]!), (error) =>
      isAriadneError(error, 'TraceNotFound'),
    );
  }

  // Only tenant A archived its trace.
  if (own === A_MARKS) assert.equal((await archive.getTrace(own.traceId)).length, 2);
  await assertNotFound(archive, other.traceId);
}

async function assertSeesNothing(store: SpanReader, marks: readonly TenantMarks[]): Promise<void> {
  assert.deepEqual(await store.getServices(), []);
  assert.deepEqual(await store.findTraces({ timeRange: RANGE, limit: 20 }), []);
  for (const { traceId } of marks) await assertNotFound(store, traceId);
  await assertNotFound(store, SHARED_TRACE_ID);
}

async function assertNotFound(store: SpanReader, traceId: string): Promise<void> {
  await assert.rejects(store.getTrace(traceId), (error) => isAriadneError(error, 'TraceNotFound'), traceId);
}
