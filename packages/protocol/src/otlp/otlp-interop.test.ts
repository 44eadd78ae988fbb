import assert from 'node:assert/strict';
import { test } from 'node:test';
import {
  type Attributes as OtelAttributes,
  SpanKind as OtelSpanKind,
  ROOT_CONTEXT,
  SpanStatusCode,
  trace,
} from '@opentelemetry/api';
import { hrTimeToNanoseconds, TraceState } from '@opentelemetry/core';
import { JsonTraceSerializer, ProtobufTraceSerializer } from '@opentelemetry/otlp-transformer';
import { resourceFromAttributes } from '@opentelemetry/resources';
import {
  BasicTracerProvider,
  InMemorySpanExporter,
  type ReadableSpan,
  SimpleSpanProcessor,
} from '@opentelemetry/sdk-trace-base';
import type { AnyValue, Attributes } from '../model/any-value.js';
import type { Span, StatusCode } from '../model/span.js';
import { decodeOtlpTraceRequestJson } from './decode-otlp-json.js';
import { decodeOtlpTraceRequestProto } from './decode-otlp-proto.js';
import { encodeOtlpTraceRequestProto } from './encode-otlp-proto.js';
import {
  encodeOtlpTraceResponseJson,
  encodeOtlpTraceResponseProto,
  encodeRpcStatusJson,
  encodeRpcStatusProto,
} from './otlp-response.js';

/** Spans made by the real OpenTelemetry SDK, covering what its API can express. */
function otelSpans(): ReadableSpan[] {
  const exporter = new InMemorySpanExporter();
  const provider = new BasicTracerProvider({
    resource: resourceFromAttributes({ 'service.name': 'interop', 'service.version': '1.0', 'host.cpus': 8 }),
    spanProcessors: [new SimpleSpanProcessor(exporter)],
  });
  const tracer = provider.getTracer('interop-scope', '9.9.9');
  const otherTracer = provider.getTracer('other-scope');
  const remoteParent = trace.setSpanContext(ROOT_CONTEXT, {
    traceId: '0af7651916cd43dd8448eb211c80319c',
    spanId: '00f067aa0ba902b7',
    traceFlags: 1,
    isRemote: true,
    traceState: new TraceState('rojo=00f067aa0ba902b7,congo=t61rcWkgMzE'),
  });
  const server = tracer.startSpan(
    'GET /ünïcode',
    {
      kind: OtelSpanKind.SERVER,
      startTime: [1732000000, 123456789],
      attributes: {
        'http.method': 'GET',
        'http.status_code': 200,
        'negative.int': -7,
        ratio: 0.25,
        ok: true,
        empty: '',
        tags: ['a', 'b', ''],
        numbers: [1, 2, 3],
        unicode: '日本 ✓ 𝄞',
      },
      links: [
        {
          context: { traceId: 'ffffffffffffffffffffffffffffffff', spanId: '0000000000000001', traceFlags: 0 },
          attributes: { 'link.kind': 'follows' },
        },
      ],
    },
    remoteParent,
  );
  server.addEvent('exception', { 'exception.message': 'boom "quoted"' }, [1732000000, 200000000]);
  server.addEvent('bare', undefined, [1732000000, 300000000]);
  const child = otherTracer.startSpan(
    'db query',
    { kind: OtelSpanKind.CLIENT, startTime: [1732000000, 150000000] },
    trace.setSpan(ROOT_CONTEXT, server),
  );
  child.setStatus({ code: SpanStatusCode.OK });
  child.end([1732000000, 160000000]);
  server.setStatus({ code: SpanStatusCode.ERROR, message: 'it broke' });
  server.end([1732000001, 0]);
  const root = tracer.startSpan('internal root', { startTime: [1732000002, 0] });
  root.end([1732000002, 5]);
  return exporter.getFinishedSpans();
}

function toAnyValue(value: unknown): AnyValue {
  if (typeof value === 'string') return { type: 'string', value };
  if (typeof value === 'boolean') return { type: 'bool', value };
  if (typeof value === 'number') {
    return Number.isInteger(value) ? { type: 'int', value: BigInt(value) } : { type: 'double', value };
  }
  if (Array.isArray(value)) return { type: 'array', value: value.map(toAnyValue) };
  return { type: 'empty' };
}

function toAttributes(attributes: OtelAttributes | undefined): Attributes {
  return Object.entries(attributes ?? {}).map(([key, value]) => ({ key, value: toAnyValue(value) }));
}

/** What each ReadableSpan must decode to, written from the OTLP spec rather than from our encoder. */
function expectedSpan(span: ReadableSpan): Omit<Span, 'resource' | 'scope'> {
  const context = span.spanContext();
  const parent = span.parentSpanContext;
  return {
    traceId: context.traceId,
    spanId: context.spanId,
    parentSpanId: parent?.spanId ?? '',
    traceState: context.traceState?.serialize() ?? '',
    // OTLP: W3C flags in the low byte, then HAS_IS_REMOTE (0x100) and IS_REMOTE (0x200) for the parent.
    flags: context.traceFlags | 0x100 | (parent?.isRemote ? 0x200 : 0),
    name: span.name,
    kind: span.kind + 1,
    startTimeUnixNano: BigInt(span.startTime[0]) * 1_000_000_000n + BigInt(span.startTime[1]),
    endTimeUnixNano: BigInt(span.endTime[0]) * 1_000_000_000n + BigInt(span.endTime[1]),
    attributes: toAttributes(span.attributes),
    droppedAttributesCount: span.droppedAttributesCount,
    events: span.events.map((event) => ({
      timeUnixNano: BigInt(hrTimeToNanoseconds(event.time)),
      name: event.name,
      attributes: toAttributes(event.attributes),
      droppedAttributesCount: event.droppedAttributesCount ?? 0,
    })),
    droppedEventsCount: span.droppedEventsCount,
    links: span.links.map((link) => ({
      traceId: link.context.traceId,
      spanId: link.context.spanId,
      traceState: link.context.traceState?.serialize() ?? '',
      attributes: toAttributes(link.attributes),
      droppedAttributesCount: link.droppedAttributesCount ?? 0,
      flags: link.context.traceFlags | 0x100 | (link.context.isRemote ? 0x200 : 0),
    })),
    droppedLinksCount: span.droppedLinksCount,
    // API and OTLP share the status code numbers.
    status: { code: span.status.code as number as StatusCode, message: span.status.message ?? '' },
  };
}

function assertMatchesOtel(decoded: Span[], otel: ReadableSpan[]): void {
  assert.equal(decoded.length, otel.length);
  const bySpanId = new Map(decoded.map((span) => [span.spanId, span]));
  for (const span of otel) {
    const got = bySpanId.get(span.spanContext().spanId);
    assert.ok(got, `span ${span.name} missing`);
    const { resource, scope, ...rest } = got;
    assert.deepStrictEqual(rest, expectedSpan(span), span.name);
    assert.deepStrictEqual(resource, { attributes: toAttributes(span.resource.attributes), droppedAttributesCount: 0 });
    assert.equal(scope.name, span.instrumentationScope.name);
    assert.equal(scope.version, span.instrumentationScope.version ?? '');
  }
  // One tracer provider: one resource object for every span.
  assert.equal(new Set(decoded.map((span) => span.resource)).size, 1);
  assert.equal(new Set(decoded.map((span) => span.scope)).size, 2);
}

test('decodes what the OpenTelemetry JS protobuf serializer writes, field by field', () => {
  const otel = otelSpans();
  const bytes = ProtobufTraceSerializer.serializeRequest(otel);
  assert.ok(bytes);
  const decoded = decodeOtlpTraceRequestProto(bytes);
  assert.equal(decoded.rejectedSpans, 0);
  assertMatchesOtel(decoded.spans, otel);
});

test('decodes what the OpenTelemetry JS JSON serializer writes, field by field', () => {
  const otel = otelSpans();
  const bytes = JsonTraceSerializer.serializeRequest(otel);
  assert.ok(bytes);
  const decoded = decodeOtlpTraceRequestJson(bytes);
  assert.equal(decoded.rejectedSpans, 0);
  assertMatchesOtel(decoded.spans, otel);
});

test('re-encoding OpenTelemetry spans gives back the same spans', () => {
  const fromOtel = decodeOtlpTraceRequestProto(ProtobufTraceSerializer.serializeRequest(otelSpans())!).spans;
  assert.deepStrictEqual(decodeOtlpTraceRequestProto(encodeOtlpTraceRequestProto(fromOtel)).spans, fromOtel);
});

test('the OpenTelemetry JS exporters read our responses', () => {
  const partial = { rejectedSpans: 3, errorMessage: 'span rejected: span id is all zeros' };
  assert.deepStrictEqual(ProtobufTraceSerializer.deserializeResponse(encodeOtlpTraceResponseProto(partial)), {
    partialSuccess: partial,
  });
  assert.deepStrictEqual(ProtobufTraceSerializer.deserializeResponse(encodeOtlpTraceResponseProto()), {});
  assert.equal(encodeOtlpTraceResponseProto({ rejectedSpans: 0, errorMessage: '' }).length, 0);
  const json = JsonTraceSerializer.deserializeResponse(new TextEncoder().encode(encodeOtlpTraceResponseJson(partial)));
  assert.deepStrictEqual(json, { partialSuccess: { rejectedSpans: '3', errorMessage: partial.errorMessage } });
  assert.equal(encodeOtlpTraceResponseJson(), '{}');
  assert.equal(
    encodeOtlpTraceResponseJson({ rejectedSpans: 0, errorMessage: 'warning only' }),
    '{"partialSuccess":{"errorMessage":"warning only"}}',
  );
});

test('google.rpc.Status bodies', () => {
  assert.deepStrictEqual([...encodeRpcStatusProto(3, 'bad')], [0x08, 0x03, 0x12, 0x03, 0x62, 0x61, 0x64]);
  assert.deepStrictEqual(JSON.parse(encodeRpcStatusJson(8, 'slow down')), { code: 8, message: 'slow down' });
});
