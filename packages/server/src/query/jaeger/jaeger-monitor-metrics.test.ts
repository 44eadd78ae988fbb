import assert from 'node:assert/strict';
import { test } from 'node:test';
import { SpanKind } from '@ariadne/protocol';
import type { RedMetricsSeries } from '../../storage/span-store.js';
import { parseMonitorRequest, toJaegerMetricFamily } from './jaeger-monitor-metrics.js';

const NOW = 1_700_000_000_000_000_000n;
const SECOND = 1_000_000_000n;

test("parameters: Jaeger's defaults and repeated services and kinds", () => {
  const plain = parseMonitorRequest(new URLSearchParams('service=a'), 'calls', NOW);
  assert.deepEqual(plain.query, {
    services: ['a'],
    groupByOperation: false,
    spanKinds: [SpanKind.Server],
    timeRange: { startNanos: NOW - 3600n * SECOND, endNanos: NOW },
    stepNanos: 5n * SECOND,
    quantiles: [],
  });
  assert.equal(plain.ratePerNanos, 600n * SECOND);
  const full = parseMonitorRequest(
    new URLSearchParams(
      'service=a&service=b&groupByOperation=true&spanKind=client&spanKind=SPAN_KIND_PRODUCER&endTs=1000&lookback=500&step=100&ratePer=200&quantile=0.95',
    ),
    'latencies',
    NOW,
  );
  assert.deepEqual(full.query, {
    services: ['a', 'b'],
    groupByOperation: true,
    spanKinds: [SpanKind.Client, SpanKind.Producer],
    timeRange: { startNanos: 500_000_000n, endNanos: 1_000_000_000n },
    stepNanos: 100_000_000n,
    quantiles: [0.95],
  });
});

test('series become gauges: trailing-window rates, error shares, latencies in ms, empty points left out', () => {
  const request = parseMonitorRequest(
    new URLSearchParams('service=a&step=1000&ratePer=2000&quantile=0.5&endTs=3000&lookback=3000'),
    'latencies',
    NOW,
  );
  const series: RedMetricsSeries[] = [
    {
      service: 'a',
      points: [
        { timeUnixNano: 0n, calls: 4, errors: 1, durationQuantilesNanos: [2_500_000] },
        { timeUnixNano: SECOND, calls: 0, errors: 0, durationQuantilesNanos: [Number.NaN] },
        { timeUnixNano: 2n * SECOND, calls: 2, errors: 2, durationQuantilesNanos: [1_000_000] },
        { timeUnixNano: 3n * SECOND, calls: 0, errors: 0, durationQuantilesNanos: [Number.NaN] },
      ],
    },
  ];
  const values = (metric: 'latencies' | 'calls' | 'errors') =>
    toJaegerMetricFamily(metric, request, series).metrics[0]?.metricPoints.map((p) => [
      p.timestamp,
      p.gaugeValue.doubleValue,
    ]);
  assert.deepEqual(values('latencies'), [
    ['1970-01-01T00:00:00Z', 2.5],
    ['1970-01-01T00:00:02Z', 1],
  ]);
  // Two-bucket window over 2 seconds.
  assert.deepEqual(values('calls'), [
    ['1970-01-01T00:00:00Z', 2],
    ['1970-01-01T00:00:01Z', 2],
    ['1970-01-01T00:00:02Z', 1],
    ['1970-01-01T00:00:03Z', 1],
  ]);
  assert.deepEqual(values('errors'), [
    ['1970-01-01T00:00:00Z', 0.25],
    ['1970-01-01T00:00:01Z', 0.25],
    ['1970-01-01T00:00:02Z', 1],
    ['1970-01-01T00:00:03Z', 1],
  ]);
  const family = toJaegerMetricFamily('latencies', request, series);
  assert.equal(family.name, 'service_latencies');
  assert.equal(family.help, '0.5th quantile latency, grouped by service');
});
