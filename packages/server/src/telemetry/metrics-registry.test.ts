import assert from 'node:assert/strict';
import { test } from 'node:test';
import { MetricsRegistry } from './metrics-registry.js';

test('renders counters, gauges and histograms in the Prometheus text format', () => {
  const registry = new MetricsRegistry();
  const spans = registry.counter('ariadne_spans_received_total', 'Spans received.');
  const depth = registry.gauge('ariadne_queue_spans', 'Spans in flight.');
  const latency = registry.histogram('ariadne_write_seconds', 'Store write latency.', [0.01, 0.1]);
  spans.inc({ receiver: 'otlp-http' }, 5);
  spans.inc({ receiver: 'otlp-http' }, 2);
  spans.inc({ receiver: 'zipkin "v2"' });
  let queued = 3;
  depth.track(() => queued);
  queued = 4;
  latency.observe(0.005, { store: 'embedded' });
  latency.observe(0.05, { store: 'embedded' });
  latency.observe(1, { store: 'embedded' });

  const text = registry.render();
  assert.match(text, /# TYPE ariadne_spans_received_total counter\n/);
  assert.match(text, /ariadne_spans_received_total\{receiver="otlp-http"\} 7\n/);
  assert.match(text, /ariadne_spans_received_total\{receiver="zipkin \\"v2\\""\} 1\n/);
  assert.match(text, /ariadne_queue_spans 4\n/);
  assert.match(text, /ariadne_write_seconds_bucket\{store="embedded",le="0.01"\} 1\n/);
  assert.match(text, /ariadne_write_seconds_bucket\{store="embedded",le="0.1"\} 2\n/);
  assert.match(text, /ariadne_write_seconds_bucket\{store="embedded",le="\+Inf"\} 3\n/);
  assert.match(text, /ariadne_write_seconds_count\{store="embedded"\} 3\n/);
  assert.equal(spans.get({ receiver: 'otlp-http' }), 7);
});

test('a metric name registered twice is a programming error', () => {
  const registry = new MetricsRegistry();
  registry.counter('x_total', 'x');
  assert.throws(() => registry.counter('x_total', 'x'));
});
