import assert from 'node:assert/strict';
import { test } from 'node:test';
import { findAttribute, type Span, SpanKind, StatusCode } from '@ariadne/protocol';
import {
  SpanKind as ApiSpanKind,
  context,
  createContextKey,
  defaultTextMapSetter,
  ROOT_CONTEXT,
  type Sampler,
  SamplingDecision,
  SpanStatusCode,
  TraceFlags,
  trace,
} from '@opentelemetry/api';
import { AsyncLocalStorageContextManager } from '../context/async-local-storage-context-manager.js';
import { InMemorySpanExporter } from '../export/in-memory-span-exporter.js';
import { SimpleSpanProcessor } from '../processing/simple-span-processor.js';
import { JAEGER_DEBUG_ID_KEY } from '../propagation/debug-context.js';
import { W3cTraceState } from '../propagation/trace-state.js';
import { W3cTraceContextPropagator } from '../propagation/w3c-trace-context-propagator.js';
import { resourceFromAttributes } from '../resource/detect-resource.js';
import { AlwaysOffSampler } from '../sampling/always-off-sampler.js';
import { AlwaysOnSampler } from '../sampling/always-on-sampler.js';
import { nowNanos } from './clock.js';
import type { SpanLimits } from './span-limits.js';
import { AriadneTracerProvider } from './tracer-provider.js';

function setup(options: { sampler?: Sampler; spanLimits?: Partial<SpanLimits> } = {}) {
  const exporter = new InMemorySpanExporter();
  const provider = new AriadneTracerProvider({
    resource: resourceFromAttributes({ 'service.name': 'test' }),
    sampler: options.sampler ?? new AlwaysOnSampler(),
    spanLimits: options.spanLimits,
    spanProcessors: [new SimpleSpanProcessor(exporter)],
  });
  const tracer = provider.getTracer('lib', '1.2.3', { schemaUrl: 'https://opentelemetry.io/schemas/1.21.0' });
  const finished = (): readonly Span[] => exporter.spans;
  return { provider, tracer, finished };
}

test('a finished span becomes a domain Span with shared resource and scope', () => {
  const { provider, tracer, finished } = setup();
  const before = nowNanos();
  const a = tracer.startSpan('a', { kind: ApiSpanKind.SERVER, attributes: { 'http.method': 'GET' } });
  const b = tracer.startSpan('b');
  a.end();
  b.end();
  const after = nowNanos();
  const [sa, sb] = finished() as [Span, Span];
  assert.equal(sa.name, 'a');
  assert.equal(sa.kind, SpanKind.Server);
  assert.equal(sb.kind, SpanKind.Internal);
  assert.equal(sa.parentSpanId, '');
  assert.match(sa.traceId, /^[0-9a-f]{32}$/);
  assert.match(sa.spanId, /^[0-9a-f]{16}$/);
  assert.notEqual(sa.traceId, sb.traceId);
  assert.equal(sa.flags & 0xff, TraceFlags.SAMPLED);
  assert.equal(sa.flags & 0x100, 0x100, 'has-is-remote bit set');
  assert.ok(
    sa.startTimeUnixNano >= before && sa.endTimeUnixNano <= after && sa.startTimeUnixNano <= sa.endTimeUnixNano,
  );
  assert.deepEqual(findAttribute(sa.attributes, 'http.method'), { type: 'string', value: 'GET' });
  assert.equal(sa.resource, sb.resource, 'one resource object');
  assert.equal(sa.resource, provider.resource);
  assert.equal(sa.scope, sb.scope, 'one scope object');
  assert.deepEqual({ name: sa.scope.name, version: sa.scope.version }, { name: 'lib', version: '1.2.3' });
  assert.equal(provider.getTracer('lib', '1.2.3', { schemaUrl: 'https://opentelemetry.io/schemas/1.21.0' }), tracer);
  assert.notEqual(provider.getTracer('lib', '1.2.4'), tracer);
});

test('attribute types map to AnyValue; invalid keys and values are dropped silently; keys replace', () => {
  const { tracer, finished } = setup();
  const span = tracer.startSpan('s');
  span.setAttribute('s', 'x');
  span.setAttribute('i', 42);
  span.setAttribute('d', 1.5);
  span.setAttribute('b', true);
  span.setAttribute('arr', ['a', null as unknown as string, 'b']);
  span.setAttribute('nums', [1, 2.5]);
  span.setAttribute('', 'empty key');
  span.setAttribute('mixed', [1, 'a'] as unknown as string[]);
  span.setAttribute('obj', { a: 1 } as unknown as string);
  span.setAttribute('nil', undefined as unknown as string);
  span.setAttributes({ s: 'replaced', big: 2 ** 60 });
  span.end();
  const [s] = finished() as [Span];
  assert.deepEqual(
    s.attributes.map((a) => a.key),
    ['s', 'i', 'd', 'b', 'arr', 'nums', 'big'],
  );
  assert.deepEqual(findAttribute(s.attributes, 's'), { type: 'string', value: 'replaced' });
  assert.deepEqual(findAttribute(s.attributes, 'i'), { type: 'int', value: 42n });
  assert.deepEqual(findAttribute(s.attributes, 'd'), { type: 'double', value: 1.5 });
  assert.deepEqual(findAttribute(s.attributes, 'b'), { type: 'bool', value: true });
  assert.deepEqual(findAttribute(s.attributes, 'big'), { type: 'double', value: 2 ** 60 });
  assert.deepEqual(findAttribute(s.attributes, 'arr'), {
    type: 'array',
    value: [{ type: 'string', value: 'a' }, { type: 'empty' }, { type: 'string', value: 'b' }],
  });
  assert.deepEqual(findAttribute(s.attributes, 'nums'), {
    type: 'array',
    value: [
      { type: 'int', value: 1n },
      { type: 'double', value: 2.5 },
    ],
  });
  assert.equal(s.droppedAttributesCount, 0, 'invalid attributes are not counted as dropped');
});

test('count and length limits drop and count; replacing a key at the limit still works', () => {
  const { tracer, finished } = setup({
    spanLimits: {
      attributeCountLimit: 2,
      attributeValueLengthLimit: 3,
      eventCountLimit: 2,
      linkCountLimit: 1,
      attributePerEventCountLimit: 1,
      attributePerLinkCountLimit: 1,
    },
  });
  const span = tracer.startSpan('s');
  span.setAttributes({ a: 'abcdef', b: ['xyzw', 'q'], c: 1, d: 2 });
  span.setAttribute('a', 'ok');
  span.addEvent('e1', { x: 1, y: 2 });
  span.addEvent('e2');
  span.addEvent('e3');
  const linked = { traceId: 'a'.repeat(32), spanId: 'b'.repeat(16), traceFlags: 1 };
  span.addLink({ context: linked, attributes: { k: 1, l: 2 } });
  span.addLink({ context: { ...linked, spanId: 'c'.repeat(16) } });
  span.end();
  const [s] = finished() as [Span];
  assert.deepEqual(findAttribute(s.attributes, 'a'), { type: 'string', value: 'ok' });
  assert.deepEqual(findAttribute(s.attributes, 'b'), {
    type: 'array',
    value: [
      { type: 'string', value: 'xyz' },
      { type: 'string', value: 'q' },
    ],
  });
  assert.equal(s.attributes.length, 2);
  assert.equal(s.droppedAttributesCount, 2);
  assert.deepEqual(
    s.events.map((e) => e.name),
    ['e2', 'e3'],
    'the oldest event makes room, as in OTel',
  );
  assert.equal(s.droppedEventsCount, 1);
  assert.equal(s.links.length, 1);
  assert.equal(s.links[0]?.spanId, 'c'.repeat(16));
  assert.equal(s.droppedLinksCount, 1);
});

test('many attributes switch to an index without changing semantics', () => {
  const { tracer, finished } = setup();
  const span = tracer.startSpan('s');
  for (let i = 0; i < 40; i++) span.setAttribute(`k${i}`, i);
  for (let i = 0; i < 40; i += 2) span.setAttribute(`k${i}`, -i);
  span.end();
  const [s] = finished() as [Span];
  assert.equal(s.attributes.length, 40);
  assert.deepEqual(findAttribute(s.attributes, 'k38'), { type: 'int', value: -38n });
  assert.deepEqual(findAttribute(s.attributes, 'k39'), { type: 'int', value: 39n });
});

test('events take every TimeInput form; links carry trace state and remote flags', () => {
  const { tracer, finished } = setup();
  const span = tracer.startSpan('s', { startTime: new Date(1_700_000_000_000) });
  span.addEvent('hr', [1_700_000_001, 5]);
  span.addEvent('date', new Date(1_700_000_002_000));
  span.addEvent('millis', 1_700_000_003_000.25);
  span.addEvent('attrs-and-time', { a: 1 }, [1_700_000_004, 0]);
  const perf = performance.now();
  span.addEvent('perf', perf);
  span.addLink({
    context: {
      traceId: 'a'.repeat(32),
      spanId: 'b'.repeat(16),
      traceFlags: 1,
      isRemote: true,
      traceState: W3cTraceState.parse('k=v'),
    },
    attributes: { why: 'batch' },
  });
  span.end([1_700_000_005, 0]);
  const [s] = finished() as [Span];
  assert.equal(s.startTimeUnixNano, 1_700_000_000_000_000_000n);
  const times = Object.fromEntries(s.events.map((e) => [e.name, e.timeUnixNano]));
  assert.equal(times.hr, 1_700_000_001_000_000_005n);
  assert.equal(times.date, 1_700_000_002_000_000_000n);
  assert.equal(times.millis, 1_700_000_003_000_250_000n);
  assert.equal(times['attrs-and-time'], 1_700_000_004_000_000_000n);
  const perfNanos = BigInt(Math.round((performance.timeOrigin + perf) * 1e3)) * 1000n;
  assert.ok(((times.perf as bigint) - perfNanos) ** 2n < 10_000n ** 2n, 'performance.now() readings are anchored');
  assert.deepEqual(findAttribute(s.events[3]?.attributes ?? [], 'a'), { type: 'int', value: 1n });
  assert.equal(s.endTimeUnixNano, 1_700_000_005_000_000_000n);
  assert.deepEqual(s.links[0] && { ...s.links[0], attributes: s.links[0].attributes.length }, {
    traceId: 'a'.repeat(32),
    spanId: 'b'.repeat(16),
    traceState: 'k=v',
    attributes: 1,
    droppedAttributesCount: 0,
    flags: 0x301,
  });
});

test('status rules, updateName, recordException, end only once, no changes after end', () => {
  const { tracer, finished } = setup();
  const span = tracer.startSpan('old');
  span.setStatus({ code: SpanStatusCode.ERROR, message: 'boom' });
  span.setStatus({ code: SpanStatusCode.UNSET });
  span.updateName('new');
  const error = new TypeError('bad input');
  span.recordException(error);
  span.recordException({ code: 'ECONNRESET', message: 'reset' });
  span.recordException('plain text');
  assert.equal(span.isRecording(), true);
  span.end();
  assert.equal(span.isRecording(), false);
  span.end();
  span.setAttribute('late', 1);
  span.updateName('late');
  const [s] = finished() as [Span];
  assert.equal(finished().length, 1);
  assert.equal(s.name, 'new');
  assert.deepEqual(s.status, { code: StatusCode.Error, message: 'boom' });
  assert.equal(s.attributes.length, 0);
  const [e1, e2, e3] = s.events;
  assert.equal(e1?.name, 'exception');
  assert.deepEqual(findAttribute(e1?.attributes ?? [], 'exception.type'), { type: 'string', value: 'TypeError' });
  assert.deepEqual(findAttribute(e1?.attributes ?? [], 'exception.message'), { type: 'string', value: 'bad input' });
  assert.equal(findAttribute(e1?.attributes ?? [], 'exception.stacktrace')?.type, 'string');
  assert.deepEqual(findAttribute(e2?.attributes ?? [], 'exception.type'), { type: 'string', value: 'ECONNRESET' });
  assert.deepEqual(findAttribute(e3?.attributes ?? [], 'exception.message'), { type: 'string', value: 'plain text' });

  const ok = tracer.startSpan('ok');
  ok.setStatus({ code: SpanStatusCode.OK, message: 'ignored' });
  ok.setStatus({ code: SpanStatusCode.ERROR, message: 'too late' });
  ok.end();
  assert.deepEqual(finished()[1]?.status, { code: StatusCode.Ok, message: '' });
});

test('an end time before the start is clamped to the start', () => {
  const { tracer, finished } = setup();
  const span = tracer.startSpan('s', { startTime: [2000, 0] });
  span.end([1000, 0]);
  assert.equal(finished()[0]?.endTimeUnixNano, 2_000_000_000_000n);
});

test('children inherit trace id, parent id and trace state; root ignores the parent', () => {
  const { tracer, finished } = setup();
  const remote = trace.setSpanContext(ROOT_CONTEXT, {
    traceId: '0af7651916cd43dd8448eb211c80319c',
    spanId: 'b7ad6b7169203331',
    traceFlags: TraceFlags.SAMPLED,
    isRemote: true,
    traceState: W3cTraceState.parse('vendor=1'),
  });
  const child = tracer.startSpan('child', {}, remote);
  const grandchild = tracer.startSpan('grandchild', {}, trace.setSpan(remote, child));
  const root = tracer.startSpan('root', { root: true }, remote);
  grandchild.end();
  child.end();
  root.end();
  const [g, c, r] = finished() as [Span, Span, Span];
  assert.equal(c.traceId, '0af7651916cd43dd8448eb211c80319c');
  assert.equal(c.parentSpanId, 'b7ad6b7169203331');
  assert.equal(c.traceState, 'vendor=1');
  assert.equal(c.flags, 0x301, 'sampled, parent is remote');
  assert.equal(g.parentSpanId, c.spanId);
  assert.equal(g.flags, 0x101, 'sampled, parent is local');
  assert.notEqual(r.traceId, c.traceId);
  assert.equal(r.parentSpanId, '');
});

test('the W3C random-trace-id flag is kept by children in the same trace, set or unset, sampled or not', () => {
  const RANDOM = 0x02;
  for (const [sampler, parentFlags, expected] of [
    [new AlwaysOnSampler(), RANDOM, TraceFlags.SAMPLED | RANDOM],
    [new AlwaysOnSampler(), TraceFlags.SAMPLED | RANDOM, TraceFlags.SAMPLED | RANDOM],
    [new AlwaysOffSampler(), TraceFlags.SAMPLED | RANDOM, RANDOM],
    [new AlwaysOnSampler(), TraceFlags.SAMPLED, TraceFlags.SAMPLED],
    // Other bits have no meaning yet: the spec asks for them as 0 on the way out.
    [new AlwaysOnSampler(), 0xfc | TraceFlags.SAMPLED, TraceFlags.SAMPLED],
  ] as const) {
    const { tracer } = setup({ sampler });
    const remote = trace.setSpanContext(ROOT_CONTEXT, {
      traceId: '0af7651916cd43dd8448eb211c80319c',
      spanId: 'b7ad6b7169203331',
      traceFlags: parentFlags,
      isRemote: true,
    });
    const child = tracer.startSpan('child', {}, remote);
    assert.equal(child.spanContext().traceFlags, expected, `parent flags ${parentFlags.toString(16)}`);
    const grandchild = tracer.startSpan('grandchild', {}, trace.setSpan(remote, child));
    assert.equal(grandchild.spanContext().traceFlags, expected);
  }
});

test('unsampled spans are non-recording but carry a valid context; suppressed tracing gives an invalid one', () => {
  const { tracer, finished } = setup({ sampler: new AlwaysOffSampler() });
  const span = tracer.startSpan('s');
  assert.equal(span.isRecording(), false);
  assert.equal(trace.isSpanContextValid(span.spanContext()), true);
  assert.equal(span.spanContext().traceFlags, TraceFlags.NONE);
  span.end();
  assert.equal(finished().length, 0);
  const suppressed = ROOT_CONTEXT.setValue(createContextKey('OpenTelemetry SDK Context Key SUPPRESS_TRACING'), true);
  const quiet = setup().tracer.startSpan('q', {}, suppressed);
  assert.equal(trace.isSpanContextValid(quiet.spanContext()), false);
});

test('a sampler can add attributes and replace the trace state; RECORD_ONLY spans are not exported', () => {
  const sampler: Sampler = {
    shouldSample: (_c, _t, name) =>
      name === 'keep'
        ? {
            decision: SamplingDecision.RECORD_AND_SAMPLED,
            attributes: { 'sampler.rule': 'keep' },
            traceState: W3cTraceState.parse('s=1'),
          }
        : { decision: SamplingDecision.RECORD },
  };
  const { tracer, finished } = setup({ sampler });
  const recordOnly = tracer.startSpan('record-only');
  assert.equal(recordOnly.isRecording(), true);
  recordOnly.end();
  tracer.startSpan('keep').end();
  assert.equal(finished().length, 1);
  assert.deepEqual(findAttribute(finished()[0]?.attributes ?? [], 'sampler.rule'), { type: 'string', value: 'keep' });
  assert.equal(finished()[0]?.traceState, 's=1');
});

test('a jaeger-debug-id in the context forces a sampled root tagged with the id', () => {
  const { tracer, finished } = setup({ sampler: new AlwaysOffSampler() });
  const ctx = ROOT_CONTEXT.setValue(JAEGER_DEBUG_ID_KEY, 'debug-123');
  const span = tracer.startSpan('debug-root', {}, ctx);
  assert.equal(span.isRecording(), true);
  span.end();
  const [s] = finished() as [Span];
  assert.equal(s.flags & 1, 1);
  assert.deepEqual(findAttribute(s.attributes, 'jaeger-debug-id'), { type: 'string', value: 'debug-123' });
});

test('startActiveSpan: every overload, the span is active inside and the result is returned', () => {
  const manager = new AsyncLocalStorageContextManager();
  context.setGlobalContextManager(manager);
  try {
    const { tracer, finished } = setup();
    const key = createContextKey('k');
    const r1 = tracer.startActiveSpan('one', (span) => {
      assert.equal(trace.getActiveSpan(), span);
      span.end();
      return 1;
    });
    const r2 = tracer.startActiveSpan('two', { kind: ApiSpanKind.CLIENT }, (span) => {
      span.end();
      return 2;
    });
    const r3 = tracer.startActiveSpan('three', {}, ROOT_CONTEXT.setValue(key, 'v'), (span) => {
      assert.equal(context.active().getValue(key), 'v');
      span.end();
      return 3;
    });
    assert.deepEqual([r1, r2, r3], [1, 2, 3]);
    assert.equal(finished()[1]?.kind, SpanKind.Client);
    assert.equal(trace.getActiveSpan(), undefined);
  } finally {
    context.disable();
  }
});

test('a span whose ids are invalid (a custom generator) parents nothing and is not injected; valid ones are', () => {
  const exporter = new InMemorySpanExporter();
  let spans = 0;
  const provider = new AriadneTracerProvider({
    resource: resourceFromAttributes({ 'service.name': 'test' }),
    sampler: new AlwaysOnSampler(),
    spanProcessors: [new SimpleSpanProcessor(exporter)],
    // Every other span id is all zeros, which W3C and OTLP call invalid.
    idGenerator: {
      generateTraceId: () => '0af7651916cd43dd8448eb211c80319c',
      generateSpanId: () => (spans++ % 2 === 0 ? '0000000000000000' : 'b7ad6b7169203331'),
    },
  });
  const tracer = provider.getTracer('lib');
  const propagator = new W3cTraceContextPropagator();
  const invalid = tracer.startSpan('invalid');
  const underInvalid = tracer.startSpan('under-invalid', {}, trace.setSpan(ROOT_CONTEXT, invalid));
  const carrier: Record<string, string> = {};
  propagator.inject(trace.setSpan(ROOT_CONTEXT, invalid), carrier, defaultTextMapSetter);
  assert.deepEqual(carrier, {});
  propagator.inject(trace.setSpan(ROOT_CONTEXT, underInvalid), carrier, defaultTextMapSetter);
  assert.equal(carrier.traceparent, '00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01');
  underInvalid.end();
  invalid.end();
  assert.equal(exporter.spans[0]?.parentSpanId, '', 'a parent with invalid ids starts a new trace');
});

test('spans nested with startActiveSpan parent each other and keep the values of the outer context', () => {
  const manager = new AsyncLocalStorageContextManager();
  context.setGlobalContextManager(manager);
  try {
    const { tracer, finished } = setup();
    const key = createContextKey('k');
    const outer = ROOT_CONTEXT.setValue(key, 'v');
    tracer.startActiveSpan('a', {}, outer, (a) => {
      tracer.startActiveSpan('b', (b) => {
        assert.equal(context.active().getValue(key), 'v');
        assert.equal(trace.getActiveSpan(), b);
        const carrier: Record<string, string> = {};
        new W3cTraceContextPropagator().inject(context.active(), carrier, defaultTextMapSetter);
        assert.equal(carrier.traceparent, `00-${b.spanContext().traceId}-${b.spanContext().spanId}-01`);
        tracer.startSpan('root', { root: true }).end();
        b.end();
      });
      a.end();
    });
    const [root, b, a] = finished() as [Span, Span, Span];
    assert.equal(b.parentSpanId, a.spanId);
    assert.equal(b.traceId, a.traceId);
    assert.equal(root.parentSpanId, '');
    assert.notEqual(root.traceId, a.traceId);
  } finally {
    context.disable();
  }
});
