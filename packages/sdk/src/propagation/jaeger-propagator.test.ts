import assert from 'node:assert/strict';
import { test } from 'node:test';
import { findAttribute } from '@ariadne/protocol';
import { defaultTextMapGetter, defaultTextMapSetter, propagation, ROOT_CONTEXT, trace } from '@opentelemetry/api';
import { InMemorySpanExporter } from '../export/in-memory-span-exporter.js';
import { SimpleSpanProcessor } from '../processing/simple-span-processor.js';
import { AlwaysOffSampler } from '../sampling/always-off-sampler.js';
import { ParentBasedSampler } from '../sampling/parent-based-sampler.js';
import { AriadneTracerProvider } from '../trace/tracer-provider.js';
import { getJaegerDebugId, isDebug } from './debug-context.js';
import { JaegerPropagator, parseUberTraceId } from './jaeger-propagator.js';

const propagator = new JaegerPropagator();

test('uber-trace-id: 64- and 128-bit ids, short ids padded, flags, URL-encoding', () => {
  assert.deepEqual(parseUberTraceId('4bf92f3577b34da6a3ce929d0e0e4736:00f067aa0ba902b7:0:1'), {
    traceId: '4bf92f3577b34da6a3ce929d0e0e4736',
    spanId: '00f067aa0ba902b7',
    sampled: true,
    debug: false,
  });
  assert.deepEqual(parseUberTraceId('a3ce929d0e0e4736:f067aa0ba902b7:0:0'), {
    traceId: '0000000000000000a3ce929d0e0e4736',
    spanId: '00f067aa0ba902b7',
    sampled: false,
    debug: false,
  });
  assert.deepEqual(parseUberTraceId('A3CE929D0E0E4736%3A1%3A0%3A3'), {
    traceId: '0000000000000000a3ce929d0e0e4736',
    spanId: '0000000000000001',
    sampled: true,
    debug: true,
  });
  assert.equal(parseUberTraceId('1:1:0:2')?.sampled, true, 'debug implies sampled');
  for (const bad of [
    '0:1:0:1',
    '1:0:0:1',
    '1:1:0',
    '1:1:0:1:1',
    'x:1:0:1',
    `${'1'.repeat(33)}:1:0:1`,
    `1:${'1'.repeat(17)}:0:1`,
    '1:1:0:001',
    '1:1:0:',
    ':1:0:1',
    '1:1:0:zz',
    '%E0%A4%A',
  ]) {
    assert.equal(parseUberTraceId(bad), undefined, bad);
  }
});

test('extract and inject round trip with uberctx baggage', () => {
  const ctx = propagator.extract(
    ROOT_CONTEXT,
    {
      'Uber-Trace-Id': 'a3ce929d0e0e4736:00f067aa0ba902b7:0:1',
      'uberctx-user': 'alice%20smith',
      'UBERCTX-Tier': 'gold',
    },
    defaultTextMapGetter,
  );
  const spanContext = trace.getSpanContext(ctx);
  assert.equal(spanContext?.traceId, '0000000000000000a3ce929d0e0e4736');
  assert.equal(spanContext?.isRemote, true);
  assert.equal(propagation.getBaggage(ctx)?.getEntry('user')?.value, 'alice smith');
  assert.equal(propagation.getBaggage(ctx)?.getEntry('tier')?.value, 'gold');
  const out: Record<string, string> = {};
  propagator.inject(ctx, out, defaultTextMapSetter);
  assert.deepEqual(out, {
    'uber-trace-id': '0000000000000000a3ce929d0e0e4736:00f067aa0ba902b7:0:1',
    'uberctx-user': 'alice%20smith',
    'uberctx-tier': 'gold',
  });
  const debugCtx = propagator.extract(ROOT_CONTEXT, { 'uber-trace-id': '1:2:0:3' }, defaultTextMapGetter);
  assert.equal(isDebug(debugCtx), true);
  const debugOut: Record<string, string> = {};
  propagator.inject(debugCtx, debugOut, defaultTextMapSetter);
  assert.equal(debugOut['uber-trace-id']?.endsWith(':0:3'), true);
});

test('jaeger-debug-id starts a sampled debug trace tagged with the id even when the sampler samples nothing', () => {
  const ctx = propagator.extract(ROOT_CONTEXT, { 'jaeger-debug-id': 'my-debug-1' }, defaultTextMapGetter);
  assert.equal(getJaegerDebugId(ctx), 'my-debug-1');
  assert.equal(trace.getSpanContext(ctx), undefined);
  const exporter = new InMemorySpanExporter();
  const provider = new AriadneTracerProvider({
    sampler: new ParentBasedSampler({ root: new AlwaysOffSampler() }),
    spanProcessors: [new SimpleSpanProcessor(exporter)],
  });
  const tracer = provider.getTracer('t');
  const root = tracer.startSpan('root', {}, ctx);
  const child = tracer.startSpan('child', {}, trace.setSpan(ctx, root));
  const out: Record<string, string> = {};
  propagator.inject(trace.setSpan(ctx, child), out, defaultTextMapSetter);
  child.end();
  root.end();
  assert.equal(exporter.spans.length, 2);
  const rootSpan = exporter.spans[1];
  assert.deepEqual(findAttribute(rootSpan?.attributes ?? [], 'jaeger-debug-id'), {
    type: 'string',
    value: 'my-debug-1',
  });
  assert.equal(findAttribute(exporter.spans[0]?.attributes ?? [], 'jaeger-debug-id'), undefined, 'only the root');
  assert.match(out['uber-trace-id'] ?? '', /:3$/, 'sent on as sampled + debug');
  // With a trace id present, the debug id is ignored (Jaeger clients do the same).
  const withTrace = propagator.extract(
    ROOT_CONTEXT,
    { 'uber-trace-id': '1:2:0:0', 'jaeger-debug-id': 'x' },
    defaultTextMapGetter,
  );
  assert.equal(getJaegerDebugId(withTrace), undefined);
  assert.equal(tracer.startSpan('unsampled', {}, withTrace).isRecording(), false);
});
