import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { describe, test } from 'node:test';
import { boolValue, findAttribute, type Span, SpanKind, serviceNameOf, stringValue } from '@ariadne/protocol';
import { testSpan } from '../storage/query/test-spans.js';
import { ORIGINAL_SPAN_ID_ATTRIBUTE, planUniqueSpanIds, uniqueSpanIds } from './unique-span-ids.js';

const TRACE = '0000000000000000000000000000abcd';
const T0 = 1_700_000_000_000_000_000n;
const SHARED = { key: 'zipkin.shared', value: boolValue(true) };

function span(
  spanId: string,
  parentSpanId: string,
  service: string,
  kind: SpanKind,
  startMs: number,
  extra: Partial<Span> = {},
): Span {
  return testSpan({
    traceId: TRACE,
    spanId: spanId.padStart(16, '0'),
    parentSpanId: parentSpanId === '' ? '' : parentSpanId.padStart(16, '0'),
    service,
    kind,
    name: `${service} ${startMs}`,
    startTimeUnixNano: T0 + BigInt(startMs) * 1_000_000n,
    endTimeUnixNano: T0 + BigInt(startMs + 10) * 1_000_000n,
    ...extra,
  });
}

/** The case: a client span in shop, a shared server span in cart with the same id, a child of that id in cart. */
const root = span('f0', '', 'shop', SpanKind.Server, 0);
const client = span('a1', 'f0', 'shop', SpanKind.Client, 1);
const server = span('a1', 'f0', 'cart', SpanKind.Server, 2, { attributes: [SHARED] });
const child = span('b2', 'a1', 'cart', SpanKind.Internal, 3);

const byService = (spans: readonly Span[], service: string, kind?: SpanKind) => {
  const found = spans.filter((s) => serviceNameOf(s.resource) === service && (kind === undefined || s.kind === kind));
  assert.equal(found.length, 1, `one ${service} span`);
  return found[0] as Span;
};

function assertUniqueIds(spans: readonly Span[]): void {
  assert.equal(new Set(spans.map((s) => s.spanId)).size, spans.length, 'every span id once');
}

describe('unique span ids', () => {
  test('the server half gets an id of its own under the client half, and the child hangs under it', () => {
    const out = uniqueSpanIds([root, client, server, child]);
    assertUniqueIds(out);
    const outClient = byService(out, 'shop', SpanKind.Client);
    const outServer = byService(out, 'cart', SpanKind.Server);
    const outChild = byService(out, 'cart', SpanKind.Internal);
    assert.equal(outClient, client, 'the client half is untouched');
    assert.match(outServer.spanId, /^[0-9a-f]{16}$/);
    assert.notEqual(outServer.spanId, client.spanId);
    assert.equal(outServer.parentSpanId, client.spanId);
    assert.equal(outChild.parentSpanId, outServer.spanId);
    assert.deepEqual(findAttribute(outServer.attributes, ORIGINAL_SPAN_ID_ATTRIBUTE), stringValue(client.spanId));
    assert.equal(findAttribute(outClient.attributes, ORIGINAL_SPAN_ID_ATTRIBUTE), undefined);
    assert.equal(byService(out, 'shop', SpanKind.Server), root);
  });

  test('the same ids on every read, whatever the order and whatever else the trace gained', () => {
    const first = uniqueSpanIds([root, client, server, child]);
    const late = span('c3', 'b2', 'cart', SpanKind.Client, 4);
    const again = uniqueSpanIds([child, late, server, root, client]);
    assert.equal(byService(again, 'cart', SpanKind.Server).spanId, byService(first, 'cart', SpanKind.Server).spanId);
    assert.equal(byService(again, 'cart', SpanKind.Client).parentSpanId, child.spanId);
  });

  test('a server half listed first, or not marked shared: the client half still keeps the id', () => {
    const unmarked = { ...server, attributes: [] };
    for (const spans of [
      [server, child, client],
      [unmarked, client, child],
    ]) {
      const out = uniqueSpanIds(spans);
      assert.equal(byService(out, 'shop').spanId, client.spanId);
      assert.equal(byService(out, 'cart', SpanKind.Server).parentSpanId, client.spanId);
      assert.equal(
        byService(out, 'cart', SpanKind.Internal).parentSpanId,
        byService(out, 'cart', SpanKind.Server).spanId,
      );
    }
  });

  test('a new id never takes an id the trace already has', () => {
    // The id the server half would get first (the plan's hash of the trace, the id and the half), given to another span.
    const seed = `${TRACE}/${server.spanId}/cart/${server.startTimeUnixNano}/${server.name}/0`;
    const firstChoice = createHash('sha256').update(seed).digest('hex').slice(0, 16);
    const squatter = span(firstChoice, 'f0', 'shop', SpanKind.Internal, 5);
    const without = byService(uniqueSpanIds([root, client, server, child]), 'cart', SpanKind.Server);
    assert.equal(without.spanId, firstChoice, 'the test aims at the first choice');
    const out = uniqueSpanIds([root, client, server, child, squatter]);
    assertUniqueIds(out);
    assert.notEqual(byService(out, 'cart', SpanKind.Server).spanId, firstChoice);
    assert.equal(byService(out, 'shop', SpanKind.Internal).spanId, firstChoice);
  });

  test('two server halves of one call: each its own id, and children go to the half of their service', () => {
    const proxy = span('a1', 'f0', 'proxy', SpanKind.Server, 2, { attributes: [SHARED] });
    const proxyChild = span('d4', 'a1', 'proxy', SpanKind.Internal, 3);
    const out = uniqueSpanIds([root, client, server, child, proxy, proxyChild]);
    assertUniqueIds(out);
    const cartHalf = byService(out, 'cart', SpanKind.Server);
    const proxyHalf = byService(out, 'proxy', SpanKind.Server);
    assert.equal(cartHalf.parentSpanId, client.spanId);
    assert.equal(proxyHalf.parentSpanId, client.spanId);
    assert.equal(byService(out, 'cart', SpanKind.Internal).parentSpanId, cartHalf.spanId);
    assert.equal(byService(out, 'proxy', SpanKind.Internal).parentSpanId, proxyHalf.spanId);
  });

  test('spans that share an id without being one call: ids made unique, parents kept', () => {
    const a = span('e5', 'f0', 'shop', SpanKind.Internal, 1);
    const b = span('e5', 'f0', 'shop', SpanKind.Internal, 2);
    const under = span('e6', 'e5', 'shop', SpanKind.Internal, 3);
    const out = uniqueSpanIds([root, a, b, under]);
    assertUniqueIds(out);
    assert.deepEqual(
      out.map((s) => s.parentSpanId),
      [root.parentSpanId, 'f0'.padStart(16, '0'), 'f0'.padStart(16, '0'), a.spanId],
    );
    assert.equal(out[1], a, 'the earlier one keeps the id');
  });

  test('a trace whose ids are unique comes back as it is', () => {
    const spans = [root, client, child];
    assert.equal(uniqueSpanIds(spans), spans);
    assert.equal(planUniqueSpanIds(spans).empty, true);
  });

  test('a span adjusted alone, as a lookup reads it, is the span of the whole trace', () => {
    const spans = [root, client, server, child];
    const plan = planUniqueSpanIds(spans);
    const whole = uniqueSpanIds(spans);
    // A store reads the span again: another object, equal in content.
    const again = (s: Span): Span => ({ ...s, attributes: s.attributes.map((kv) => ({ ...kv })) });
    for (const s of spans) {
      const alone = plan.adjust(again(s));
      assert.deepEqual(
        alone,
        whole.find((w) => w.spanId === alone.spanId && w.kind === s.kind),
      );
    }
    const serverId = byService(whole, 'cart', SpanKind.Server).spanId;
    assert.equal(plan.originalOf(serverId), server.spanId);
    assert.equal(plan.originalOf(client.spanId), undefined);
  });
});
