import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { encodeOtlpTraceRequestProto, makeSpan, ProtoReader, type Span } from '@ariadne/protocol';
import { type ServiceError, status } from '@grpc/grpc-js';
import type { Listener } from '../../http/listen.js';
import { createIngestPipeline, type IngestPipeline } from '../../pipeline/ingest-pipeline.js';
import { openMemoryStore } from '../../storage/memory/memory-store.js';
import type { SpanStore } from '../../storage/span-store.js';
import { IngestMetrics } from '../../telemetry/ingest-metrics.js';
import { createJaegerGrpcService } from '../jaeger-grpc/jaeger-grpc-receiver.js';
import { createOtlpGrpcService } from '../otlp-grpc/otlp-grpc-receiver.js';
import { RETRY_INFO_TYPE_URL } from './grpc-ingest-error.js';
import { listenGrpc } from './listen-grpc.js';
import { type IngestMethod, type RawIngestClient, rawIngestClient } from './testing/raw-ingest-client.js';

const TRACE = '0af7651916cd43dd8448eb211c80319c';

function span(spanId: string, traceId = TRACE): Span {
  return makeSpan({ traceId, spanId, endTimeUnixNano: 1_700_000_000_000_100_000n });
}

describe('gRPC ingest (OTLP and Jaeger services)', () => {
  let store: SpanStore;
  let pipeline: IngestPipeline;
  let listener: Listener;
  let client: RawIngestClient;
  const metrics = new IngestMetrics();
  let gated = false;
  let release!: () => void;
  const gate = new Promise<void>((resolve) => {
    release = resolve;
  });

  before(async () => {
    store = openMemoryStore();
    pipeline = createIngestPipeline(
      {
        async writeSpans(spans: readonly Span[]) {
          if (gated) await gate;
          await store.writeSpans(spans);
        },
      },
      { maxInFlightSpans: 1, metrics, limits: { maxSpansPerRequest: 2 } },
    );
    listener = await listenGrpc(
      'grpc',
      '127.0.0.1',
      0,
      [
        createOtlpGrpcService({ pipeline, metrics, tenancy: {} }),
        createJaegerGrpcService({ pipeline, metrics, tenancy: {} }),
      ],
      { maxMessageBytes: 64 * 1024 },
    );
    client = rawIngestClient(`127.0.0.1:${listener.port}`);
  });
  after(async () => {
    client.close();
    await listener.close();
    await store.close();
  });

  const call = (method: IngestMethod, body: Uint8Array) => client.call(method, body);

  test('accepts spans and answers partial success for the invalid ones', async () => {
    const response = await call(
      'Export',
      encodeOtlpTraceRequestProto([span('1111111111111111'), span('2222222222222222', '0'.repeat(32))]),
    );
    const reader = new ProtoReader(response);
    assert.equal(reader.readTag(), (1 << 3) | 2, 'partial_success is present');
    reader.readLength();
    assert.equal(reader.readTag(), (1 << 3) | 0);
    assert.equal(reader.readInt64(), 1n, 'one rejected span');
    assert.equal((await store.getTrace(TRACE)).length, 1);
    assert.equal(metrics.spansRejected.get({ receiver: 'otlp-grpc', reason: 'invalid' }), 1);
  });

  test('a payload that does not decode is INVALID_ARGUMENT', async () => {
    for (const method of ['Export', 'PostSpans'] as const) {
      await assert.rejects(call(method, new Uint8Array([0x0a, 0xff, 0xff, 0x0f])), (error: ServiceError) => {
        assert.equal(error.code, status.INVALID_ARGUMENT);
        assert.match(error.details, /protobuf/);
        return true;
      });
    }
    assert.equal(metrics.requestsRejected.get({ receiver: 'jaeger-grpc', reason: 'invalid' }), 1);
  });

  test('too many spans is RESOURCE_EXHAUSTED; too many bytes too', async () => {
    const three = ['3333333333333333', '4444444444444444', '5555555555555555'].map((id) => span(id));
    await assert.rejects(call('Export', encodeOtlpTraceRequestProto(three)), { code: status.RESOURCE_EXHAUSTED });
    await assert.rejects(call('Export', new Uint8Array(64 * 1024 + 1)), { code: status.RESOURCE_EXHAUSTED });
  });

  test('a full pipeline is UNAVAILABLE with a RetryInfo detail', async () => {
    gated = true;
    const held = call('Export', encodeOtlpTraceRequestProto([span('6666666666666666')]));
    // Decoding happens in worker threads: wait until the first batch is in flight, not merely received.
    while (pipeline.inFlightSpans < 1) await new Promise((r) => setTimeout(r, 5));
    await assert.rejects(
      call('Export', encodeOtlpTraceRequestProto([span('7777777777777777')])),
      (error: ServiceError) => {
        assert.equal(error.code, status.UNAVAILABLE);
        const [details] = error.metadata.get('grpc-status-details-bin') as Buffer[];
        assert.ok(details, 'grpc-status-details-bin is sent');
        const text = details.toString('latin1');
        assert.ok(text.includes(RETRY_INFO_TYPE_URL), 'the detail is a google.rpc.RetryInfo');
        return true;
      },
    );
    // Refused before decoding: counted as a request, its spans never looked at.
    assert.equal(metrics.requestsRejected.get({ receiver: 'otlp-grpc', reason: 'overloaded' }), 1);
    release();
    await held;
    gated = false;
  });
});
