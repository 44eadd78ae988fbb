import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { Span } from '@ariadne/protocol';
import { AggregatesBuilder, decodeAggregates } from '../storage/embedded/block-aggregates.js';
import { retentionTestTrace } from '../storage/embedded/retention-test-traces.js';
import { RetentionDecider } from './keep-decision.js';
import { DEFAULT_RETENTION_POLICY, type RetentionPolicy } from './retention-policy.js';
import { SlowThresholds } from './slow-thresholds.js';

const T0 = 1_767_225_600_000_000_000n;
const MINUTE = 60_000_000_000n;

/** Thresholds from the aggregates of these spans, as a block's cut computes them. */
function builderOf(spans: readonly Span[]): AggregatesBuilder {
  const builder = new AggregatesBuilder();
  for (const span of spans) builder.addSpan(span);
  return builder;
}

function thresholdsOf(spans: readonly Span[]): SlowThresholds {
  const builder = builderOf(spans);
  const thresholds = new SlowThresholds();
  thresholds.add(decodeAggregates(Buffer.from(builder.encode())));
  return thresholds;
}

const only = (overrides: Partial<RetentionPolicy>): RetentionPolicy => ({
  ...DEFAULT_RETENTION_POLICY,
  errors: false,
  slow: 'off',
  exemplarsPerMinute: 0,
  keepAttributes: [],
  sampleFraction: 0,
  ...overrides,
});

test('slow: root judges the root span, any every span, against the p99 of the hour before', () => {
  // 200 traces of 10 to 30 ms in the half hour before; then one whose child alone is slow.
  const history = Array.from({ length: 200 }, (_, n) =>
    retentionTestTrace({
      n,
      startNanos: T0 + BigInt(n) * 9_000_000_000n,
      durationNanos: 10_000_000n + BigInt(n) * 100_000n,
    }),
  );
  const [root, child] = retentionTestTrace({ n: 999, startNanos: T0 + 31n * MINUTE });
  const slowChild = [{ ...root! }, { ...child!, endTimeUnixNano: child!.startTimeUnixNano + 5_000_000_000n }];
  const thresholds = thresholdsOf([...history.flat(), ...slowChild]);
  assert.equal(new RetentionDecider(only({ slow: 'root' }), thresholds).ruleOf(slowChild), undefined);
  assert.equal(new RetentionDecider(only({ slow: 'any' }), thresholds).ruleOf(slowChild), 'slow');
  const slowRoot = [{ ...root!, endTimeUnixNano: root!.startTimeUnixNano + 6_000_000_000n }, child!];
  assert.equal(
    new RetentionDecider(only({ slow: 'root' }), thresholdsOf([...history.flat(), ...slowRoot])).ruleOf(slowRoot),
    'slow',
  );
  // Cells outside the range given are left out: no data, nothing is slow.
  const none = new SlowThresholds();
  const cells = decodeAggregates(Buffer.from(builderOf(history.flat()).encode()));
  none.add(cells, 0, 1);
  assert.equal(
    none.thresholdNanos('checkout', 'charge', child!.kind, child!.startTimeUnixNano),
    Number.POSITIVE_INFINITY,
  );
  // Typical durations are not slow.
  assert.equal(new RetentionDecider(only({ slow: 'any' }), thresholds).ruleOf(history[100]!), undefined);
});

test('exemplars: N per (service, operation, status, minute), the same ones whatever the order', () => {
  const traces = new Map(
    Array.from({ length: 30 }, (_, n) => [
      String(n),
      retentionTestTrace({ n, startNanos: T0 + BigInt(n) * 1_000_000_000n }),
    ]),
  );
  const decide = (order: [string, Span[]][]) =>
    new RetentionDecider(only({ exemplarsPerMinute: 2 })).decideAll(
      new Map(order.map(([, spans]) => [spans[0]!.traceId, spans])),
    );
  const forward = decide([...traces]);
  const backward = decide([...traces].reverse());
  const kept = [...forward]
    .filter(([, policy]) => policy === 'exemplar')
    .map(([id]) => id)
    .sort();
  assert.equal(kept.length, 2, 'every span of these traces is in one minute: two traces cover it');
  assert.deepEqual(
    [...backward]
      .filter(([, policy]) => policy === 'exemplar')
      .map(([id]) => id)
      .sort(),
    kept,
  );
  // A decision made earlier stands, and kept traces count as exemplars.
  const earlier = decide([...traces]);
  const withEarlier = new RetentionDecider(only({ exemplarsPerMinute: 2 })).decideAll(
    new Map([...traces].map(([, spans]) => [spans[0]!.traceId, spans])),
    (id) => (id === kept[0] ? null : undefined),
  );
  assert.equal(withEarlier.get(kept[0]!), null);
  assert.equal([...withEarlier.values()].filter((policy) => policy === 'exemplar').length, 2);
  assert.equal(earlier.size, 30);
});
