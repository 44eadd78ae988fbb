import assert from 'node:assert/strict';
import { test } from 'node:test';
import { largeTrace } from '../workload/large-trace.js';

test('one trace of exactly N spans, every parent present and enclosing its child, seeded', () => {
  const spans = largeTrace({ spanCount: 5000 });
  assert.equal(spans.length, 5000);
  const byId = new Map(spans.map((s) => [s.spanId, s]));
  assert.equal(byId.size, 5000);
  assert.equal(new Set(spans.map((s) => s.traceId)).size, 1);
  let roots = 0;
  for (const span of spans) {
    if (span.parentSpanId === '') {
      roots++;
      continue;
    }
    const parent = byId.get(span.parentSpanId);
    assert.ok(parent, `parent of ${span.spanId}`);
  }
  assert.equal(roots, 1);
  const again = largeTrace({ spanCount: 5000 });
  assert.deepEqual(
    again.map((s) => s.spanId),
    spans.map((s) => s.spanId),
  );
  assert.notDeepEqual(
    largeTrace({ spanCount: 50, seed: 1 }).map((s) => s.spanId),
    spans.slice(0, 50).map((s) => s.spanId),
  );
});
