import assert from 'node:assert/strict';
import { test } from 'node:test';
import { DEFAULT_SPAN_LIMITS, resolveSpanLimits } from './span-limits.js';

test('OpenTelemetry defaults without configuration', () => {
  assert.deepEqual(resolveSpanLimits({}, {}), DEFAULT_SPAN_LIMITS);
  assert.equal(DEFAULT_SPAN_LIMITS.attributeCountLimit, 128);
  assert.equal(DEFAULT_SPAN_LIMITS.attributeValueLengthLimit, Number.POSITIVE_INFINITY);
});

test('code wins over span variables, which win over general ones; garbage is ignored', () => {
  const env = {
    OTEL_ATTRIBUTE_COUNT_LIMIT: '50',
    OTEL_SPAN_ATTRIBUTE_COUNT_LIMIT: '10',
    OTEL_ATTRIBUTE_VALUE_LENGTH_LIMIT: '100',
    OTEL_SPAN_EVENT_COUNT_LIMIT: '3',
    OTEL_SPAN_LINK_COUNT_LIMIT: 'lots',
    OTEL_EVENT_ATTRIBUTE_COUNT_LIMIT: '-4',
  };
  const limits = resolveSpanLimits({ eventCountLimit: 7 }, env);
  assert.equal(limits.attributeCountLimit, 10);
  assert.equal(limits.attributeValueLengthLimit, 100);
  assert.equal(limits.eventCountLimit, 7);
  assert.equal(limits.linkCountLimit, 128);
  assert.equal(limits.attributePerEventCountLimit, 50, 'negative ignored, general limit applies');
  assert.equal(resolveSpanLimits({}, { OTEL_SPAN_ATTRIBUTE_VALUE_LENGTH_LIMIT: '5' }).attributeValueLengthLimit, 5);
});
