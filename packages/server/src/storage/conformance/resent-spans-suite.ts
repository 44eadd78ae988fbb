import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { after, before, describe, test } from 'node:test';
import {
  decodeOtlpTraceRequestJson,
  intValue,
  type Span,
  SpanKind,
  StatusCode,
  serviceNameOf,
} from '@ariadne/protocol';
import { summarizeTrace } from '../query/summarize-trace.js';
import { hasDependencies, hasRedMetrics, type SpanStore, type TimeRange } from '../span-store.js';

export interface ResentSpansSuiteOptions {
  readonly name: string;
  /** A fresh, empty store. */
  readonly open: () => Promise<SpanStore>;
  /** A new instance over the same data (close, open again); omit for stores that forget. */
  readonly reopen?: (store: SpanStore) => Promise<SpanStore>;
  readonly cleanUp?: () => Promise<void>;
  /**
   * Why, when the store counts every stored copy of a span in dependencies
   * and RED metrics (it reads spans once but does not drop copies as they
   * are written). Those two cases then run as `todo`.
   */
  readonly aggregatesCountCopies?: string;
}

/** How often the client sent the batch. */
const SENDS = 10;
const RANGE: TimeRange = { startNanos: 1_690_000_000_000_000_000n, endNanos: 1_710_000_000_000_000_000n };
/** The trace whose spans share an id but differ in content. */
const TRACE_SHARED = 'd0d0d0d0d0d0d0d0d0d0d0d0d0d0d0d0';

/**
 * Issue 13, for one store: a client that sent a batch ten times (in turn, at
 * once, and once split differently) finds every span once, through every
 * read and every count; spans that share an id but differ are all kept.
 * The batch is the conformance suite's shop fixture (several traces and
 * services, calls across services, an error) plus one trace whose span was
 * re-sent with a new attribute.
 */
export function runResentSpansSuite(options: ResentSpansSuiteOptions): void {
  const batch = resentBatch();
  const traces = new Map<string, Span[]>();
  for (const span of batch) traces.set(span.traceId, [...(traces.get(span.traceId) ?? []), span]);

  describe(`re-sent spans are stored once: ${options.name}`, () => {
    let store: SpanStore;
    before(async () => {
      store = await options.open();
      await store.writeSpans(batch);
      for (let i = 0; i < 3; i++) await store.writeSpans(batch);
      // At once, as concurrent requests reach the pipeline.
      await Promise.all(Array.from({ length: 5 }, () => store.writeSpans(batch)));
      // Split another way: a child now arrives without its parent in the same write.
      await store.writeSpans(batch.filter((_, i) => i % 2 === 0));
      await store.writeSpans(batch.filter((_, i) => i % 2 === 1));
    });
    after(async () => {
      await store?.close();
      await options.cleanUp?.();
    });

    const reads = () => registerReads(() => store, traces, options.aggregatesCountCopies);
    describe(`after ${SENDS} sends`, reads);
    if (options.reopen !== undefined) {
      const reopen = options.reopen;
      describe('after reopening and one more send', () => {
        before(async () => {
          store = await reopen(store);
          await store.writeSpans(batch);
        });
        reads();
      });
    }
  });
}

function registerReads(
  getStore: () => SpanStore,
  traces: ReadonlyMap<string, Span[]>,
  aggregatesCountCopies: string | undefined,
): void {
  test('getTrace returns each span once, and both spans that share an id but differ', async () => {
    for (const [traceId, spans] of traces) {
      const stored = await getStore().getTrace(traceId);
      assert.deepEqual(contentKeys(stored), contentKeys(spans), `trace ${traceId}`);
    }
    assert.equal((await getStore().getTrace(TRACE_SHARED)).length, 3);
  });

  test('search summaries count each span once', async () => {
    const found = await getStore().findTraces({ timeRange: RANGE, limit: 100 });
    assert.equal(found.length, traces.size);
    for (const summary of found) {
      const expected = summarizeTrace(traces.get(summary.traceId)!);
      assert.equal(summary.spanCount, expected.spanCount, `trace ${summary.traceId}`);
      assert.equal(summary.errorCount, expected.errorCount, `trace ${summary.traceId}`);
      assert.deepEqual(sortedServices(summary.services), sortedServices(expected.services), `trace ${summary.traceId}`);
    }
  });

  test('services and operations are those of one send', async () => {
    assert.deepEqual(await getStore().getServices(), ['cart', 'frontend', 'payment', 'worker']);
    assert.deepEqual(await getStore().getOperations({ service: 'payment' }), [
      { name: 'POST /pay', spanKind: SpanKind.Server },
    ]);
  });

  const todo = aggregatesCountCopies === undefined ? {} : { todo: aggregatesCountCopies };

  test('dependencies count each call once', todo, async (t) => {
    const store = getStore();
    if (!hasDependencies(store)) return t.skip('the store does not compute dependencies');
    assert.deepEqual(await store.getDependencies(RANGE), [
      { parent: 'frontend', child: 'payment', callCount: 2, errorCount: 1 },
      { parent: 'frontend', child: 'worker', callCount: 1, errorCount: 0 },
    ]);
  });

  test('RED metrics count each span once', todo, async (t) => {
    const store = getStore();
    if (!hasRedMetrics(store)) return t.skip('the store does not compute RED metrics');
    const series = await store.getRedMetrics({
      services: ['cart', 'frontend', 'payment', 'worker'],
      groupByOperation: false,
      spanKinds: [],
      timeRange: RANGE,
      stepNanos: RANGE.endNanos - RANGE.startNanos + 1n,
      quantiles: [0.5],
    });
    const counts = series.map((s) => ({ service: s.service, calls: s.points[0]!.calls, errors: s.points[0]!.errors }));
    const expected = new Map<string, { service: string; calls: number; errors: number }>();
    for (const span of [...traces.values()].flat()) {
      const service = serviceNameOf(span.resource);
      const entry = expected.get(service) ?? { service, calls: 0, errors: 0 };
      entry.calls++;
      if (span.status.code === StatusCode.Error) entry.errors++;
      expected.set(service, entry);
    }
    assert.deepEqual(
      counts,
      [...expected.values()].sort((a, b) => (a.service < b.service ? -1 : 1)),
    );
  });
}

/** The shop fixture's spans, and a trace whose span `…b` was sent again with a new attribute. */
function resentBatch(): Span[] {
  const text = readFileSync(new URL('./fixtures/shop.json', import.meta.url), 'utf8');
  const decoded = decodeOtlpTraceRequestJson(text);
  if (decoded.rejectedSpans > 0) throw new Error(`fixture span rejected: ${decoded.errorMessage}`);
  const cart = decoded.spans.find((span) => serviceNameOf(span.resource) === 'cart')!;
  const base = { ...cart, traceId: TRACE_SHARED, events: [], links: [] };
  const root: Span = { ...base, spanId: 'd000000000000001', parentSpanId: '', kind: SpanKind.Server };
  const child: Span = {
    ...base,
    spanId: 'd00000000000000b',
    parentSpanId: root.spanId,
    kind: SpanKind.Internal,
    startTimeUnixNano: base.startTimeUnixNano + 1_000_000n,
    attributes: [{ key: 'attempt', value: intValue(1) }],
  };
  const changed: Span = { ...child, attributes: [{ key: 'attempt', value: intValue(2) }] };
  return [...decoded.spans, root, child, changed];
}

/** Every field of each span as text, keys sorted (a store need not build objects in the decoder's key order). */
function contentKeys(spans: readonly Span[]): string[] {
  return spans.map((span) => JSON.stringify(canonical(span))).sort();
}

function canonical(value: unknown): unknown {
  if (typeof value === 'bigint') return { bigint: value.toString() };
  if (value instanceof Uint8Array) return { bytes: Buffer.from(value).toString('hex') };
  if (Array.isArray(value)) return value.map(canonical);
  if (value !== null && typeof value === 'object') {
    const record = value as Record<string, unknown>;
    return Object.fromEntries(
      Object.keys(record)
        .sort()
        .map((key) => [key, canonical(record[key])]),
    );
  }
  return value;
}

function sortedServices(services: readonly { name: string; spanCount: number; errorCount: number }[]) {
  return [...services]
    .map(({ name, spanCount, errorCount }) => ({ name, spanCount, errorCount }))
    .sort((a, b) => (a.name < b.name ? -1 : 1));
}
