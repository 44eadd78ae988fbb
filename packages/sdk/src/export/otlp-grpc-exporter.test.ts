import assert from 'node:assert/strict';
import { test } from 'node:test';
import { gunzipSync } from 'node:zlib';
import { decodeOtlpTraceRequestProto, ProtoWriter } from '@ariadne/protocol';
import { Metadata, Server, ServerCredentials, type ServerUnaryCall, type sendUnaryData, status } from '@grpc/grpc-js';
import { BatchSpanProcessor } from '../processing/batch-span-processor.js';
import { resourceFromAttributes } from '../resource/detect-resource.js';
import { AriadneTracerProvider } from '../trace/tracer-provider.js';
import { grpcRetryDelayMillis } from './grpc-retry-info.js';
import { OtlpGrpcExporter } from './otlp-grpc-exporter.js';
import { mutualTlsEnvs, testCertificates } from './test-certificates.js';
import { type ReceivedGrpcCall, testGrpcEndpoint } from './test-grpc-endpoint.js';
import { someSpans } from './test-spans.js';

const EXPORT = {
  path: '/opentelemetry.proto.collector.trace.v1.TraceService/Export',
  requestStream: false,
  responseStream: false,
  requestSerialize: (b: Buffer) => b,
  requestDeserialize: (b: Buffer) => b,
  responseSerialize: (b: Buffer) => b,
  responseDeserialize: (b: Buffer) => b,
};

/** google.rpc.Status carrying a RetryInfo of `millis`. */
function statusWithRetryInfo(millis: number): Buffer {
  const duration = new ProtoWriter();
  duration.tag(1, 0);
  duration.uint64(BigInt(Math.floor(millis / 1000)));
  duration.tag(2, 0);
  duration.uint32((millis % 1000) * 1e6);
  const info = new ProtoWriter();
  info.tag(1, 2);
  info.bytesField(duration.finish());
  const any = new ProtoWriter();
  any.tag(1, 2);
  any.string('type.googleapis.com/google.rpc.RetryInfo');
  any.tag(2, 2);
  any.bytesField(info.finish());
  const s = new ProtoWriter();
  s.tag(1, 0);
  s.uint32(status.UNAVAILABLE);
  s.tag(3, 2);
  s.bytesField(any.finish());
  return Buffer.from(s.finish());
}

/**
 * A grpc-js TraceService: each call answers with the next failure, or
 * success; `hang` never answers. With `tls` it serves TLS (`https://` URL)
 * and requires a client certificate signed by `tls.ca`.
 */
async function grpcServer(
  failures: ({ code: number; details?: Buffer } | 'hang')[],
  tls?: { key: Buffer; cert: Buffer; ca: Buffer },
) {
  const received: Buffer[] = [];
  const metadata: Metadata[] = [];
  const server = new Server();
  server.addService(
    { Export: EXPORT },
    {
      Export: (call: ServerUnaryCall<Buffer, Buffer>, callback: sendUnaryData<Buffer>) => {
        received.push(call.request);
        metadata.push(call.metadata);
        const failure = failures[received.length - 1];
        if (failure === 'hang') return;
        if (failure === undefined) return callback(null, Buffer.alloc(0));
        const trailers = new Metadata();
        if (failure.details) trailers.set('grpc-status-details-bin', failure.details);
        callback({ code: failure.code, details: 'try later', metadata: trailers });
      },
    },
  );
  const credentials =
    tls === undefined
      ? ServerCredentials.createInsecure()
      : ServerCredentials.createSsl(tls.ca, [{ private_key: tls.key, cert_chain: tls.cert }], true);
  const port = await new Promise<number>((resolve, reject) =>
    server.bindAsync('127.0.0.1:0', credentials, (error, p) => (error ? reject(error) : resolve(p))),
  );
  const url = `${tls === undefined ? 'http' : 'https'}://127.0.0.1:${port}`;
  return { url, received, metadata, close: () => server.forceShutdown() };
}

test('exports over gRPC; retries UNAVAILABLE honouring RetryInfo; gives up on INVALID_ARGUMENT', async () => {
  const server = await grpcServer([
    { code: status.UNAVAILABLE, details: statusWithRetryInfo(5) },
    { code: status.UNAVAILABLE },
  ]);
  const spans = await someSpans();
  const exporter = new OtlpGrpcExporter({ url: server.url, initialBackoffMillis: 1, maxBackoffMillis: 2, env: {} });
  try {
    assert.deepEqual(await exporter.export(spans), { code: 'success' });
    assert.equal(server.received.length, 3);
    const decoded = decodeOtlpTraceRequestProto(server.received[2] as Buffer).spans;
    assert.deepEqual(
      decoded.map((s) => [s.spanId, s.parentSpanId, s.name]),
      spans.map((s) => [s.spanId, s.parentSpanId, s.name]),
    );
  } finally {
    await exporter.shutdown();
    server.close();
  }
  const bad = await grpcServer([{ code: status.INVALID_ARGUMENT }]);
  const second = new OtlpGrpcExporter({ url: bad.url, initialBackoffMillis: 1, env: {} });
  try {
    const result = await second.export(spans);
    assert.equal(result.code, 'failed');
    assert.equal(bad.received.length, 1);
  } finally {
    await second.shutdown();
    bad.close();
  }
});

test('a RetryInfo delay beyond the deadline fails without waiting; RetryInfo parses', async () => {
  assert.equal(grpcRetryDelayMillis(statusWithRetryInfo(1500)), 1500);
  assert.equal(grpcRetryDelayMillis(Buffer.from([0xff])), undefined);
  const server = await grpcServer([{ code: status.RESOURCE_EXHAUSTED, details: statusWithRetryInfo(3_600_000) }]);
  const exporter = new OtlpGrpcExporter({ url: server.url, timeoutMillis: 30_000, env: {} });
  try {
    assert.equal((await exporter.export(await someSpans())).code, 'failed');
    assert.equal(server.received.length, 1);
  } finally {
    await exporter.shutdown();
    server.close();
  }
});

test('a server that never answers fails the export at the timeout', async () => {
  const server = await grpcServer(['hang', 'hang', 'hang', 'hang', 'hang']);
  const exporter = new OtlpGrpcExporter({ url: server.url, timeoutMillis: 300, env: {} });
  try {
    const result = await exporter.export(await someSpans());
    assert.equal(result.code, 'failed');
    assert.ok(server.received.length >= 1);
  } finally {
    await exporter.shutdown();
    server.close();
  }
});

/** A call whose message is compressed with gzip, says so, and holds the two spans of `someSpans()`. */
function assertGzipped(call: ReceivedGrpcCall | undefined): void {
  assert.equal(call?.headers['grpc-encoding'], 'gzip');
  assert.equal(call?.compressed, 1);
  assert.equal(decodeOtlpTraceRequestProto(gunzipSync(call?.message as Buffer)).spans.length, 2);
}

test('gzip: the message is compressed and says so (raw HTTP/2 gRPC endpoint)', async () => {
  const endpoint = await testGrpcEndpoint();
  const exporter = new OtlpGrpcExporter({ url: endpoint.url, compression: 'gzip', env: {} });
  try {
    assert.deepEqual(await exporter.export(await someSpans()), { code: 'success' });
    const [request] = endpoint.received;
    assertGzipped(request);
  } finally {
    await exporter.shutdown();
    await endpoint.close();
  }
});

test('endpoint and headers from OTEL_EXPORTER_OTLP_* variables; the headers arrive as gRPC metadata', async () => {
  const server = await grpcServer([]);
  const exporter = new OtlpGrpcExporter({
    env: {
      OTEL_EXPORTER_OTLP_ENDPOINT: server.url,
      OTEL_EXPORTER_OTLP_HEADERS: 'api-key=general%20key,team=a',
      OTEL_EXPORTER_OTLP_TRACES_HEADERS: 'team=b',
    },
  });
  try {
    assert.equal(exporter.url, server.url);
    assert.deepEqual(await exporter.export(await someSpans()), { code: 'success' });
    const [metadata] = server.metadata;
    assert.deepEqual(metadata?.get('api-key'), ['general key']);
    assert.deepEqual(metadata?.get('team'), ['b']);
  } finally {
    await exporter.shutdown();
    server.close();
  }
});

test('the TRACES_ endpoint, compression and timeout variables win over the general ones', async () => {
  const endpoint = await testGrpcEndpoint();
  const exporter = new OtlpGrpcExporter({
    env: {
      // Nothing listens there: an export sent to it would fail.
      OTEL_EXPORTER_OTLP_ENDPOINT: 'http://127.0.0.1:1',
      OTEL_EXPORTER_OTLP_TRACES_ENDPOINT: endpoint.url,
      OTEL_EXPORTER_OTLP_COMPRESSION: 'none',
      OTEL_EXPORTER_OTLP_TRACES_COMPRESSION: 'gzip',
      OTEL_EXPORTER_OTLP_TIMEOUT: '60000',
      OTEL_EXPORTER_OTLP_TRACES_TIMEOUT: '200',
    },
  });
  try {
    assert.deepEqual(await exporter.export(await someSpans()), { code: 'success' });
    const [request] = endpoint.received;
    assertGzipped(request);
    // The call's deadline travels as grpc-timeout: what was left of the 200 ms, not of the general 60 s.
    const timeout = /^(\d+)m$/.exec(String(request?.headers['grpc-timeout']));
    assert.ok(timeout, `grpc-timeout in milliseconds: ${request?.headers['grpc-timeout']}`);
    assert.ok(Number(timeout[1]) <= 200, `grpc-timeout ${timeout[1]} ms`);
  } finally {
    await exporter.shutdown();
    await endpoint.close();
  }
});

test('TLS: the CA, client key and certificate from OTEL_EXPORTER_OTLP_* files, for a server that requires mutual TLS', async (t) => {
  const certs = testCertificates();
  if (certs === undefined) {
    t.skip('the openssl CLI is not installed');
    return;
  }
  const server = await grpcServer([], certs.server);
  const envs = mutualTlsEnvs(certs);
  const trusted = new OtlpGrpcExporter({ env: { ...envs.trusted, OTEL_EXPORTER_OTLP_TRACES_ENDPOINT: server.url } });
  const anonymous = new OtlpGrpcExporter({ url: server.url, maxAttempts: 1, env: envs.anonymous });
  const untrusting = new OtlpGrpcExporter({ url: server.url, maxAttempts: 1, env: envs.untrusting });
  try {
    const spans = await someSpans();
    assert.deepEqual(await trusted.export(spans), { code: 'success' });
    assert.equal(decodeOtlpTraceRequestProto(server.received[0] as Buffer).spans.length, 2);
    assert.equal((await anonymous.export(spans)).code, 'failed');
    assert.equal((await untrusting.export(spans)).code, 'failed');
    assert.equal(server.received.length, 1);
  } finally {
    await Promise.all([trusted.shutdown(), anonymous.shutdown(), untrusting.shutdown()]);
    server.close();
    certs.remove();
  }
});

test('provider.shutdown() sends every queued span through a batch processor to a gRPC TraceService', async () => {
  const server = await grpcServer([]);
  const processor = new BatchSpanProcessor(new OtlpGrpcExporter({ url: server.url, env: {} }), {
    scheduleDelayMillis: 3_600_000,
    maxExportBatchSize: 20,
    env: {},
  });
  const provider = new AriadneTracerProvider({
    resource: resourceFromAttributes({ 'service.name': 'flush-test' }),
    spanProcessors: [processor],
  });
  const tracer = provider.getTracer('t');
  const ended: string[] = [];
  for (let i = 0; i < 50; i++) {
    const span = tracer.startSpan(`s${i}`);
    span.end();
    ended.push(span.spanContext().spanId);
  }
  try {
    // Two full batches are on their way, the rest waits for the hour-long schedule.
    assert.ok(processor.stats.queuedSpans > 0);
    await provider.shutdown();
    const arrived = server.received.flatMap((body) => decodeOtlpTraceRequestProto(body).spans.map((s) => s.spanId));
    assert.deepEqual(arrived.sort(), ended.sort());
    assert.equal(processor.stats.exportedSpans, 50);
  } finally {
    server.close();
  }
});
