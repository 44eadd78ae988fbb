// Zipkin ingest (9411): traces sent by the OpenTelemetry Zipkin exporter, by
// zipkin-js with its HTTP transport (v2 JSON), as v1 JSON, and as v2 protobuf
// (encoded by protobufjs from zipkin.proto3), each read back through the
// Jaeger API. Plus the error answers on a full server and ports switched off.
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import type { JaegerEnvelope, JaegerKeyValue, JaegerSpan, JaegerTrace } from '@ariadne/protocol';
import { ZipkinExporter } from '@opentelemetry/exporter-zipkin';
import protobuf from 'protobufjs';
import zipkin from 'zipkin';
import { HttpLogger } from 'zipkin-transport-http';
import { microTimes, SERVICE_NAME, sendKnownTrace } from './support/otel-sdk-trace.js';
import { startTestServer, type TestServer } from './support/test-server.js';

function tagOf(tags: readonly JaegerKeyValue[], key: string) {
  const found = tags.find((t) => t.key === key);
  assert.ok(found, `tag ${key} is missing from ${JSON.stringify(tags.map((t) => `${t.key}=${t.value}`))}`);
  return found;
}

function assertTag(tags: readonly JaegerKeyValue[], key: string, type: string, value: unknown) {
  const found = tagOf(tags, key);
  assert.deepEqual({ type: found.type, value: found.value }, { type, value }, `tag ${key}`);
}

async function readTrace(queryUrl: string, traceId: string, spans: number): Promise<JaegerTrace> {
  for (let attempt = 0; attempt < 400; attempt++) {
    const response = await fetch(`${queryUrl}/api/traces/${traceId}`);
    if (response.status === 200) {
      const body = (await response.json()) as JaegerEnvelope<JaegerTrace[]>;
      if (body.data[0] && body.data[0].spans.length >= spans) return body.data[0];
    } else await response.body?.cancel();
    await new Promise((resolve) => setTimeout(resolve, 25));
  }
  throw new Error(`trace ${traceId} did not arrive with ${spans} spans`);
}

const ZIPKIN_PROTO = `
syntax = "proto3";
package zipkin.proto3;
message Endpoint { string service_name = 1; bytes ipv4 = 2; bytes ipv6 = 3; int32 port = 4; }
message Annotation { fixed64 timestamp = 1; string value = 2; }
message Span { bytes trace_id = 1; bytes parent_id = 2; bytes id = 3; int32 kind = 4; string name = 5;
  fixed64 timestamp = 6; uint64 duration = 7; Endpoint local_endpoint = 8; Endpoint remote_endpoint = 9;
  repeated Annotation annotations = 10; map<string, string> tags = 11; bool debug = 12; bool shared = 13; }
message ListOfSpans { repeated Span spans = 1; }
`;

describe('Zipkin receiver', () => {
  let server: TestServer;
  let spansUrl: string;
  before(async () => {
    server = await startTestServer({ storage: 'memory', limits: { maxSpansPerRequest: 50 }, maxBodyBytes: 64 * 1024 });
    spansUrl = `${server.urlOf('zipkin')}/api/v2/spans`;
  });
  after(() => server.dispose());

  test('the OpenTelemetry Zipkin exporter: the trace reads back with what Zipkin can carry', async () => {
    const sent = await sendKnownTrace(new ZipkinExporter({ url: spansUrl }));
    const trace = await readTrace(server.queryUrl, sent.traceId, 2);
    const root = trace.spans.find((s) => s.spanID === sent.rootSpanId) as JaegerSpan;
    const child = trace.spans.find((s) => s.spanID === sent.childSpanId) as JaegerSpan;
    assert.ok(root && child);
    assert.equal(root.operationName, 'POST /checkout');
    assert.equal(child.references[0]?.refType, 'CHILD_OF');
    assert.equal(child.references[0]?.spanID, sent.rootSpanId);
    assertTag(root.tags, 'span.kind', 'string', 'server');
    assertTag(child.tags, 'span.kind', 'string', 'client');
    // Zipkin tags are strings: the values arrive as text.
    assertTag(root.tags, 'http.request.method', 'string', 'POST');
    assertTag(root.tags, 'http.response.status_code', 'string', '200');
    assertTag(root.tags, 'app.unicode', 'string', 'Ariadne · 测试 · ✓');
    // Zipkin carries an error as an `error` tag whose value is the description.
    assertTag(child.tags, 'otel.status_code', 'string', 'ERROR');
    assertTag(child.tags, 'otel.status_description', 'string', 'card declined');
    assert.equal(root.logs.length, 1);
    assert.ok(JSON.stringify(root.logs[0]!.fields).includes('cart loaded'));
    // Zipkin carries microseconds: the client's times to the microsecond.
    for (const span of [root, child]) {
      assert.deepEqual({ startTime: span.startTime, duration: span.duration }, microTimes(sent.times[span.spanID]));
    }
    assert.equal(trace.processes[root.processID]!.serviceName, SERVICE_NAME);
  });

  test('zipkin-js with zipkin-transport-http (v2 JSON)', async () => {
    const { Tracer, BatchRecorder, ExplicitContext, Annotation, InetAddress, jsonEncoder } = zipkin;
    const logger = new HttpLogger({ endpoint: spansUrl, jsonEncoder: jsonEncoder.JSON_V2, httpInterval: 10 });
    const tracer = new Tracer({
      ctxImpl: new ExplicitContext(),
      recorder: new BatchRecorder({ logger }),
      localServiceName: 'zipkin-js',
      traceId128Bit: true,
    });
    // Explicit annotation times (microseconds), a second or two ago.
    const start = (Date.now() - 2000) * 1000 + 123;
    const at = { sr: start, cs: start + 250_017, cr: start + 750_400, ss: start + 1_005_321 };
    const rootId = tracer.createRootId();
    let childId = rootId;
    tracer.letId(rootId, () => {
      tracer.recordServiceName('zipkin-js');
      tracer.recordRpc('get /basket');
      tracer.recordAnnotation(new Annotation.ServerRecv(), at.sr);
      tracer.recordAnnotation(new Annotation.LocalAddr({ host: new InetAddress('10.1.2.3'), port: 8080 }));
      tracer.recordBinary('http.path', '/basket');
      tracer.recordMessage('basket loaded');
      childId = tracer.createChildId();
      tracer.letId(childId, () => {
        tracer.recordServiceName('zipkin-js');
        tracer.recordRpc('select basket');
        tracer.recordAnnotation(new Annotation.ClientSend(), at.cs);
        tracer.recordAnnotation(new Annotation.ServerAddr({ serviceName: 'postgres', port: 5432 }));
        tracer.recordAnnotation(new Annotation.ClientRecv(), at.cr);
      });
      tracer.recordAnnotation(new Annotation.ServerSend(), at.ss);
    });
    const traceId = rootId.traceId.padStart(32, '0');
    const trace = await readTrace(server.queryUrl, traceId, 2);
    const root = trace.spans.find((s) => s.spanID === rootId.spanId) as JaegerSpan;
    const child = trace.spans.find((s) => s.spanID === childId.spanId) as JaegerSpan;
    assert.ok(root && child);
    assert.equal(root.operationName, 'get /basket');
    assert.deepEqual(
      { startTime: root.startTime, duration: root.duration },
      { startTime: at.sr, duration: at.ss - at.sr },
    );
    assert.deepEqual(
      { startTime: child.startTime, duration: child.duration },
      { startTime: at.cs, duration: at.cr - at.cs },
    );
    assert.deepEqual(child.references, [{ refType: 'CHILD_OF', traceID: traceId, spanID: rootId.spanId }]);
    assertTag(root.tags, 'span.kind', 'string', 'server');
    assertTag(root.tags, 'http.path', 'string', '/basket');
    assertTag(root.tags, 'net.host.ip', 'string', '10.1.2.3');
    assertTag(child.tags, 'span.kind', 'string', 'client');
    assertTag(child.tags, 'peer.service', 'string', 'postgres');
    assert.ok(JSON.stringify(root.logs).includes('basket loaded'));
    assert.equal(trace.processes[root.processID]!.serviceName, 'zipkin-js');
  });

  test('v1 JSON and v2 protobuf', async () => {
    const v1 = await fetch(`${server.urlOf('zipkin')}/api/v1/spans`, {
      method: 'POST',
      headers: { 'Content-Type': 'application/json' },
      body: JSON.stringify([
        {
          traceId: 'a1b2c3d4e5f60718',
          id: '1122334455667788',
          name: 'v1 op',
          timestamp: 1_700_000_000_000_007,
          duration: 300,
          annotations: [
            { timestamp: 1_700_000_000_000_007, value: 'sr', endpoint: { serviceName: 'legacy', ipv4: '10.0.0.9' } },
            { timestamp: 1_700_000_000_000_307, value: 'ss', endpoint: { serviceName: 'legacy', ipv4: '10.0.0.9' } },
          ],
          binaryAnnotations: [{ key: 'lc', value: 'worker', endpoint: { serviceName: 'legacy' } }],
        },
      ]),
    });
    assert.equal(v1.status, 202);
    const v1Trace = await readTrace(server.queryUrl, '0000000000000000a1b2c3d4e5f60718', 1);
    assert.equal(v1Trace.spans[0]!.operationName, 'v1 op');
    assert.equal(v1Trace.spans[0]!.startTime, 1_700_000_000_000_007);
    assert.equal(v1Trace.spans[0]!.duration, 300);
    assertTag(v1Trace.spans[0]!.tags, 'span.kind', 'string', 'server');
    assert.equal(v1Trace.processes[v1Trace.spans[0]!.processID]!.serviceName, 'legacy');

    const ListOfSpans = protobuf.parse(ZIPKIN_PROTO).root.lookupType('zipkin.proto3.ListOfSpans');
    const body = ListOfSpans.encode(
      ListOfSpans.fromObject({
        spans: [
          {
            traceId: Buffer.from('0102030405060708090a0b0c0d0e0f10', 'hex'),
            id: Buffer.from('1111111111111111', 'hex'),
            kind: 3,
            name: 'publish',
            timestamp: 1_700_000_000_000_123,
            duration: 77,
            localEndpoint: { serviceName: 'proto-svc', ipv4: Buffer.from([10, 0, 0, 7]), port: 9000 },
            annotations: [{ timestamp: 1_700_000_000_000_150, value: 'queued' }],
            tags: { 'messaging.system': 'kafka' },
          },
        ],
      }),
    ).finish();
    const proto = await fetch(spansUrl, {
      method: 'POST',
      headers: { 'Content-Type': 'application/x-protobuf' },
      body,
    });
    assert.equal(proto.status, 202);
    const trace = await readTrace(server.queryUrl, '0102030405060708090a0b0c0d0e0f10', 1);
    const span = trace.spans[0]!;
    assert.equal(span.operationName, 'publish');
    assert.equal(span.startTime, 1_700_000_000_000_123);
    assert.equal(span.duration, 77);
    assertTag(span.tags, 'span.kind', 'string', 'producer');
    assertTag(span.tags, 'messaging.system', 'string', 'kafka');
    assertTag(span.tags, 'net.host.ip', 'string', '10.0.0.7');
    assert.equal(span.logs[0]!.timestamp, 1_700_000_000_000_150);
    assert.equal(trace.processes[span.processID]!.serviceName, 'proto-svc');
  });

  test('error answers: 400, 413 (bytes and spans), 415; /metrics counts them', async () => {
    const post = (body: string | Uint8Array, type = 'application/json') =>
      fetch(spansUrl, { method: 'POST', headers: { 'Content-Type': type }, body });
    const bad = await post('[{"traceId": 5}]');
    assert.equal(bad.status, 400);
    assert.match(await bad.text(), /spans\[0\]/);
    assert.equal((await post('x'.repeat(64 * 1024 + 1))).status, 413);
    const many = Array.from({ length: 51 }, (_, i) => ({
      traceId: 'ffffffffffffffff',
      id: (i + 1).toString(16).padStart(16, '0'),
      name: 'n',
      timestamp: 1,
      duration: 1,
    }));
    assert.equal((await post(JSON.stringify(many))).status, 413);
    assert.equal((await post('<xml/>', 'application/xml')).status, 415);

    const metrics = await (await fetch(`${server.queryUrl}/metrics`)).text();
    assert.match(metrics, /ariadne_receiver_requests_rejected_total\{reason="invalid",receiver="zipkin"\} 1\n/);
    assert.match(metrics, /ariadne_receiver_requests_rejected_total\{reason="too_large",receiver="zipkin"\} 1\n/);
    assert.match(metrics, /ariadne_receiver_spans_rejected_total\{reason="too_large",receiver="zipkin"\} 51\n/);
    assert.match(
      metrics,
      /ariadne_receiver_requests_rejected_total\{reason="unsupported_media_type",receiver="zipkin"\} 1\n/,
    );
    // 2 (OTel) + 2 (zipkin-js) + 1 (v1) + 1 (proto)
    assert.match(metrics, /ariadne_receiver_spans_accepted_total\{receiver="zipkin"\} 6\n/);
  });
});

describe('receivers switched off', () => {
  test('a port set to off has no listener and is not in the banner', async () => {
    const server = await startTestServer({
      storage: 'memory',
      ports: { zipkin: 'off', jaegerCompact: 'off', otlpGrpc: 'off', jaegerGrpc: 'off' },
    });
    try {
      const { listeners, endpoints } = server.server;
      for (const port of ['zipkin', 'jaegerCompact', 'otlpGrpc', 'jaegerGrpc'] as const) {
        assert.equal(listeners[port], undefined, `${port} is off`);
        assert.throws(() => server.urlOf(port), /off/);
      }
      assert.deepEqual(
        endpoints.map((entry) => entry.port),
        ['query', 'otlpHttp', 'jaegerHttp', 'jaegerBinary', 'sampling', 'tempo'],
      );
      assert.equal((await fetch(`${server.queryUrl}/health`)).status, 200);
    } finally {
      await server.dispose();
    }
  });
});
