import assert from 'node:assert/strict';
import { test } from 'node:test';
import { decodeOtlpTraceRequestProto } from '@ariadne/protocol';
import { OtlpHttpExporter } from '../export/otlp-http-exporter.js';
import { testHttpEndpoint } from '../export/test-http-endpoint.js';
import { SimpleSpanProcessor } from '../processing/simple-span-processor.js';
import { resourceFromAttributes } from '../resource/detect-resource.js';
import { DEFAULT_SPAN_LIMITS, resolveSpanLimits } from './span-limits.js';
import { AriadneTracerProvider } from './tracer-provider.js';

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

test('OTEL_EVENT_ATTRIBUTE_COUNT_LIMIT and OTEL_LINK_ATTRIBUTE_COUNT_LIMIT: what is cut is counted on the wire', async () => {
  const env = {
    OTEL_ATTRIBUTE_COUNT_LIMIT: '50',
    OTEL_EVENT_ATTRIBUTE_COUNT_LIMIT: '2',
    OTEL_LINK_ATTRIBUTE_COUNT_LIMIT: '1',
  };
  assert.deepEqual(resolveSpanLimits({}, env), {
    ...DEFAULT_SPAN_LIMITS,
    attributeCountLimit: 50,
    attributePerEventCountLimit: 2,
    attributePerLinkCountLimit: 1,
  });
  const aliased = resolveSpanLimits(
    {},
    { OTEL_SPAN_ATTRIBUTE_PER_EVENT_COUNT_LIMIT: '3', OTEL_SPAN_ATTRIBUTE_PER_LINK_COUNT_LIMIT: '4' },
  );
  assert.deepEqual([aliased.attributePerEventCountLimit, aliased.attributePerLinkCountLimit], [3, 4]);
  // The provider reads the process's variables, as an application configured from outside would set them.
  const saved = Object.keys(env).map((name) => [name, process.env[name]] as const);
  Object.assign(process.env, env);
  const endpoint = await testHttpEndpoint([{ status: 200 }]);
  try {
    const provider = new AriadneTracerProvider({
      resource: resourceFromAttributes({ 'service.name': 'limits' }),
      spanProcessors: [new SimpleSpanProcessor(new OtlpHttpExporter({ url: `${endpoint.base}/v1/traces`, env: {} }))],
    });
    const link = {
      context: { traceId: 'a'.repeat(32), spanId: 'b'.repeat(16), traceFlags: 1 },
      attributes: { k: 1, l: 2, m: 3 },
    };
    const span = provider.getTracer('t').startSpan('s', { links: [link] });
    span.addEvent('e', { x: 1, y: 2, z: 3, w: 4 });
    span.end();
    await provider.shutdown();
    const [sent] = decodeOtlpTraceRequestProto(endpoint.received[0]?.body as Buffer).spans;
    assert.deepEqual([sent?.events[0]?.attributes.length, sent?.events[0]?.droppedAttributesCount], [2, 2]);
    assert.deepEqual([sent?.links[0]?.attributes.length, sent?.links[0]?.droppedAttributesCount], [1, 2]);
  } finally {
    for (const [name, value] of saved) {
      if (value === undefined) delete process.env[name];
      else process.env[name] = value;
    }
    await endpoint.close();
  }
});
