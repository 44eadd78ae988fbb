import assert from 'node:assert/strict';
import { test } from 'node:test';
import {
  createContextKey,
  defaultTextMapGetter,
  defaultTextMapSetter,
  ROOT_CONTEXT,
  TraceFlags,
  trace,
} from '@opentelemetry/api';
import { W3cTraceState } from './trace-state.js';
import { parseTraceParent, W3cTraceContextPropagator } from './w3c-trace-context-propagator.js';

const propagator = new W3cTraceContextPropagator();
const TRACE = '0af7651916cd43dd8448eb211c80319c';
const SPAN = 'b7ad6b7169203331';
const VALID = `00-${TRACE}-${SPAN}-01`;

const extract = (headers: Record<string, string | string[]>) =>
  trace.getSpanContext(propagator.extract(ROOT_CONTEXT, headers, defaultTextMapGetter));

test('traceparent: valid version 00 and future versions', () => {
  assert.deepEqual(parseTraceParent(VALID), { traceId: TRACE, spanId: SPAN, traceFlags: 1 });
  assert.deepEqual(parseTraceParent(`00-${TRACE}-${SPAN}-00`)?.traceFlags, 0);
  assert.deepEqual(parseTraceParent(`00-${TRACE}-${SPAN}-03`)?.traceFlags, 3, 'unknown flags are kept');
  assert.deepEqual(parseTraceParent(` ${VALID}\t`)?.traceId, TRACE, 'surrounding OWS is tolerated');
  assert.deepEqual(parseTraceParent(`cc-${TRACE}-${SPAN}-01`)?.spanId, SPAN, 'future version, exact length');
  assert.deepEqual(parseTraceParent(`cc-${TRACE}-${SPAN}-01-what-the-future-holds`)?.traceFlags, 1);
});

test('traceparent: invalid values', () => {
  const invalid = [
    `ff-${TRACE}-${SPAN}-01`,
    `0-${TRACE}-${SPAN}-01`,
    `00-${TRACE}-${SPAN}-01-extra`,
    `00-${TRACE}-${SPAN}-01 x`,
    `cc-${TRACE}-${SPAN}-01.more`,
    `00-${'0'.repeat(32)}-${SPAN}-01`,
    `00-${TRACE}-${'0'.repeat(16)}-01`,
    `00-${TRACE.toUpperCase()}-${SPAN}-01`,
    `00-${TRACE}-${SPAN.toUpperCase()}-01`,
    `00-${TRACE}-${SPAN}-0g`,
    `00-${TRACE}-${SPAN}-1`,
    `00_${TRACE}_${SPAN}_01`,
    `00-${TRACE.slice(1)}-${SPAN}0-01`,
    `0g-${TRACE}-${SPAN}-01`,
    '',
    'garbage',
  ];
  for (const value of invalid) assert.equal(parseTraceParent(value), undefined, value);
});

test('extract: remote span context with trace state; header names are case-insensitive', () => {
  const ctx = extract({ TraceParent: VALID, TraceState: 'congo=t61rcWkgMzE,rojo=00f067aa0ba902b7' });
  assert.equal(ctx?.traceId, TRACE);
  assert.equal(ctx?.spanId, SPAN);
  assert.equal(ctx?.traceFlags, TraceFlags.SAMPLED);
  assert.equal(ctx?.isRemote, true);
  assert.equal(ctx?.traceState?.get('rojo'), '00f067aa0ba902b7');
  assert.equal(ctx?.traceState?.serialize(), 'congo=t61rcWkgMzE,rojo=00f067aa0ba902b7');
});

test('extract: an invalid or repeated traceparent leaves the context alone', () => {
  assert.equal(extract({ traceparent: `00-${TRACE}-${SPAN}-0x` }), undefined);
  assert.equal(extract({ traceparent: [VALID, VALID] }), undefined);
  assert.equal(extract({}), undefined);
});

test('tracestate: several headers are combined in order; empty members and headers are allowed', () => {
  const ctx = extract({ traceparent: VALID, tracestate: ['a=1, ,b=2', 'c=3', '', 'rojo=00f067aa0ba902b7'] });
  assert.equal(ctx?.traceState?.serialize(), 'a=1,b=2,c=3,rojo=00f067aa0ba902b7');
  assert.equal(extract({ traceparent: VALID, tracestate: '' })?.traceState, undefined, 'nothing to pass on');
});

test('tracestate: any invalid member, or a 33rd, discards the whole tracestate but not the traceparent', () => {
  const members = (from: number, to: number) =>
    Array.from({ length: to - from + 1 }, (_, i) => `k${from + i}=v`).join(',');
  const bad: (string | string[])[] = [
    'a=1,B=2',
    'a=1,b',
    'a=1,=2',
    'a=1,b=x=y',
    'a=1,b=has\ttab',
    'a=1,b=caf\u00e9',
    '@foo=1,bar=2',
    'foo.bar=1',
    `${'k'.repeat(257)}=1`,
    `a=${'v'.repeat(257)}`,
    members(1, 33),
    // Each header is valid alone; combined they are 33 members, or hold an invalid one.
    [members(1, 20), members(21, 33)],
    ['a=1', 'B=2'],
  ];
  for (const tracestate of bad) {
    const ctx = extract({ traceparent: VALID, tracestate });
    assert.equal(ctx?.traceId, TRACE, String(tracestate));
    assert.equal(ctx?.spanId, SPAN, String(tracestate));
    assert.equal(ctx?.traceState, undefined, String(tracestate));
  }
  const tenantKey = `${'t'.repeat(241)}@${'v'.repeat(14)}`;
  const good: [string | string[], string][] = [
    [members(1, 32), members(1, 32)],
    [[members(1, 10), members(11, 20), members(21, 30), members(31, 32)], members(1, 32)],
    ['1abc@sys=x', '1abc@sys=x'],
    ['a/b*c_d-e=val with spaces', 'a/b*c_d-e=val with spaces'],
    [`${'k'.repeat(256)}=1`, `${'k'.repeat(256)}=1`],
    [['foo=1', `${tenantKey}=1`], `foo=1,${tenantKey}=1`],
    [['foo=1', `${'t'.repeat(242)}@v=1`], `foo=1,${'t'.repeat(242)}@v=1`],
    [`a=${'v'.repeat(256)}`, `a=${'v'.repeat(256)}`],
    ['foo@=1,bar=2', 'foo@=1,bar=2'],
    ['foo@@bar=1,bar=2', 'foo@@bar=1,bar=2'],
    ['foo@bar@baz=1,bar=2', 'foo@bar@baz=1,bar=2'],
  ];
  for (const [tracestate, expected] of good) {
    assert.equal(extract({ traceparent: VALID, tracestate })?.traceState?.serialize(), expected, String(tracestate));
  }
});

test('tracestate: duplicated keys, in one header or across several, are inherited as received', () => {
  for (const tracestate of ['foo=1,foo=1', 'foo=1,foo=2', ['foo=1', 'foo=1'], ['foo=1', 'foo=2']]) {
    const ctx = extract({ traceparent: VALID, tracestate });
    assert.equal(ctx?.traceId, TRACE);
    assert.equal(ctx?.traceState?.serialize(), [tracestate].flat().join(','), String(tracestate));
    assert.equal(ctx?.traceState?.get('foo'), '1');
  }
});

test('tracestate without a valid traceparent is not extracted', () => {
  assert.equal(extract({ tracestate: 'foo=1' }), undefined);
  assert.equal(extract({ traceparent: `00-${TRACE}-${SPAN}-0x`, tracestate: 'foo=1' }), undefined);
});

test('inject: traceparent and tracestate, nothing for invalid contexts or suppressed tracing', () => {
  const span = trace.wrapSpanContext({
    traceId: TRACE,
    spanId: SPAN,
    traceFlags: TraceFlags.SAMPLED,
    traceState: W3cTraceState.parse('a=1'),
  });
  const carrier: Record<string, string> = {};
  propagator.inject(trace.setSpan(ROOT_CONTEXT, span), carrier, defaultTextMapSetter);
  assert.deepEqual(carrier, { traceparent: VALID, tracestate: 'a=1' });
  const unsampled: Record<string, string> = {};
  const plain = trace.wrapSpanContext({ traceId: TRACE, spanId: SPAN, traceFlags: 0 });
  propagator.inject(trace.setSpan(ROOT_CONTEXT, plain), unsampled, defaultTextMapSetter);
  assert.deepEqual(unsampled, { traceparent: `00-${TRACE}-${SPAN}-00` });
  const none: Record<string, string> = {};
  propagator.inject(ROOT_CONTEXT, none, defaultTextMapSetter);
  const invalid = trace.wrapSpanContext({ traceId: '0'.repeat(32), spanId: SPAN, traceFlags: 1 });
  propagator.inject(trace.setSpan(ROOT_CONTEXT, invalid), none, defaultTextMapSetter);
  const suppressed = trace
    .setSpan(ROOT_CONTEXT, span)
    .setValue(createContextKey('OpenTelemetry SDK Context Key SUPPRESS_TRACING'), true);
  propagator.inject(suppressed, none, defaultTextMapSetter);
  assert.deepEqual(none, {});
  assert.deepEqual(propagator.fields(), ['traceparent', 'tracestate']);
});
