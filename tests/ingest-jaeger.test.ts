// Jaeger ingest: traces sent by jaeger-client (its UDP sender, binary Thrift
// on 6832 as the Node client speaks it, and its HTTP sender, binary Thrift on
// 14268), an agent datagram in compact Thrift (6831, what the Go and Java
// clients send) written by our encoder, and a gRPC PostSpans call (14250) encoded by protobufjs
// from jaeger-idl's model.proto, each read back through the Jaeger API (times
// to the microsecond). And Thrift over HTTP on a full pipeline: 503 with Retry-After.
import assert from 'node:assert/strict';
import { hostname } from 'node:os';
import { after, before, describe, test } from 'node:test';
import {
  encodeJaegerAgentMessage,
  encodeJaegerThriftBatch,
  type JaegerEnvelope,
  type JaegerKeyValue,
  type JaegerSpan,
  JaegerThriftTagType,
  type JaegerTrace,
} from '@ariadne/protocol';
import { credentials, makeGenericClientConstructor, type ServiceError, status } from '@grpc/grpc-js';
import jaegerClient from 'jaeger-client';
import protobuf from 'protobufjs';
import { rawGrpcMethod } from '../packages/server/src/receivers/grpc/testing/raw-grpc-method.js';
import { startTestServer, type TestServer } from './support/test-server.js';

function assertTag(tags: readonly JaegerKeyValue[], key: string, type: string, value: unknown) {
  const found = tags.find((t) => t.key === key);
  assert.ok(found, `tag ${key} is missing from ${JSON.stringify(tags.map((t) => t.key))}`);
  assert.deepEqual({ type: found.type, value: found.value }, { type, value }, `tag ${key}`);
}

/** Polls the Jaeger API until the trace has `spans` spans (UDP and the client's reporter are asynchronous). */
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

const silent = { info() {}, error() {} };

/**
 * One known trace through jaeger-client: a server root with typed tags and a log, and an erroring client child.
 * Times are set explicitly, in the client's milliseconds with fractions that binary floating point keeps
 * exactly, so that the microseconds it sends are known.
 */
async function sendWithJaegerClient(reporter: Record<string, unknown>, serviceName: string) {
  const tracer = jaegerClient.initTracer(
    { serviceName, sampler: { type: 'const', param: 1 }, reporter: { flushIntervalMs: 10, ...reporter } },
    { tags: { 'deployment.environment': 'test' }, traceId128bit: true, logger: silent },
  );
  const base = Date.now() - 2000;
  const ms = {
    rootStart: base + 0.125,
    rootEnd: base + 1000.625,
    log: base + 400.375,
    childStart: base + 250.5,
    childEnd: base + 750.25,
  };
  const root = tracer.startSpan('GET /orders', {
    tags: { 'span.kind': 'server', 'app.ratio': 0.25, 'app.cached': true, 'app.note': 'Ariadne · ✓' },
    startTime: ms.rootStart,
  });
  root.log({ event: 'cache miss', 'cache.key': 'orders:1' }, ms.log);
  const child = tracer.startSpan('SELECT orders', {
    childOf: root.context(),
    tags: { 'span.kind': 'client', error: true },
    startTime: ms.childStart,
  });
  child.finish(ms.childEnd);
  root.finish(ms.rootEnd);
  await new Promise<void>((resolve) => tracer.close(() => resolve()));
  const context = root.context();
  return {
    traceId: context.toTraceId().padStart(32, '0'),
    rootSpanId: context.toSpanId().padStart(16, '0'),
    childSpanId: child.context().toSpanId().padStart(16, '0'),
    /** In microseconds, as Jaeger carries them. */
    root: { startTime: base * 1000 + 125, duration: 1_000_500 },
    child: { startTime: base * 1000 + 250_500, duration: 499_750 },
    logTimestamp: base * 1000 + 400_375,
  };
}

function checkJaegerClientTrace(
  trace: JaegerTrace,
  sent: Awaited<ReturnType<typeof sendWithJaegerClient>>,
  serviceName: string,
) {
  assert.equal(trace.traceID, sent.traceId);
  const root = trace.spans.find((s) => s.spanID === sent.rootSpanId) as JaegerSpan;
  const child = trace.spans.find((s) => s.spanID === sent.childSpanId) as JaegerSpan;
  assert.ok(root && child, 'both spans are there');
  assert.equal(root.operationName, 'GET /orders');
  assert.deepEqual(root.references, []);
  assert.deepEqual(child.references, [{ refType: 'CHILD_OF', traceID: sent.traceId, spanID: sent.rootSpanId }]);
  assert.deepEqual({ startTime: root.startTime, duration: root.duration }, sent.root);
  assert.deepEqual({ startTime: child.startTime, duration: child.duration }, sent.child);
  assert.equal(root.flags, 1, 'sampled');
  assertTag(root.tags, 'span.kind', 'string', 'server');
  assertTag(root.tags, 'app.ratio', 'float64', 0.25);
  assertTag(root.tags, 'app.cached', 'bool', true);
  assertTag(root.tags, 'app.note', 'string', 'Ariadne · ✓');
  assertTag(child.tags, 'span.kind', 'string', 'client');
  assertTag(child.tags, 'error', 'bool', true);
  assert.equal(root.logs.length, 1);
  assert.equal(root.logs[0]!.timestamp, sent.logTimestamp);
  assertTag(root.logs[0]!.fields, 'event', 'string', 'cache miss');
  assertTag(root.logs[0]!.fields, 'cache.key', 'string', 'orders:1');
  const process = trace.processes[root.processID]!;
  assert.equal(process.serviceName, serviceName);
  assertTag(process.tags, 'deployment.environment', 'string', 'test');
  assertTag(process.tags, 'host.name', 'string', hostname());
  assert.ok(process.tags.some((t) => t.key === 'ip'));
}

// jaeger-idl proto/api_v2/model.proto and collector.proto, the fields the collector reads
// (enums as int32 and Timestamp/Duration declared locally: the same wire format).
const MODEL_PROTO = `
syntax = "proto3";
package jaeger.api_v2;
message Time { int64 seconds = 1; int32 nanos = 2; }
message KeyValue { string key = 1; int32 v_type = 2; string v_str = 3; bool v_bool = 4; int64 v_int64 = 5; double v_float64 = 6; bytes v_binary = 7; }
message Log { Time timestamp = 1; repeated KeyValue fields = 2; }
message SpanRef { bytes trace_id = 1; bytes span_id = 2; int32 ref_type = 3; }
message Process { string service_name = 1; repeated KeyValue tags = 2; }
message Span { bytes trace_id = 1; bytes span_id = 2; string operation_name = 3; repeated SpanRef references = 4;
  uint32 flags = 5; Time start_time = 6; Time duration = 7; repeated KeyValue tags = 8; repeated Log logs = 9;
  Process process = 10; string process_id = 11; repeated string warnings = 12; }
message Batch { repeated Span spans = 1; Process process = 2; }
message PostSpansRequest { Batch batch = 1; }
`;

describe('Jaeger receivers', () => {
  let server: TestServer;
  before(async () => {
    server = await startTestServer({ storage: 'memory' });
  });
  after(() => server.dispose());

  test('jaeger-client over UDP (binary Thrift, 6832)', async () => {
    const port = server.server.listeners.jaegerBinary!.port;
    const sent = await sendWithJaegerClient({ agentHost: '127.0.0.1', agentPort: port }, 'orders-udp');
    checkJaegerClientTrace(await readTrace(server.queryUrl, sent.traceId, 2), sent, 'orders-udp');
  });

  test('jaeger-client over HTTP (binary Thrift, 14268)', async () => {
    const endpoint = `${server.urlOf('jaegerHttp')}/api/traces`;
    const sent = await sendWithJaegerClient({ collectorEndpoint: endpoint }, 'orders-http');
    checkJaegerClientTrace(await readTrace(server.queryUrl, sent.traceId, 2), sent, 'orders-http');
  });

  test('an agent datagram in compact Thrift (6831)', async () => {
    const { createSocket } = await import('node:dgram');
    const socket = createSocket('udp4');
    const datagram = encodeJaegerAgentMessage(
      {
        process: {
          serviceName: 'orders-compact',
          tags: [{ key: 'ip', vType: JaegerThriftTagType.String, vStr: '10.0.0.1' }],
        },
        spans: [
          {
            traceIdHigh: 0x1n,
            traceIdLow: 0x2n,
            spanId: 0x3n,
            parentSpanId: 0n,
            operationName: 'binary op',
            flags: 1,
            startTime: 1_700_000_000_000_001n,
            duration: 42n,
            tags: [{ key: 'n', vType: JaegerThriftTagType.Long, vLong: -5n }],
            logs: [
              {
                timestamp: 1_700_000_000_000_002n,
                fields: [{ key: 'event', vType: JaegerThriftTagType.String, vStr: 'e' }],
              },
            ],
          },
        ],
      },
      'compact',
    );
    await new Promise<void>((resolve, reject) =>
      socket.send(datagram, server.server.listeners.jaegerCompact!.port, '127.0.0.1', (e) =>
        e ? reject(e) : resolve(),
      ),
    );
    socket.close();
    const trace = await readTrace(server.queryUrl, '00000000000000010000000000000002', 1);
    const span = trace.spans[0]!;
    assert.equal(span.spanID, '0000000000000003');
    assert.equal(span.startTime, 1_700_000_000_000_001);
    assert.equal(span.duration, 42);
    assertTag(span.tags, 'n', 'int64', -5);
    assertTag(span.logs[0]!.fields, 'event', 'string', 'e');
    assert.equal(span.logs[0]!.timestamp, 1_700_000_000_000_002);
    assert.equal(trace.processes[span.processID]!.serviceName, 'orders-compact');
  });

  test('gRPC PostSpans (14250), and INVALID_ARGUMENT for a bad message', async () => {
    const root = protobuf.parse(MODEL_PROTO).root;
    const Request = root.lookupType('jaeger.api_v2.PostSpansRequest');
    const Client = makeGenericClientConstructor(
      { PostSpans: rawGrpcMethod('/jaeger.api_v2.CollectorService/PostSpans') },
      'CollectorService',
    );
    const client = new Client(server.urlOf('jaegerGrpc').replace('grpc://', ''), credentials.createInsecure());
    const post = (bytes: Uint8Array) =>
      new Promise<void>((resolve, reject) =>
        (client as unknown as { PostSpans: (b: Buffer, cb: (e: ServiceError | null) => void) => void }).PostSpans(
          Buffer.from(bytes),
          (error) => (error ? reject(error) : resolve()),
        ),
      );
    const traceId = Buffer.from('5b8efff798038103d269b633813fc60c', 'hex');
    const message = Request.fromObject({
      batch: {
        process: { serviceName: 'orders-grpc', tags: [{ key: 'region', vStr: 'eu' }] },
        spans: [
          {
            traceId,
            spanId: Buffer.from('eee19b7ec3c1b174', 'hex'),
            operationName: 'grpc root',
            flags: 1,
            startTime: { seconds: 1_700_000_000, nanos: 123_456_789 },
            duration: { seconds: 1, nanos: 5 },
            tags: [
              { key: 'span.kind', vStr: 'server' },
              { key: 'count', vType: 2, vInt64: '-9007199254740991' },
              { key: 'ok', vType: 1, vBool: true },
              { key: 'ratio', vType: 3, vFloat64: 0.5 },
            ],
            logs: [
              { timestamp: { seconds: 1_700_000_000, nanos: 200_000_000 }, fields: [{ key: 'event', vStr: 'hit' }] },
            ],
          },
          {
            traceId,
            spanId: Buffer.from('eee19b7ec3c1b173', 'hex'),
            operationName: 'grpc child',
            references: [{ traceId, spanId: Buffer.from('eee19b7ec3c1b174', 'hex'), refType: 0 }],
            startTime: { seconds: 1_700_000_000, nanos: 300_000_000 },
            duration: { nanos: 1000 },
          },
        ],
      },
    });
    try {
      await post(Request.encode(message).finish());
      const trace = await readTrace(server.queryUrl, '5b8efff798038103d269b633813fc60c', 2);
      const rootSpan = trace.spans.find((s) => s.operationName === 'grpc root')!;
      const child = trace.spans.find((s) => s.operationName === 'grpc child')!;
      assert.equal(rootSpan.spanID, 'eee19b7ec3c1b174');
      assert.equal(rootSpan.startTime, 1_700_000_000_123_456);
      assert.equal(rootSpan.duration, 1_000_000);
      assert.equal(rootSpan.flags, 1);
      assertTag(rootSpan.tags, 'span.kind', 'string', 'server');
      assertTag(rootSpan.tags, 'count', 'int64', -9_007_199_254_740_991);
      assertTag(rootSpan.tags, 'ok', 'bool', true);
      assertTag(rootSpan.tags, 'ratio', 'float64', 0.5);
      assertTag(rootSpan.logs[0]!.fields, 'event', 'string', 'hit');
      assert.equal(rootSpan.logs[0]!.timestamp, 1_700_000_000_200_000);
      assert.deepEqual(child.references, [
        { refType: 'CHILD_OF', traceID: '5b8efff798038103d269b633813fc60c', spanID: 'eee19b7ec3c1b174' },
      ]);
      const process = trace.processes[rootSpan.processID]!;
      assert.equal(process.serviceName, 'orders-grpc');
      assertTag(process.tags, 'region', 'string', 'eu');

      await assert.rejects(post(new Uint8Array([0x0a, 0x03, 0x0a, 0x01])), { code: status.INVALID_ARGUMENT });
    } finally {
      client.close();
    }
  });

  test('/metrics counts per receiver', async () => {
    const metrics = await (await fetch(`${server.queryUrl}/metrics`)).text();
    for (const [receiver, spans] of [
      ['jaeger-binary', 2],
      ['jaeger-http', 2],
      ['jaeger-compact', 1],
      ['jaeger-grpc', 2],
    ] as const) {
      assert.match(
        metrics,
        new RegExp(`ariadne_receiver_spans_accepted_total\\{receiver="${receiver}"\\} ${spans}\\n`),
      );
    }
    assert.match(metrics, /ariadne_receiver_requests_rejected_total\{reason="invalid",receiver="jaeger-grpc"\} 1\n/);
  });
});

describe('Jaeger Thrift over HTTP on a full pipeline', () => {
  const traceId = '00000000000000040000000000000005';
  const batch = (spanId: bigint) =>
    encodeJaegerThriftBatch(
      {
        process: { serviceName: 'orders-full' },
        spans: [
          {
            traceIdHigh: 0x4n,
            traceIdLow: 0x5n,
            spanId,
            parentSpanId: 0n,
            operationName: 'held',
            flags: 1,
            startTime: 1_700_000_000_000_001n,
            duration: 7n,
          },
        ],
      },
      'binary',
    );

  test('503 with Retry-After; the retried batch is taken once the store catches up', async () => {
    const server = await startTestServer({ storage: 'memory', maxInFlightSpans: 1 });
    // The store's slowness, on demand: its writes wait until released, so the first span stays in flight.
    const store = server.server.store;
    const write = store.writeSpans.bind(store);
    let release!: () => void;
    const released = new Promise<void>((resolve) => {
      release = resolve;
    });
    let writing!: () => void;
    const firstWrite = new Promise<void>((resolve) => {
      writing = resolve;
    });
    store.writeSpans = async (spans) => {
      writing();
      await released;
      await write(spans);
    };
    const post = (spanId: bigint) =>
      fetch(`${server.urlOf('jaegerHttp')}/api/traces`, {
        method: 'POST',
        headers: { 'Content-Type': 'application/x-thrift' },
        body: batch(spanId),
      });
    try {
      const held = post(1n);
      await firstWrite;
      const refused = await post(2n);
      assert.equal(refused.status, 503);
      assert.equal(refused.headers.get('retry-after'), '1');
      assert.match(await refused.text(), /queue is full; retry later/);
      release();
      assert.equal((await held).status, 202);
      assert.equal((await post(2n)).status, 202, 'the retry is taken');
      const trace = await readTrace(server.queryUrl, traceId, 2);
      assert.deepEqual(trace.spans.map((span) => span.spanID).sort(), ['0000000000000001', '0000000000000002']);
      const metrics = await (await fetch(`${server.queryUrl}/metrics`)).text();
      assert.match(
        metrics,
        /ariadne_receiver_requests_rejected_total\{reason="overloaded",receiver="jaeger-http"\} 1\n/,
      );
      assert.match(metrics, /ariadne_receiver_spans_accepted_total\{receiver="jaeger-http"\} 2\n/);
    } finally {
      release();
      await server.dispose();
    }
  });
});
