import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { isAriadneError, SpanKind, StatusCode } from '@ariadne/protocol';
import type { TraceQuery } from '../span-store.js';
import { compileSpanMatcher, spanMatchesQuery } from './span-matches-query.js';
import { testSpan } from './test-spans.js';

const all: TraceQuery = { timeRange: { startNanos: 0n, endNanos: 2n ** 63n }, limit: 20 };
const span = testSpan({
  service: 'checkout',
  name: 'POST /pay',
  kind: SpanKind.Client,
  startTimeUnixNano: 1_000n,
  endTimeUnixNano: 3_000n,
  status: { code: StatusCode.Error, message: 'boom' },
  attributes: [{ key: 'http.method', value: { type: 'string', value: 'POST' } }],
});

describe('span matches query', () => {
  test('service is the resource service.name; unknown_service without one', () => {
    assert.equal(spanMatchesQuery(span, { ...all, service: 'checkout' }), true);
    assert.equal(spanMatchesQuery(span, { ...all, service: 'cart' }), false);
    const anonymous = testSpan({ resource: { attributes: [], droppedAttributesCount: 0 } });
    assert.equal(spanMatchesQuery(anonymous, { ...all, service: 'unknown_service' }), true);
  });

  test('operation, kind, error-only', () => {
    assert.equal(spanMatchesQuery(span, { ...all, operation: 'POST /pay' }), true);
    assert.equal(spanMatchesQuery(span, { ...all, operation: 'GET /' }), false);
    assert.equal(spanMatchesQuery(span, { ...all, spanKind: SpanKind.Client }), true);
    assert.equal(spanMatchesQuery(span, { ...all, spanKind: SpanKind.Server }), false);
    assert.equal(spanMatchesQuery(span, { ...all, errorsOnly: true }), true);
    assert.equal(spanMatchesQuery(testSpan(), { ...all, errorsOnly: true }), false);
  });

  test('duration and time range bounds are inclusive', () => {
    assert.equal(spanMatchesQuery(span, { ...all, minDurationNanos: 2_000n, maxDurationNanos: 2_000n }), true);
    assert.equal(spanMatchesQuery(span, { ...all, minDurationNanos: 2_001n }), false);
    assert.equal(spanMatchesQuery(span, { ...all, maxDurationNanos: 1_999n }), false);
    assert.equal(spanMatchesQuery(span, { ...all, timeRange: { startNanos: 1_000n, endNanos: 1_000n } }), true);
    assert.equal(spanMatchesQuery(span, { ...all, timeRange: { startNanos: 1_001n, endNanos: 5_000n } }), false);
    assert.equal(spanMatchesQuery(span, { ...all, timeRange: { startNanos: 0n, endNanos: 999n } }), false);
  });

  test('every condition must hold on the same span', () => {
    const query: TraceQuery = {
      ...all,
      service: 'checkout',
      attributes: [{ key: 'http.method', scope: 'span', operator: '=', value: 'POST' }],
    };
    assert.equal(spanMatchesQuery(span, query), true);
    assert.equal(spanMatchesQuery(span, { ...query, operation: 'other' }), false);
  });

  test('malformed queries are InvalidQuery errors', () => {
    const invalid = (query: TraceQuery) =>
      assert.throws(
        () => compileSpanMatcher(query),
        (error) => isAriadneError(error, 'InvalidQuery'),
      );
    invalid({ ...all, limit: 0 });
    invalid({ ...all, limit: 1.5 });
    invalid({ ...all, timeRange: { startNanos: 5n, endNanos: 4n } });
    invalid({ ...all, minDurationNanos: 5n, maxDurationNanos: 4n });
    invalid({ ...all, attributes: [{ key: 'a', scope: 'any', operator: '!~', value: '[' }] });
  });
});
