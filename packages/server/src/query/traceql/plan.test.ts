import assert from 'node:assert/strict';
import { test } from 'node:test';
import { SpanKind } from '@ariadne/protocol';
import { compileTraceQL } from './compile.js';
import { planTraceQL } from './plan.js';

const plan = (text: string) => planTraceQL(compileTraceQL(text));

test('pushes down the conditions of one spanset filter', () => {
  const { prefilter, matchesNothing, pushedDown } = plan(
    '{ resource.service.name = "cart" && name = "GET /cart" && kind = server && status = error && duration > 1ms && duration <= 2s }',
  );
  assert.equal(matchesNothing, false);
  assert.equal(pushedDown, 6);
  assert.deepEqual(prefilter, {
    service: 'cart',
    operation: 'GET /cart',
    spanKind: SpanKind.Server,
    minDurationNanos: 1_000_001n,
    maxDurationNanos: 2_000_000_000n,
    errorsOnly: true,
  });
});

test('attribute comparisons become store predicates; equality and regular expressions let arrays through', () => {
  const { prefilter } = plan(
    '{ span.http.method = "GET" && .code >= 500 && resource.k8s.ns =~ "prod-.*" && span.x != nil && span.y != "a" && span.flag }',
  );
  assert.deepEqual(prefilter.attributes, [
    { key: 'http.method', scope: 'span', operator: '=', value: 'GET', orArray: true },
    { key: 'code', scope: 'any', operator: '>=', value: '500' },
    { key: 'k8s.ns', scope: 'resource', operator: '=~', value: 'prod-.*', orArray: true },
    { key: 'x', scope: 'span', operator: 'exists' },
    { key: 'y', scope: 'span', operator: '!=', value: 'a' },
    { key: 'flag', scope: 'span', operator: '=', value: 'true' },
  ]);
});

test('a literal on the left is flipped; what stores cannot do stays in the engine', () => {
  assert.deepEqual(plan('{ 100ms < duration }').prefilter, { minDurationNanos: 100_000_001n });
  assert.deepEqual(plan('{ span.a > "x" && name =~ "GET.*" && span.b = nil && link.c = 1 }').prefilter, {});
  // Both sides run RE2 (`linear-regex.ts`): flags push down like any pattern.
  assert.deepEqual(plan('{ span.d =~ "(?i)x" }').prefilter.attributes, [
    { key: 'd', scope: 'span', operator: '=~', value: '(?i)x', orArray: true },
  ]);
  assert.deepEqual(plan('{ status = error || kind = client }').prefilter, {});
  assert.deepEqual(plan('{ !(status = error) }').prefilter, {});
});

test('between spansets, one side is pushed: the richer one, or the right side of a negation', () => {
  assert.deepEqual(plan('{ kind = server } > { kind = client && name = "x" }').prefilter, {
    operation: 'x',
    spanKind: SpanKind.Client,
  });
  assert.deepEqual(plan('{ name = "a" && status = error } && { name = "b" }').prefilter, {
    operation: 'a',
    errorsOnly: true,
  });
  assert.deepEqual(plan('{ name = "a" && status = error } !> { name = "b" }').prefilter, { operation: 'b' });
  assert.deepEqual(plan('{ name = "a" } || { name = "b" }').prefilter, {});
  assert.deepEqual(plan('({ name = "a" } | count() > 1) && { }').prefilter, { operation: 'a' });
  assert.deepEqual(plan('{ name = "a" } | rate() by (resource.service.name)').prefilter, { operation: 'a' });
});

test('contradictions match nothing', () => {
  assert.equal(plan('{ duration > 2s && duration < 1s }').matchesNothing, true);
  assert.equal(plan('{ name = "a" && name = "b" }').matchesNothing, true);
  assert.equal(plan('{ kind = server && kind = client }').matchesNothing, true);
  assert.equal(plan('{ duration < 0ms }').matchesNothing, true);
  assert.equal(plan('{ name = "a" } && { name = "b" }').matchesNothing, false);
});
