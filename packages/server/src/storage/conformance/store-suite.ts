import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { after, before, describe, test } from 'node:test';
import {
  decodeOtlpTraceRequestJson,
  EMPTY_SCOPE,
  isAriadneError,
  type Span,
  SpanKind,
  StatusCode,
} from '@ariadne/protocol';
import { QueryDeadline, withQueryDeadline } from '../../query/query-deadline.js';
import {
  type DependencyLink,
  hasDependencies,
  hasRedMetrics,
  type OperationQuery,
  type RedMetricsQuery,
  type RedMetricsSeries,
  type SpanStore,
  type TimeRange,
  type TraceQuery,
  type TraceSummary,
} from '../span-store.js';

export interface StoreSuiteOptions {
  readonly name: string;
  /** A fresh, empty store. Called once per run of the suite. */
  readonly open: () => Promise<SpanStore>;
  /**
   * Restart survival: given the store in use, return a new instance over the
   * same data (usually: close it, open again). Omit for stores that forget.
   */
  readonly reopen?: (store: SpanStore) => Promise<SpanStore>;
  /** Removes whatever `open` created (temporary folders). */
  readonly cleanUp?: () => Promise<void>;
}

/**
 * The one conformance suite every store passes (Jaeger's storage integration
 * tests, cases as data): fixtures are OTLP/JSON files, searches and their
 * expected answers live in `fixtures/cases.json`.
 */
export function runStoreSuite(options: StoreSuiteOptions): void {
  const fixtures = loadFixtures();
  describe(`store conformance: ${options.name}`, () => {
    let store: SpanStore;
    before(async () => {
      store = await options.open();
    });
    after(async () => {
      await store?.close();
      await options.cleanUp?.();
    });

    test('an empty store has no services, no traces and finds nothing', async () => {
      assert.deepEqual(await store.getServices(), []);
      assert.deepEqual(await store.getOperations({ service: 'frontend' }), []);
      assert.deepEqual(await store.findTraces(query({})), []);
      await assertTraceNotFound(store, fixtures.traceIds[0]!);
    });

    test('writes the fixtures, several batches per trace', async () => {
      await store.writeSpans([]);
      for (const batch of fixtures.batches) await store.writeSpans(batch);
      // Concurrent writers, as the pipeline produces them.
      await Promise.all(fixtures.extraBatches.map((batch) => store.writeSpans(batch)));
    });

    describe('reading what was written', () => registerReads(() => store, fixtures));

    if (options.reopen !== undefined) {
      const reopen = options.reopen;
      describe('after reopening (restart survival)', () => {
        before(async () => {
          store = await reopen(store);
        });
        registerReads(() => store, fixtures);
        test('writes after reopening join the traces written before', async () => {
          const late = { ...fixtures.expected.get(TRACE_CHECKOUT)![0]!, spanId: 'ffffffffffffff01', parentSpanId: '' };
          await store.writeSpans([late]);
          const trace = await store.getTrace(TRACE_CHECKOUT);
          assert.equal(trace.length, fixtures.expected.get(TRACE_CHECKOUT)!.length + 1);
          store = await reopen(store);
          assert.equal((await store.getTrace(TRACE_CHECKOUT)).length, trace.length);
        });
      });
    }

    test('after close, calls reject; closing twice is harmless', async () => {
      await store.close();
      await store.close();
      await assert.rejects(store.writeSpans(fixtures.batches[0]!));
      await assert.rejects(store.getTrace(TRACE_CHECKOUT));
      await assert.rejects(store.getServices());
    });
  });
}

const TRACE_CHECKOUT = '5b8efff798038103d269b633813fc60c';
const TRACE_BIG = 'b16b16b16b16b16b16b16b16b16b16b1';
/** Written in five batches over ten minutes, across an hour boundary (structure.json). */
const TRACE_IN_PIECES = 'b17eb17eb17eb17eb17eb17eb17eb17e';
const HOUR = 3_600_000_000_000n;
const ONE_MEGABYTE = 1024 * 1024;

function registerReads(getStore: () => SpanStore, fixtures: Fixtures): void {
  test('getTrace returns every span with every field equal', async () => {
    for (const [traceId, spans] of fixtures.expected) {
      const stored = await getStore().getTrace(traceId);
      assert.deepStrictEqual(canonicalTrace(stored), canonicalTrace(spans), `trace ${traceId}`);
    }
  });

  test('a trace written in several batches comes back whole', async () => {
    const trace = await getStore().getTrace(TRACE_CHECKOUT);
    assert.deepEqual(trace.map((span) => span.spanId).sort(), [
      '1000000000000001',
      '1000000000000002',
      '1000000000000003',
      '1000000000000004',
    ]);
  });

  test('a 1 MB attribute value survives', async () => {
    const [span] = await getStore().getTrace(TRACE_BIG);
    const value = span?.attributes.find((attribute) => attribute.key === 'payload')?.value;
    assert.equal(value?.type, 'string');
    assert.equal(value.type === 'string' && value.value.length, ONE_MEGABYTE);
  });

  test('getTrace with a time range covering every span start returns the whole trace', async () => {
    for (const traceId of [TRACE_CHECKOUT, TRACE_IN_PIECES]) {
      const spans = fixtures.expected.get(traceId)!;
      // Bounds are inclusive: the earliest and the latest start exactly.
      const stored = await getStore().getTrace(traceId, startRange(spans));
      assert.deepStrictEqual(canonicalTrace(stored), canonicalTrace(spans), `trace ${traceId}`);
    }
  });

  test('getTrace with a time range excluding the trace: a hint, so TraceNotFound or its spans, never []', async () => {
    const spans = fixtures.expected.get(TRACE_CHECKOUT)!;
    const { endNanos } = startRange(spans);
    const later: TimeRange = { startNanos: endNanos + HOUR, endNanos: endNanos + 2n * HOUR };
    let stored: Span[];
    try {
      stored = await getStore().getTrace(TRACE_CHECKOUT, later);
    } catch (error) {
      // The store skipped everything outside the range and so found no span of the trace.
      assert.ok(isAriadneError(error, 'TraceNotFound'), `unexpected rejection: ${error}`);
      return;
    }
    // The store ignored the hint, wholly or in part: only spans of the trace, as written.
    assert.notEqual(stored.length, 0, 'an empty array is never an answer');
    const written = new Set((canonicalTrace(spans) as unknown[]).map((span) => JSON.stringify(span)));
    for (const span of canonicalTrace(stored) as unknown[]) assert.ok(written.has(JSON.stringify(span)));
  });

  test('getTrace of an unknown trace rejects with TraceNotFound', async () => {
    await assertTraceNotFound(getStore(), 'deadbeefdeadbeefdeadbeefdeadbeef');
  });

  for (const testCase of fixtures.cases.findTraces) {
    test(`findTraces: ${testCase.name}`, async () => {
      const found = await getStore().findTraces(query(testCase.query));
      assert.deepEqual(
        found.map((summary) => summary.traceId),
        testCase.traces,
      );
    });
  }

  for (const testCase of fixtures.cases.summaries) {
    test(`findTraces: ${testCase.name}`, async () => {
      const found = await getStore().findTraces(query(testCase.query));
      assert.deepStrictEqual(found.map(jsonSummary), testCase.summaries);
    });
  }

  for (const testCase of fixtures.cases.invalidQueries) {
    test(`findTraces rejects an invalid query: ${testCase.name}`, async () => {
      await assert.rejects(getStore().findTraces(query(testCase.query)), (error) =>
        isAriadneError(error, 'InvalidQuery'),
      );
    });
  }

  test('findTraces past the query deadline rejects with QueryTimeout; within it, answers', async () => {
    const passed = new QueryDeadline(Date.now() - 1, 30_000);
    await assert.rejects(
      withQueryDeadline(passed, () => getStore().findTraces(query({}))),
      (error) => isAriadneError(error, 'QueryTimeout'),
    );
    const found = await withQueryDeadline(QueryDeadline.after(30_000), () => getStore().findTraces(query({})));
    assert.ok(found.length > 0);
  });

  registerCapabilityReads(getStore, fixtures);
  test('getServices lists every service, sorted', async () => {
    assert.deepEqual(await getStore().getServices(), fixtures.cases.services);
  });

  for (const testCase of fixtures.cases.operations) {
    const label = `${testCase.query.service}${testCase.query.spanKind === undefined ? '' : ` kind ${testCase.query.spanKind}`}`;
    test(`getOperations: ${label}`, async () => {
      assert.deepEqual(await getStore().getOperations(testCase.query), testCase.operations);
    });
  }
}

/** Optional capabilities: a store without one skips its cases, and says so. */
function registerCapabilityReads(getStore: () => SpanStore, fixtures: Fixtures): void {
  const withDependencies = () => {
    const store = getStore();
    assert.ok(hasDependencies(store));
    return store;
  };
  const noDependencies = () => (hasDependencies(getStore()) ? false : 'the store does not offer dependencies');
  for (const testCase of fixtures.cases.dependencies) {
    test(`getDependencies: ${testCase.name}`, async (t) => {
      const skip = noDependencies();
      if (skip) return t.skip(skip);
      const links: DependencyLink[] = await withDependencies().getDependencies(timeRange(testCase.timeRange));
      assert.deepStrictEqual(links, testCase.links);
    });
  }
  for (const testCase of fixtures.cases.invalidDependencyRanges) {
    test(`getDependencies rejects an invalid range: ${testCase.name}`, async (t) => {
      const skip = noDependencies();
      if (skip) return t.skip(skip);
      await assert.rejects(withDependencies().getDependencies(timeRange(testCase.timeRange)), (error) =>
        isAriadneError(error, 'InvalidQuery'),
      );
    });
  }
  const noRed = () => (hasRedMetrics(getStore()) ? false : 'the store does not offer RED metrics');
  const withRed = () => {
    const store = getStore();
    assert.ok(hasRedMetrics(store));
    return store;
  };
  for (const testCase of fixtures.cases.redMetrics) {
    test(`getRedMetrics: ${testCase.name}`, async (t) => {
      const skip = noRed();
      if (skip) return t.skip(skip);
      const series = await withRed().getRedMetrics(redQuery(testCase.query));
      assertRedSeries(series, testCase.series);
    });
  }
  for (const testCase of fixtures.cases.invalidRedQueries) {
    test(`getRedMetrics rejects an invalid query: ${testCase.name}`, async (t) => {
      const skip = noRed();
      if (skip) return t.skip(skip);
      await assert.rejects(withRed().getRedMetrics(redQuery(testCase.query)), (error) =>
        isAriadneError(error, 'InvalidQuery'),
      );
    });
  }
}

/** Stores may approximate duration quantiles; the cases hold exact values, within this much. */
const QUANTILE_TOLERANCE = 0.05;

function assertRedSeries(actual: RedMetricsSeries[], expected: JsonRedSeries[]): void {
  const shape = (series: readonly { service: string; operation?: string }[]) =>
    series.map((one) => (one.operation === undefined ? one.service : `${one.service} / ${one.operation}`));
  assert.deepEqual(shape(actual), shape(expected), 'series');
  for (const [i, series] of actual.entries()) {
    const want = expected[i]!;
    assert.equal(series.points.length, want.points.length, `${shape([series])} bucket count`);
    for (const [j, point] of series.points.entries()) {
      const wanted = want.points[j]!;
      const where = `${shape([series])} bucket ${j}`;
      assert.equal(point.timeUnixNano, BigInt(wanted.timeUnixNano), `${where} time`);
      assert.equal(point.calls, wanted.calls, `${where} calls`);
      assert.equal(point.errors, wanted.errors, `${where} errors`);
      assert.equal(point.durationQuantilesNanos.length, wanted.durationQuantilesNanos.length, `${where} quantiles`);
      for (const [k, value] of point.durationQuantilesNanos.entries()) {
        const exact = wanted.durationQuantilesNanos[k];
        if (exact === null || exact === undefined) assert.ok(Number.isNaN(value), `${where}: NaN for an empty bucket`);
        else {
          assert.ok(
            Math.abs(value - exact) <= exact * QUANTILE_TOLERANCE,
            `${where} quantile ${k}: ${value} is not within 5% of ${exact}`,
          );
        }
      }
    }
  }
}

/** From the earliest to the latest span start of a trace. */
function startRange(spans: readonly Span[]): TimeRange {
  const starts = spans.map((span) => span.startTimeUnixNano);
  const min = starts.reduce((a, b) => (b < a ? b : a));
  const max = starts.reduce((a, b) => (b > a ? b : a));
  return { startNanos: min, endNanos: max };
}

function timeRange(json: { startNanos: string; endNanos: string }): TimeRange {
  return { startNanos: BigInt(json.startNanos), endNanos: BigInt(json.endNanos) };
}

function redQuery(json: JsonRedQuery): RedMetricsQuery {
  return { ...json, timeRange: timeRange(json.timeRange), stepNanos: BigInt(json.stepNanos) };
}

async function assertTraceNotFound(store: SpanStore, traceId: string): Promise<void> {
  await assert.rejects(store.getTrace(traceId), (error) => isAriadneError(error, 'TraceNotFound'));
}

interface Cases {
  readonly defaultTimeRange: { startNanos: string; endNanos: string };
  readonly findTraces: { name: string; query: JsonQuery; traces: string[] }[];
  readonly summaries: { name: string; query: JsonQuery; summaries: unknown[] }[];
  readonly invalidQueries: { name: string; query: JsonQuery }[];
  readonly services: string[];
  readonly operations: { query: OperationQuery; operations: unknown[] }[];
  readonly dependencies: { name: string; timeRange: JsonRange; links: DependencyLink[] }[];
  readonly invalidDependencyRanges: { name: string; timeRange: JsonRange }[];
  readonly redMetrics: { name: string; query: JsonRedQuery; series: JsonRedSeries[] }[];
  readonly invalidRedQueries: { name: string; query: JsonRedQuery }[];
}

interface JsonRange {
  readonly startNanos: string;
  readonly endNanos: string;
}

type JsonRedQuery = Omit<RedMetricsQuery, 'timeRange' | 'stepNanos'> & { timeRange: JsonRange; stepNanos: string };

interface JsonRedSeries {
  readonly service: string;
  readonly operation?: string;
  readonly points: {
    timeUnixNano: string;
    calls: number;
    errors: number;
    durationQuantilesNanos: (number | null)[];
  }[];
}

type JsonQuery = Record<string, unknown>;

interface Fixtures {
  /** Written one by one, in order. */
  readonly batches: Span[][];
  /** Written concurrently afterwards. */
  readonly extraBatches: Span[][];
  readonly expected: Map<string, Span[]>;
  readonly traceIds: string[];
  readonly cases: Cases;
}

let cases: Cases;

/** One batch per `resourceSpans` entry, so that several traces arrive in several batches. */
function loadOtlpJsonBatches(text: string): Span[][] {
  const { resourceSpans } = JSON.parse(text) as { resourceSpans: unknown[] };
  return resourceSpans.map((entry) => {
    const decoded = decodeOtlpTraceRequestJson(JSON.stringify({ resourceSpans: [entry] }));
    if (decoded.rejectedSpans > 0) throw new Error(`fixture span rejected: ${decoded.errorMessage}`);
    return decoded.spans;
  });
}

function loadFixtures(): Fixtures {
  const read = (name: string) => readFileSync(new URL(`./fixtures/${name}`, import.meta.url), 'utf8');
  cases = JSON.parse(read('cases.json')) as Cases;
  const batches = ['shop.json', 'edge-cases.json', 'structure.json', 'latency.json'].flatMap((name) =>
    loadOtlpJsonBatches(read(name)),
  );
  const extraBatches = [[bigAttributeSpan()]];
  const expected = new Map<string, Span[]>();
  for (const span of [...batches, ...extraBatches].flat()) {
    const trace = expected.get(span.traceId) ?? [];
    trace.push(span);
    expected.set(span.traceId, trace);
  }
  return { batches, extraBatches, expected, traceIds: [...expected.keys()], cases };
}

/** Outside the cases' time range on purpose, so that it only shows in getServices. */
function bigAttributeSpan(): Span {
  const start = BigInt(cases.defaultTimeRange.startNanos) - 3_600_000_000_000n;
  return {
    traceId: TRACE_BIG,
    spanId: 'b16b16b16b16b16b',
    parentSpanId: '',
    traceState: '',
    flags: 1,
    name: 'upload',
    kind: SpanKind.Server,
    startTimeUnixNano: start,
    endTimeUnixNano: start + 1_000_000n,
    attributes: [{ key: 'payload', value: { type: 'string', value: 'é'.repeat(ONE_MEGABYTE) } }],
    droppedAttributesCount: 0,
    events: [],
    droppedEventsCount: 0,
    links: [],
    droppedLinksCount: 0,
    status: { code: StatusCode.Unset, message: '' },
    resource: {
      attributes: [{ key: 'service.name', value: { type: 'string', value: 'bulk' } }],
      droppedAttributesCount: 0,
    },
    scope: EMPTY_SCOPE,
  };
}

function query(json: JsonQuery): TraceQuery {
  const nanos = (value: unknown) => (value === undefined ? undefined : BigInt(value as string));
  const range = (json.timeRange ?? cases.defaultTimeRange) as { startNanos: string; endNanos: string };
  return {
    ...(json as object),
    minDurationNanos: nanos(json.minDurationNanos),
    maxDurationNanos: nanos(json.maxDurationNanos),
    timeRange: { startNanos: BigInt(range.startNanos), endNanos: BigInt(range.endNanos) },
    limit: (json.limit as number | undefined) ?? 20,
  } as TraceQuery;
}

function jsonSummary(summary: TraceSummary): unknown {
  return {
    ...summary,
    startTimeUnixNano: summary.startTimeUnixNano.toString(),
    durationNanos: summary.durationNanos.toString(),
  };
}

/** Order-free, representation-free form: spans sorted by id, bytes as hex, bigints tagged. */
function canonicalTrace(spans: readonly Span[]): unknown {
  return [...spans].sort((a, b) => (a.spanId < b.spanId ? -1 : a.spanId > b.spanId ? 1 : 0)).map(canonical);
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
