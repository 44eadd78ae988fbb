import assert from 'node:assert/strict';
import { test } from 'node:test';
import { defaultTextMapGetter, defaultTextMapSetter, ROOT_CONTEXT, TraceFlags, trace } from '@opentelemetry/api';
import { B3Propagator, parseB3Single } from './b3-propagator.js';
import { isDebug } from './debug-context.js';

const TRACE = '80f198ee56343ba864fe8b2a57d3eff7';
const SPAN = 'e457b5a2e4d86bd1';
const extract = (headers: Record<string, string>) =>
  new B3Propagator().extract(ROOT_CONTEXT, headers, defaultTextMapGetter);

test('single header: full, short, 64-bit, debug; invalid forms', () => {
  assert.deepEqual(parseB3Single(`${TRACE}-${SPAN}-1-05e3ac9a4f6e3b90`), {
    traceId: TRACE,
    spanId: SPAN,
    sampled: true,
    debug: false,
  });
  assert.deepEqual(parseB3Single(`${TRACE}-${SPAN}`)?.sampled, false, 'deferred reads as not sampled');
  assert.equal(parseB3Single(`64fe8b2a57d3eff7-${SPAN}-0`)?.traceId, `0000000000000000${'64fe8b2a57d3eff7'}`);
  assert.deepEqual(parseB3Single(`${TRACE}-${SPAN}-d`)?.debug, true);
  for (const bad of [
    '0',
    '1',
    'd',
    `${TRACE}-${SPAN}-x`,
    `${TRACE.slice(2)}-${SPAN}-1`,
    `${TRACE}-${SPAN}-1-xyz`,
    `${'0'.repeat(32)}-${SPAN}-1`,
  ]) {
    assert.equal(parseB3Single(bad), undefined, bad);
  }
});

test('extract: single wins over multi; multi with legacy true/false and the debug flag', () => {
  const ctx = trace.getSpanContext(
    extract({ b3: `${TRACE}-${SPAN}-1`, 'x-b3-traceid': 'a'.repeat(32), 'x-b3-spanid': SPAN }),
  );
  assert.equal(ctx?.traceId, TRACE);
  assert.equal(ctx?.isRemote, true);
  const multi = trace.getSpanContext(extract({ 'X-B3-TraceId': TRACE, 'X-B3-SpanId': SPAN, 'X-B3-Sampled': 'true' }));
  assert.equal(multi?.traceFlags, TraceFlags.SAMPLED);
  const debugCtx = extract({ 'x-b3-traceid': TRACE, 'x-b3-spanid': SPAN, 'x-b3-flags': '1' });
  assert.equal(trace.getSpanContext(debugCtx)?.traceFlags, TraceFlags.SAMPLED);
  assert.equal(isDebug(debugCtx), true);
  assert.equal(
    trace.getSpanContext(extract({ 'x-b3-traceid': TRACE, 'x-b3-spanid': SPAN, 'x-b3-sampled': 'maybe' })),
    undefined,
  );
  assert.equal(trace.getSpanContext(extract({ 'x-b3-traceid': TRACE })), undefined);
});

test('inject: single by default, multi on request, debug carried', () => {
  const span = trace.wrapSpanContext({ traceId: TRACE, spanId: SPAN, traceFlags: TraceFlags.SAMPLED });
  const ctx = trace.setSpan(ROOT_CONTEXT, span);
  const single: Record<string, string> = {};
  new B3Propagator().inject(ctx, single, defaultTextMapSetter);
  assert.deepEqual(single, { b3: `${TRACE}-${SPAN}-1` });
  const multi: Record<string, string> = {};
  new B3Propagator({ injectEncoding: 'multi' }).inject(ctx, multi, defaultTextMapSetter);
  assert.deepEqual(multi, { 'x-b3-traceid': TRACE, 'x-b3-spanid': SPAN, 'x-b3-sampled': '1' });
  const debug = extract({ b3: `${TRACE}-${SPAN}-d` });
  const child = trace.setSpan(debug, span);
  const d1: Record<string, string> = {};
  new B3Propagator().inject(child, d1, defaultTextMapSetter);
  assert.deepEqual(d1, { b3: `${TRACE}-${SPAN}-d` });
  const d2: Record<string, string> = {};
  new B3Propagator({ injectEncoding: 'multi' }).inject(child, d2, defaultTextMapSetter);
  assert.deepEqual(d2, { 'x-b3-traceid': TRACE, 'x-b3-spanid': SPAN, 'x-b3-flags': '1' });
});
