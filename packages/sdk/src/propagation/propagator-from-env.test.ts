import assert from 'node:assert/strict';
import { test } from 'node:test';
import { defaultTextMapGetter, defaultTextMapSetter, propagation, ROOT_CONTEXT, trace } from '@opentelemetry/api';
import { propagatorFromEnv } from './propagator-from-env.js';

const TRACE = '0af7651916cd43dd8448eb211c80319c';
const SPAN = 'b7ad6b7169203331';

test('default is W3C trace context and baggage', () => {
  const propagator = propagatorFromEnv({});
  assert.deepEqual(propagator.fields(), ['traceparent', 'tracestate', 'baggage']);
  const ctx = propagator.extract(
    ROOT_CONTEXT,
    { traceparent: `00-${TRACE}-${SPAN}-01`, baggage: 'a=1' },
    defaultTextMapGetter,
  );
  assert.equal(trace.getSpanContext(ctx)?.traceId, TRACE);
  assert.equal(propagation.getBaggage(ctx)?.getEntry('a')?.value, '1');
});

test('OTEL_PROPAGATORS picks and orders; unknown names skipped; none disables', () => {
  const propagator = propagatorFromEnv({ OTEL_PROPAGATORS: ' b3 , jaeger,bogus,b3multi, tracecontext ' });
  const out: Record<string, string> = {};
  const span = trace.wrapSpanContext({ traceId: TRACE, spanId: SPAN, traceFlags: 1 });
  propagator.inject(trace.setSpan(ROOT_CONTEXT, span), out, defaultTextMapSetter);
  assert.deepEqual(Object.keys(out).sort(), [
    'b3',
    'traceparent',
    'uber-trace-id',
    'x-b3-sampled',
    'x-b3-spanid',
    'x-b3-traceid',
  ]);
  // Extraction runs in order; the last propagator that finds a context wins.
  const ctx = propagator.extract(
    ROOT_CONTEXT,
    { b3: `${'1'.repeat(32)}-${SPAN}-1`, traceparent: `00-${TRACE}-${SPAN}-01` },
    defaultTextMapGetter,
  );
  assert.equal(trace.getSpanContext(ctx)?.traceId, TRACE);
  assert.deepEqual(propagatorFromEnv({ OTEL_PROPAGATORS: 'none,tracecontext' }).fields(), []);
});
