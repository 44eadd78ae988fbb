import assert from 'node:assert/strict';
import { test } from 'node:test';
import { encodeOtlpTraceRequestProto, makeSpan, type Span } from '@ariadne/protocol';
import { credentials, makeGenericClientConstructor, type ServiceError, status } from '@grpc/grpc-js';
import { listenHttp } from '../packages/server/src/http/listen.js';
import { createIngestPipeline } from '../packages/server/src/pipeline/ingest-pipeline.js';
import { listenGrpc } from '../packages/server/src/receivers/grpc/listen-grpc.js';
import { createOtlpGrpcService } from '../packages/server/src/receivers/otlp-grpc/otlp-grpc-receiver.js';
import { createOtlpHttpReceiver } from '../packages/server/src/receivers/otlp-http/otlp-http-receiver.js';
import type { SpanWriter } from '../packages/server/src/storage/span-store.js';
import { IngestMetrics } from '../packages/server/src/telemetry/ingest-metrics.js';

// Issue 13: "A pipeline that is full answers 429/503 at once, never after a hang."
// The store here never acknowledges anything until the test ends: every answer a
// client gets is given while the store is still stuck, so none of them waited for it.

const batch = (n: number, first: number): Span[] =>
  Array.from({ length: n }, (_, i) =>
    makeSpan({
      traceId: '0af7651916cd43dd8448eb211c80319c',
      spanId: (first + i + 1).toString(16).padStart(16, '0'),
      service: 'web',
    }),
  );

test('a store that never answers: OTLP/HTTP and gRPC clients are told to retry, with Retry-After, while it is still stuck', async () => {
  let stuck = true;
  let release!: () => void;
  const gate = new Promise<void>((resolve) => {
    release = resolve;
  });
  const writer: SpanWriter = {
    async writeSpans() {
      await gate;
    },
  };
  const metrics = new IngestMetrics();
  const pipeline = createIngestPipeline(writer, { maxInFlightSpans: 8, answerWithinMs: 200, metrics });
  const http = await listenHttp(
    'otlp',
    '127.0.0.1',
    0,
    createOtlpHttpReceiver({ pipeline, metrics, tenancy: {}, maxBodyBytes: 1 << 20 }),
  );
  const grpc = await listenGrpc('grpc', '127.0.0.1', 0, [createOtlpGrpcService({ pipeline, metrics, tenancy: {} })], {
    maxMessageBytes: 1 << 20,
  });
  const post = (spans: Span[]) =>
    fetch(`${http.url}/v1/traces`, {
      method: 'POST',
      headers: { 'Content-Type': 'application/x-protobuf' },
      body: encodeOtlpTraceRequestProto(spans),
    });
  const RawClient = makeGenericClientConstructor(
    {
      Export: {
        path: '/opentelemetry.proto.collector.trace.v1.TraceService/Export',
        requestStream: false,
        responseStream: false,
        requestSerialize: (b: Buffer) => b,
        requestDeserialize: (b: Buffer) => b,
        responseSerialize: (b: Buffer) => b,
        responseDeserialize: (b: Buffer) => b,
      },
    },
    'Raw',
  );
  const client = new RawClient(`127.0.0.1:${grpc.port}`, credentials.createInsecure());
  const exportGrpc = (spans: Span[]) =>
    new Promise<ServiceError | null>((resolve) => {
      const unary = (client as unknown as Record<string, (b: Buffer, cb: (e: ServiceError | null) => void) => void>)
        .Export!;
      unary.call(client, Buffer.from(encodeOtlpTraceRequestProto(spans)), (error) => resolve(error));
    });
  try {
    // Fills the pipeline: the store does not answer, so the client is told to retry once its wait is up.
    const first = await post(batch(8, 0));
    assert.equal(stuck, true);
    assert.equal(first.status, 429, 'OTLP/HTTP says 429 for retry later');
    assert.equal(first.headers.get('retry-after'), '1');
    // Full now (the first batch is still in flight): refused at once, unread.
    const second = await post(batch(4, 100));
    assert.equal(stuck, true);
    assert.equal(second.status, 429);
    assert.equal(second.headers.get('retry-after'), '1');
    const grpcError = await exportGrpc(batch(4, 200));
    assert.equal(stuck, true);
    assert.equal(grpcError?.code, status.UNAVAILABLE);
    assert.equal(pipeline.inFlightSpans, 8, 'the first write goes on');
    assert.match(metrics.registry.render(), /ariadne_pipeline_late_answers_total\{receiver="otlp-http"\} 1\n/);
  } finally {
    stuck = false;
    release();
    client.close();
    await http.close();
    await grpc.close();
    await pipeline.close();
  }
});
