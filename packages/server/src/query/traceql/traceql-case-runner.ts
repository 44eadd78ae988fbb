import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { after, before, describe, test } from 'node:test';
import { decodeOtlpTraceRequestJson, isAriadneError, type Span } from '@ariadne/protocol';
import type { SpanStore } from '../../storage/span-store.js';
import { compileTraceQL } from './compile.js';
import { executeTraceQL } from './execute.js';
import { MetricsAccumulator, type MetricsSeries } from './metrics.js';
import { queryRangeTraceQL, searchTraceQL } from './search.js';
import { TraceQLError } from './traceql-error.js';

interface ValidCase {
  readonly query: string;
  readonly spans?: readonly string[];
  readonly spansets?: readonly (readonly string[])[];
}
interface InvalidCase {
  readonly query: string;
  readonly error: string;
  readonly line: number;
  readonly column: number;
}
interface MetricsCase {
  readonly query: string;
  readonly series: readonly { labels: Record<string, string | number>; values: readonly (number | null)[] }[];
}
interface Cases {
  readonly traces: Record<string, string>;
  readonly spanIds: Record<string, string>;
  readonly timeRange: { startSeconds: number; endSeconds: number };
  readonly stepSeconds: number;
  readonly valid: readonly ValidCase[];
  readonly invalid: readonly InvalidCase[];
  readonly metrics: readonly MetricsCase[];
}

const cases = JSON.parse(readFileSync(new URL('./traceql-cases.json', import.meta.url), 'utf8')) as Cases;
const spans = decodeOtlpTraceRequestJson(readFileSync(new URL('./traceql-fixtures.json', import.meta.url))).spans;
const labelOf = new Map(Object.entries(cases.spanIds).map(([label, id]) => [id, label]));
const traceLabelOf = new Map(Object.entries(cases.traces).map(([label, id]) => [id, label]));
const traces = new Map<string, Span[]>();
for (const span of spans) traces.set(span.traceId, [...(traces.get(span.traceId) ?? []), span]);

const seconds = (s: number) => BigInt(s) * 1_000_000_000n;
const timeRange = { startNanos: seconds(cases.timeRange.startSeconds), endNanos: seconds(cases.timeRange.endSeconds) };
const metricsRange = { ...timeRange, stepNanos: seconds(cases.stepSeconds) };

const label = (span: Span) => labelOf.get(span.spanId) ?? `?${span.spanId}`;
const sorted = (labels: Iterable<string>) => [...labels].sort();
/** Spansets as sorted label lists, themselves sorted, so order does not matter. */
const normalizeSets = (sets: readonly (readonly string[])[]) => sets.map((set) => sorted(set).join(',')).sort();

/** What a case expects, in the shape every runner produces. */
function expected(c: ValidCase): { spans: string[]; sets?: string[]; traces: string[] } {
  const all = c.spans ?? c.spansets!.flat();
  const traceLabels = [...new Set(all.map((l) => l[0]!))];
  // Most recent first: the fixtures' traces start in label order.
  return {
    spans: sorted(all),
    ...(c.spansets !== undefined ? { sets: normalizeSets(c.spansets) } : {}),
    traces: traceLabels.sort().reverse(),
  };
}

function assertSeries(actual: readonly MetricsSeries[], c: MetricsCase): void {
  const bucketCount = Number((metricsRange.endNanos - metricsRange.startNanos) / metricsRange.stepNanos) + 1;
  const startMs = cases.timeRange.startSeconds * 1000;
  const simplified = actual.map((series) => {
    const values: (number | null)[] = Array.from({ length: bucketCount }, () => null);
    for (const sample of series.samples)
      values[(sample.timestampMs - startMs) / (cases.stepSeconds * 1000)] = sample.value;
    const labels = Object.fromEntries(
      series.labels.map((l) => [l.key, l.value.type === 'nil' ? '' : (l.value as { value: string | number }).value]),
    );
    return { labels, values };
  });
  assert.equal(simplified.length, c.series.length, `series of ${c.query}: ${JSON.stringify(simplified)}`);
  for (const [i, want] of c.series.entries()) {
    const got = simplified[i]!;
    assert.deepEqual(got.labels, want.labels, c.query);
    for (const [j, value] of want.values.entries()) {
      const actualValue = got.values[j] ?? null;
      if (value === null) assert.equal(actualValue, null, `${c.query} bucket ${j}`);
      else {
        assert.notEqual(actualValue, null, `${c.query} bucket ${j}`);
        assert.ok(Math.abs(actualValue! - value) < 1e-9, `${c.query} bucket ${j}: ${actualValue} ≠ ${value}`);
      }
    }
  }
}

/**
 * The TraceQL cases of `traceql-cases.json` (valid queries with their matches,
 * invalid ones with message and position, metrics with their series) over the
 * fixture traces: through the engine alone, or through `searchTraceQL` and
 * `queryRangeTraceQL` on a store, so every store answers the same cases.
 */
export function runTraceQLEngineCases(): void {
  test('the case file is as large as promised', () => {
    assert.ok(cases.valid.length >= 150, `${cases.valid.length} valid cases`);
    assert.ok(cases.invalid.length >= 50, `${cases.invalid.length} invalid cases`);
  });

  describe('TraceQL cases: engine alone', () => {
    for (const c of cases.valid) {
      test(c.query, () => {
        const query = compileTraceQL(c.query);
        const spanLabels: string[] = [];
        const sets: string[][] = [];
        const traceLabels: string[] = [];
        for (const trace of traces.values()) {
          const found = executeTraceQL(query, trace);
          if (found.length > 0) traceLabels.push(traceLabelOf.get(trace[0]!.traceId)!);
          for (const set of found) {
            sets.push(set.spans.map(label));
            spanLabels.push(...set.spans.map(label));
          }
        }
        const want = expected(c);
        assert.deepEqual(sorted(new Set(spanLabels)), want.spans);
        assert.deepEqual(traceLabels.sort().reverse(), want.traces);
        if (want.sets !== undefined) assert.deepEqual(normalizeSets(sets), want.sets);
      });
    }
    for (const c of cases.invalid) {
      test(`invalid: ${JSON.stringify(c.query)}`, () => {
        assert.throws(
          () => compileTraceQL(c.query),
          (error: unknown) => {
            assert.ok(error instanceof TraceQLError, String(error));
            assert.equal(error.kind, 'InvalidQuery');
            assert.deepEqual(
              { error: error.detail, line: error.line, column: error.column },
              { error: c.error, line: c.line, column: c.column },
            );
            assert.equal(error.message, `${c.line}:${c.column}: ${c.error}`);
            return true;
          },
        );
      });
    }
    for (const c of cases.metrics) {
      test(`metrics: ${c.query}`, () => {
        const accumulator = new MetricsAccumulator(compileTraceQL(c.query), metricsRange);
        for (const trace of traces.values()) accumulator.addTrace(trace);
        assertSeries(accumulator.result(), c);
      });
    }
  });
}

export type OpenStore = () => Promise<{ store: SpanStore; cleanUp: () => Promise<void> }>;

export function runTraceQLStoreCases(name: string, open: OpenStore): void {
  describe(`TraceQL cases: searchTraceQL on the ${name}`, () => {
    let store: SpanStore;
    let cleanUp: () => Promise<void>;
    before(async () => {
      ({ store, cleanUp } = await open());
      // One batch per trace, in an order unlike their start times.
      for (const id of [...traces.keys()].reverse()) await store.writeSpans(traces.get(id)!);
    });
    after(async () => {
      await store.close();
      await cleanUp();
    });

    for (const c of cases.valid) {
      test(c.query, async () => {
        const result = await searchTraceQL(store, c.query, { timeRange, limit: 20, spansPerSpanSet: 100 });
        const want = expected(c);
        assert.deepEqual(
          result.traces.map((t) => traceLabelOf.get(t.traceId)),
          want.traces,
        );
        const spanLabels = result.traces.flatMap((t) =>
          t.spanSets.flatMap((set) => set.spans.map((s) => label(s.span))),
        );
        assert.deepEqual(sorted(new Set(spanLabels)), want.spans);
        if (want.sets !== undefined) {
          const sets = result.traces.flatMap((t) => t.spanSets.map((set) => set.spans.map((s) => label(s.span))));
          assert.deepEqual(normalizeSets(sets), want.sets);
        }
      });
    }

    test('invalid queries reject with InvalidQuery and their position', async () => {
      for (const c of cases.invalid) {
        await assert.rejects(searchTraceQL(store, c.query, { timeRange, limit: 20, spansPerSpanSet: 3 }), (error) => {
          assert.ok(isAriadneError(error, 'InvalidQuery'), String(error));
          assert.equal(error.message, `${c.line}:${c.column}: ${c.error}`);
          return true;
        });
      }
    });

    for (const c of cases.metrics) {
      test(`metrics: ${c.query}`, async () => {
        const result = await queryRangeTraceQL(store, c.query, { timeRange, stepNanos: metricsRange.stepNanos });
        assertSeries(result.series, c);
      });
    }
  });
}
