import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { findAttribute } from '../model/any-value.js';
import { type Span, SpanKind, StatusCode } from '../model/span.js';
import { sampleSpans } from '../otlp/sample-spans.js';
import { decodeZipkinV2Json } from './decode-zipkin-v2-json.js';
import { encodeZipkinV2Json, toZipkinV2JsonSpans } from './encode-zipkin-v2-json.js';

// Zipkin's quickstart example span, plus a remote service and an annotation.
const DOCS_EXAMPLE = [
  {
    traceId: '5af7183fb1d4cf5f',
    parentId: '6b221d5bc9e6496c',
    id: '352bff9a74ca9ad2',
    kind: 'CLIENT',
    name: 'get /api',
    timestamp: 1556604172355737,
    duration: 1431,
    localEndpoint: { serviceName: 'backend', ipv4: '192.168.99.1', port: 3306 },
    remoteEndpoint: { serviceName: 'mysql', ipv6: '2001:db8::c001', port: 58648 },
    annotations: [{ timestamp: 1556604172355800, value: 'wire send' }],
    tags: { 'http.method': 'GET', 'http.path': '/api' },
  },
];

describe('zipkin v2 json encoding', () => {
  test('decoding then encoding gives back the same Zipkin span', () => {
    const spans = decodeZipkinV2Json(JSON.stringify(DOCS_EXAMPLE));
    assert.deepEqual(JSON.parse(encodeZipkinV2Json(spans)), DOCS_EXAMPLE);
  });

  test('shared, debug, absent start time, error tag and 32-character ids survive the Zipkin round trip', () => {
    const zipkin = [
      {
        traceId: '463ac35c9f6413ad48485a3953bb6124',
        id: 'a2fb4a1d1a96d312',
        kind: 'SERVER',
        name: 'post',
        duration: 7,
        localEndpoint: { serviceName: 'frontend' },
        tags: { error: 'true' },
        debug: true,
        shared: true,
      },
    ];
    const [span] = decodeZipkinV2Json(JSON.stringify(zipkin));
    assert.equal(span?.status.code, StatusCode.Error);
    const [back] = toZipkinV2JsonSpans([span as Span]);
    // As it was sent: no `otel.status_code` beside Zipkin's own error tag.
    assert.deepEqual(back, zipkin[0]);
  });

  test('error tags read back as they were sent, with no tag nobody sent', () => {
    const sent = (tags: Record<string, string>) => [
      {
        traceId: '463ac35c9f6413ad48485a3953bb6124',
        id: 'a2fb4a1d1a96d312',
        name: 'charge',
        timestamp: 1556604172355737,
        duration: 1431,
        localEndpoint: { serviceName: 'payments' },
        tags,
      },
    ];
    const cases: Record<string, string>[] = [
      { error: 'card declined' },
      { error: 'true' },
      { error: 'false' },
      { error: '' },
      // OpenTelemetry's exporter: the status, and its description again in `error`.
      { 'otel.status_code': 'ERROR', error: 'card declined' },
      { 'otel.status_code': 'ERROR', error: 'true' },
      { 'otel.status_code': 'ERROR', 'otel.status_description': 'refused', error: 'timeout' },
      { 'otel.status_code': 'OK' },
    ];
    for (const tags of cases) {
      const spans = decodeZipkinV2Json(JSON.stringify(sent(tags)));
      assert.deepEqual(toZipkinV2JsonSpans(spans), sent(tags), JSON.stringify(tags));
    }
  });

  test('a span that failed elsewhere gets Zipkin error tags; an error attribute of its own stays', () => {
    const [base] = sampleSpans();
    const failed = (attributes: Span['attributes'], message: string): Span => ({
      ...(base as Span),
      attributes,
      status: { code: StatusCode.Error, message },
    });
    const tagsOf = (span: Span) => {
      const tags = toZipkinV2JsonSpans([span])[0]?.tags ?? {};
      return Object.fromEntries(Object.entries(tags).filter(([key]) => key === 'error' || key.startsWith('otel.st')));
    };
    assert.deepEqual(tagsOf(failed([], 'refused')), { 'otel.status_code': 'ERROR', error: 'refused' });
    assert.deepEqual(tagsOf(failed([], '')), { 'otel.status_code': 'ERROR', error: 'true' });
    const own = [{ key: 'error', value: { type: 'string', value: 'timeout' } }] as const;
    assert.deepEqual(tagsOf(failed(own, 'refused')), {
      error: 'timeout',
      'otel.status_code': 'ERROR',
      'otel.status_description': 'refused',
    });
  });

  test('every domain field comes back from encode -> decode', () => {
    const input = sampleSpans();
    const output = decodeZipkinV2Json(encodeZipkinV2Json(input));
    assert.equal(output.length, input.length);
    input.forEach((before, i) => {
      const after = output[i] as Span;
      assert.equal(after.traceId, before.traceId);
      assert.equal(after.spanId, before.spanId);
      assert.equal(after.parentSpanId, before.parentSpanId);
      assert.equal(after.name, before.name);
      assert.equal(after.kind, before.kind);
      assert.equal(after.traceState, before.traceState);
      assert.equal(after.status.code, before.status.code);
      assert.equal(after.scope.name, before.scope.name);
      assert.equal(after.scope.version, before.scope.version);
      // Zipkin keeps microseconds.
      assert.equal(after.startTimeUnixNano, (before.startTimeUnixNano / 1000n) * 1000n);
      assert.equal(findAttribute(after.resource.attributes, 'service.name')?.type, 'string');
      assert.deepEqual(
        after.events.map((e) => [e.name, e.attributes, e.droppedAttributesCount]),
        before.events.map((e) => [e.name, e.attributes, e.droppedAttributesCount]),
      );
      assert.deepEqual(
        after.links.map((l) => [l.traceId, l.spanId, l.traceState, l.attributes, l.droppedAttributesCount]),
        before.links.map((l) => [l.traceId, l.spanId, l.traceState, l.attributes, l.droppedAttributesCount]),
      );
    });
    const full = output[0] as Span;
    assert.equal(full.status.message, 'it broke');
    // Typed attributes become tags as text.
    assert.deepEqual(findAttribute(full.attributes, 'int max'), { type: 'string', value: '9223372036854775807' });
    assert.deepEqual(findAttribute(full.attributes, 'bool true'), { type: 'string', value: 'true' });
    assert.deepEqual(findAttribute(full.attributes, 'array'), { type: 'string', value: '["a",-1,[true,null],[]]' });
    assert.deepEqual(findAttribute(full.attributes, 'bytes'), { type: 'string', value: 'AAEC+v8=' });
  });

  test('kinds, sub-microsecond durations, internal spans and malformed addresses', () => {
    const [base] = sampleSpans();
    const span: Span = {
      ...(base as Span),
      traceId: '0000000000000000000000000000abcd',
      kind: SpanKind.Internal,
      startTimeUnixNano: 1_000_000_000_000n,
      endTimeUnixNano: 1_000_000_000_400n,
      attributes: [
        { key: 'net.peer.ip', value: { type: 'string', value: 'not-an-ip' } },
        { key: 'net.peer.port', value: { type: 'int', value: 8080n } },
        { key: 'peer.service', value: { type: 'string', value: 'redis' } },
      ],
      events: [],
      links: [],
      traceState: '',
      status: { code: StatusCode.Ok, message: '' },
    };
    const [out] = toZipkinV2JsonSpans([span, { ...span, endTimeUnixNano: span.startTimeUnixNano }]);
    assert.equal(out?.traceId, '000000000000abcd');
    assert.equal(out?.kind, undefined);
    assert.equal(out?.duration, 1);
    assert.deepEqual(out?.remoteEndpoint, { serviceName: 'redis', port: 8080 });
    assert.equal(out?.tags?.['net.peer.ip'], 'not-an-ip');
    assert.equal(out?.tags?.['span.kind'], 'internal');
    assert.equal(out?.tags?.['otel.status_code'], 'OK');
    assert.equal(out?.tags?.['service.instance.id'], '7');
    assert.equal(decodeZipkinV2Json(JSON.stringify([out]))[0]?.kind, SpanKind.Internal);
    const [, instant] = toZipkinV2JsonSpans([span, { ...span, endTimeUnixNano: span.startTimeUnixNano }]);
    assert.equal('duration' in (instant ?? {}), false);
  });
});
