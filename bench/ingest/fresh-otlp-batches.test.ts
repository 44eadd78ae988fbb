import assert from 'node:assert/strict';
import { test } from 'node:test';
import { decodeOtlpTraceRequestProto, type KeyValue, type Span, serviceNameOf } from '@ariadne/protocol';
import { FreshOtlpBatches, ISSUE_BATCH_SHAPE } from './fresh-otlp-batches.js';

const NOW = 1_780_000_000_123_456_789n;

function decode(body: Uint8Array): Span[] {
  const decoded = decodeOtlpTraceRequestProto(body);
  assert.equal(decoded.rejectedSpans, 0, decoded.errorMessage);
  return decoded.spans;
}

function text(attribute: KeyValue): string {
  assert.equal(attribute.value.type, 'string');
  return attribute.value.type === 'string' ? attribute.value.value : '';
}

function byTrace(spans: readonly Span[]): Map<string, Span[]> {
  const traces = new Map<string, Span[]>();
  for (const span of spans) traces.set(span.traceId, [...(traces.get(span.traceId) ?? []), span]);
  return traces;
}

test("a body has the issue's shape: 500 spans in 25 traces of 20, 10 attributes of 20 characters each", () => {
  const batches = new FreshOtlpBatches();
  assert.equal(batches.spanCount, 500);
  assert.equal(batches.traceCount, 25);
  const spans = decode(batches.newBody(NOW));
  assert.equal(spans.length, 500);
  const traces = byTrace(spans);
  assert.equal(traces.size, 25);
  for (const trace of traces.values()) {
    assert.equal(trace.length, 20);
    assert.equal(trace.filter((s) => s.parentSpanId === '').length, 1, 'one root per trace');
    assert.equal(serviceNameOf(trace.find((s) => s.parentSpanId === '')!.resource), 'frontend');
    const ids = new Set(trace.map((s) => s.spanId));
    assert.equal(ids.size, 20, 'span ids unique within the trace');
    for (const span of trace)
      if (span.parentSpanId !== '') assert.ok(ids.has(span.parentSpanId), 'parent in its trace');
  }
  for (const span of spans) {
    assert.equal(span.attributes.length, ISSUE_BATCH_SHAPE.attributesPerSpan);
    for (const attribute of span.attributes) {
      assert.match(text(attribute), /^[A-Za-z0-9_-]{20}$/);
    }
  }
});

test('every refresh gives new trace ids, span ids and attribute values, and keeps parents pointing at their parent', () => {
  const batches = new FreshOtlpBatches();
  const body = batches.newBody(NOW);
  const first = decode(body);
  batches.refresh(body, NOW);
  const second = decode(body);
  const traceIds = new Set(first.map((s) => s.traceId));
  assert.ok(
    second.every((s) => !traceIds.has(s.traceId)),
    'no trace id repeats',
  );
  const spanIds = new Set(first.map((s) => s.spanId));
  assert.ok(second.filter((s) => spanIds.has(s.spanId)).length === 0, 'span ids are new');
  const values = new Set(first.flatMap((s) => s.attributes.map(text)));
  assert.equal(values.size, 5000, 'all 5,000 values of a body differ');
  const repeated = second.flatMap((s) => s.attributes).filter((a) => values.has(text(a)));
  assert.equal(repeated.length, 0, 'no value repeats from the previous body');
  // Same structure, position by position: only ids, values and times changed.
  second.forEach((span, i) => {
    const before = first[i]!;
    assert.equal(span.name, before.name);
    assert.equal(span.kind, before.kind);
    assert.equal(serviceNameOf(span.resource), serviceNameOf(before.resource));
    assert.equal(span.parentSpanId === '', before.parentSpanId === '');
    assert.equal(span.endTimeUnixNano - span.startTimeUnixNano, before.endTimeUnixNano - before.startTimeUnixNano);
  });
  for (const trace of byTrace(second).values()) {
    const ids = new Set(trace.map((s) => s.spanId));
    for (const span of trace) if (span.parentSpanId !== '') assert.ok(ids.has(span.parentSpanId));
  }
});

test('times are moved to the moment of the refresh, none in the future, including across a 32-bit carry', () => {
  const batches = new FreshOtlpBatches();
  // Just below a multiple of 2^32 ns, so adding the template's offsets carries into the high half.
  for (const now of [NOW, (NOW >> 32n) * 2n ** 32n + 2n ** 32n - 1n + 2_000_000_000n]) {
    const spans = decode(batches.newBody(now));
    for (const span of spans) {
      assert.ok(span.startTimeUnixNano >= now - 2_000_000_000n, `${span.startTimeUnixNano} too early`);
      assert.ok(span.endTimeUnixNano <= now, `${span.endTimeUnixNano} in the future`);
      assert.ok(span.endTimeUnixNano >= span.startTimeUnixNano);
    }
  }
});

test('other shapes: traces that do not divide the request, fewer attributes', () => {
  const batches = new FreshOtlpBatches({
    spansPerRequest: 50,
    spansPerTrace: 7,
    attributesPerSpan: 3,
    attributeLength: 8,
  });
  const spans = decode(batches.newBody(NOW));
  assert.equal(spans.length, 50);
  const sizes = [...byTrace(spans).values()].map((t) => t.length).sort((a, b) => a - b);
  assert.deepEqual(sizes, [1, 7, 7, 7, 7, 7, 7, 7]);
  assert.ok(spans.every((s) => s.attributes.length === 3 && text(s.attributes[0]!).length === 8));
});
