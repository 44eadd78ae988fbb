import assert from 'node:assert/strict';
import { createServer as createHttp2Server } from 'node:http2';
import type { AddressInfo } from 'node:net';
import { test } from 'node:test';
import { gunzipSync } from 'node:zlib';
import { decodeOtlpTraceRequestProto, ProtoWriter } from '@ariadne/protocol';
import { Metadata, Server, ServerCredentials, type ServerUnaryCall, type sendUnaryData, status } from '@grpc/grpc-js';
import { grpcRetryDelayMillis } from './grpc-retry-info.js';
import { OtlpGrpcExporter } from './otlp-grpc-exporter.js';
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

/** Each call answers with the next failure, or success; `hang` never answers. */
async function grpcServer(failures: ({ code: number; details?: Buffer } | 'hang')[]) {
  const received: Buffer[] = [];
  const server = new Server();
  server.addService(
    { Export: EXPORT },
    {
      Export: (call: ServerUnaryCall<Buffer, Buffer>, callback: sendUnaryData<Buffer>) => {
        received.push(call.request);
        const failure = failures[received.length - 1];
        if (failure === 'hang') return;
        if (failure === undefined) return callback(null, Buffer.alloc(0));
        const metadata = new Metadata();
        if (failure.details) metadata.set('grpc-status-details-bin', failure.details);
        callback({ code: failure.code, details: 'try later', metadata });
      },
    },
  );
  const port = await new Promise<number>((resolve, reject) =>
    server.bindAsync('127.0.0.1:0', ServerCredentials.createInsecure(), (error, p) =>
      error ? reject(error) : resolve(p),
    ),
  );
  return { url: `http://127.0.0.1:${port}`, received, close: () => server.forceShutdown() };
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

test('gzip: the message is compressed and says so (raw HTTP/2 gRPC endpoint)', async () => {
  const seen: { encoding: unknown; compressed: number; message: Buffer }[] = [];
  const server = createHttp2Server();
  server.on('stream', (stream, headers) => {
    const chunks: Buffer[] = [];
    stream.on('data', (c: Buffer) => chunks.push(c));
    stream.on('end', () => {
      const frame = Buffer.concat(chunks);
      const length = frame.readUInt32BE(1);
      seen.push({
        encoding: headers['grpc-encoding'],
        compressed: frame[0] as number,
        message: frame.subarray(5, 5 + length),
      });
      stream.respond({ ':status': 200, 'content-type': 'application/grpc' }, { waitForTrailers: true });
      stream.on('wantTrailers', () => stream.sendTrailers({ 'grpc-status': '0' }));
      stream.end(Buffer.from([0, 0, 0, 0, 0]));
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  const exporter = new OtlpGrpcExporter({ url, compression: 'gzip', env: {} });
  try {
    assert.deepEqual(await exporter.export(await someSpans()), { code: 'success' });
    const [request] = seen;
    assert.equal(request?.encoding, 'gzip');
    assert.equal(request?.compressed, 1);
    assert.equal(decodeOtlpTraceRequestProto(gunzipSync(request?.message as Buffer)).spans.length, 2);
  } finally {
    await exporter.shutdown();
    await new Promise<void>((resolve) => server.close(() => resolve()));
  }
});
