import assert from 'node:assert/strict';
import { test } from 'node:test';
import { SpanKind, StatusCode, serviceNameOf } from '@ariadne/protocol';
import { StandardWorkload, WORKLOAD_SERVICES } from './standard-workload.js';

test('the workload has the documented shape', () => {
  const workload = new StandardWorkload({ seed: 7 });
  const traces = Array.from({ length: 2000 }, () => workload.nextTrace());
  const spans = traces.flat();
  const sizes = traces.map((t) => t.length);
  assert.ok(Math.min(...sizes) >= 5 && Math.max(...sizes) <= 50);
  const mean = spans.length / traces.length;
  assert.ok(mean > 18 && mean < 22, `mean spans per trace ${mean}`);
  assert.equal(new Set(spans.map((s) => serviceNameOf(s.resource))).size, WORKLOAD_SERVICES.length);
  assert.equal(new Set(spans.map((s) => s.name)).size, 60);
  const errors = spans.filter((s) => s.status.code === StatusCode.Error).length / spans.length;
  assert.ok(errors > 0.01 && errors < 0.03, `error share ${errors}`);
  const withEvents = spans.filter((s) => s.events.length > 0).length / spans.length;
  assert.ok(withEvents > 0.08 && withEvents < 0.12, `share with events ${withEvents}`);
  const linked = traces.filter((t) => t.some((s) => s.links.length > 0)).length / traces.length;
  assert.ok(linked > 0.03 && linked < 0.07, `share of traces with links ${linked}`);
  for (const span of spans) {
    assert.ok(span.attributes.length >= 10);
    if (span.kind === SpanKind.Server) assert.ok(span.attributes.some((a) => a.key === 'http.route'));
  }
  // Every parent is in the same trace and comes first.
  for (const trace of traces) {
    const seen = new Set<string>();
    for (const span of trace) {
      if (span.parentSpanId) assert.ok(seen.has(span.parentSpanId));
      seen.add(span.spanId);
    }
  }
});

test('the same seed gives the same spans', () => {
  const a = new StandardWorkload({ seed: 3 }).spans(500);
  const b = new StandardWorkload({ seed: 3 }).spans(500);
  assert.deepEqual(a, b);
  assert.notDeepEqual(a[0]?.traceId, new StandardWorkload({ seed: 4 }).spans(1)[0]?.traceId);
});
