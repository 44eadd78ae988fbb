import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { gzipSync } from 'node:zlib';
import { encodeOtlpTraceRequestJson, encodeOtlpTraceRequestProto, makeSpan, type Span } from '@ariadne/protocol';
import { type Listener, listenHttp } from '../../http/listen.js';
import { createIngestPipeline } from '../../pipeline/ingest-pipeline.js';
import { openMemoryStore } from '../../storage/memory/memory-store.js';
import type { SpanStore } from '../../storage/span-store.js';
import { IngestMetrics } from '../../telemetry/ingest-metrics.js';
import { createOtlpHttpReceiver } from './otlp-http-receiver.js';

const MAX_BODY = 64 * 1024;

function span(traceId: string, spanId: string, name = 'GET /'): Span {
  return makeSpan({
    traceId,
    spanId,
    name,
    service: 'web',
    endTimeUnixNano: 1_700_000_000_250_000_000n,
    attributes: [{ key: 'http.response.status_code', value: { type: 'int', value: 200n } }],
  });
}

const TRACE_A = '0af7651916cd43dd8448eb211c80319c';
const TRACE_B = '4bf92f3577b34da6a3ce929d0e0e4736';

describe('OTLP/HTTP receiver', () => {
  let store: SpanStore;
  let listener: Listener;
  let url: string;
  const metrics = new IngestMetrics();

  before(async () => {
    store = openMemoryStore();
    const pipeline = createIngestPipeline(store, { maxInFlightSpans: 10_000, metrics });
    listener = await listenHttp(
      'otlp',
      '127.0.0.1',
      0,
      createOtlpHttpReceiver({ pipeline, metrics, tenancy: {}, maxBodyBytes: MAX_BODY }),
    );
    url = `${listener.url}/v1/traces`;
  });
  after(async () => {
    await listener.close();
    await store.close();
  });

  const post = (body: Uint8Array | string, headers: Record<string, string>) =>
    fetch(url, { method: 'POST', headers, body });

  test('accepts protobuf, answers in protobuf, and the spans are stored', async () => {
    const response = await post(encodeOtlpTraceRequestProto([span(TRACE_A, 'b7ad6b7169203331')]), {
      'Content-Type': 'application/x-protobuf',
    });
    assert.equal(response.status, 200);
    assert.equal(response.headers.get('content-type'), 'application/x-protobuf');
    assert.equal((await response.arrayBuffer()).byteLength, 0, 'a full success is an empty ExportTraceServiceResponse');
    const stored = await store.getTrace(TRACE_A);
    assert.equal(stored[0]?.name, 'GET /');
  });

  test('accepts JSON and gzip, answers in JSON', async () => {
    const body = gzipSync(encodeOtlpTraceRequestJson([span(TRACE_B, '00f067aa0ba902b7', 'json span')]));
    const response = await post(body, { 'Content-Type': 'application/json', 'Content-Encoding': 'gzip' });
    assert.equal(response.status, 200);
    assert.match(response.headers.get('content-type') ?? '', /application\/json/);
    assert.deepEqual(await response.json(), {});
    assert.equal((await store.getTrace(TRACE_B))[0]?.name, 'json span');
  });

  test('rejects invalid spans one by one with partial success', async () => {
    const body = encodeOtlpTraceRequestJson([
      span(TRACE_A, '1111111111111111'),
      { ...span(TRACE_A, '2222222222222222'), traceId: '0'.repeat(32) },
    ]);
    const response = await post(body, { 'Content-Type': 'application/json' });
    assert.equal(response.status, 200);
    const answer = (await response.json()) as {
      partialSuccess?: { rejectedSpans?: string | number; errorMessage?: string };
    };
    assert.equal(Number(answer.partialSuccess?.rejectedSpans), 1);
    assert.ok(answer.partialSuccess?.errorMessage);
    assert.equal(metrics.spansRejected.get({ receiver: 'otlp-http', reason: 'invalid' }), 1);
  });

  test('malformed bodies get 400 with a google.rpc.Status that says what was wrong', async () => {
    const json = await post('{"resourceSpans": 7}', { 'Content-Type': 'application/json' });
    assert.equal(json.status, 400);
    const status = (await json.json()) as { code: number; message: string };
    assert.equal(status.code, 3);
    assert.match(status.message, /resourceSpans/);

    const proto = await post(new Uint8Array([0x0a, 0xff, 0xff, 0xff, 0xff, 0x0f]), {
      'Content-Type': 'application/x-protobuf',
    });
    assert.equal(proto.status, 400);
    assert.equal(proto.headers.get('content-type'), 'application/x-protobuf');

    const notGzip = await post('plain', { 'Content-Type': 'application/json', 'Content-Encoding': 'gzip' });
    assert.equal(notGzip.status, 400);
  });

  test('bodies past the limit get 413, also when a small gzip body inflates past it', async () => {
    const big = await post(new Uint8Array(MAX_BODY + 1), { 'Content-Type': 'application/x-protobuf' });
    assert.equal(big.status, 413);
    const bomb = gzipSync(Buffer.alloc(MAX_BODY * 16));
    assert.ok(bomb.length < MAX_BODY);
    const inflated = await post(bomb, { 'Content-Type': 'application/x-protobuf', 'Content-Encoding': 'gzip' });
    assert.equal(inflated.status, 413);
    assert.equal(metrics.requestsRejected.get({ receiver: 'otlp-http', reason: 'too_large' }), 2);
  });

  test('wrong content type, method or path get 415, 405, 404', async () => {
    assert.equal((await post('x', { 'Content-Type': 'text/plain' })).status, 415);
    assert.equal((await fetch(url)).status, 405);
    assert.equal((await fetch(`${listener.url}/v1/logs`, { method: 'POST' })).status, 404);
  });

  test('a full pipeline answers 429 with Retry-After, and other requests are unaffected', async () => {
    let release!: () => void;
    const gate = new Promise<void>((resolve) => {
      release = resolve;
    });
    const slowStore = openMemoryStore();
    const pipeline = createIngestPipeline(
      {
        writeSpans: async (spans) => {
          await gate;
          await slowStore.writeSpans(spans);
        },
      },
      { maxInFlightSpans: 1, metrics },
    );
    const slow = await listenHttp(
      'otlp',
      '127.0.0.1',
      0,
      createOtlpHttpReceiver({ pipeline, metrics, tenancy: {}, maxBodyBytes: MAX_BODY }),
    );
    try {
      const headers = { 'Content-Type': 'application/x-protobuf' };
      const held = fetch(`${slow.url}/v1/traces`, {
        method: 'POST',
        headers,
        body: encodeOtlpTraceRequestProto([span(TRACE_A, '3333333333333333')]),
      });
      while (pipeline.inFlightSpans === 0) await new Promise((resolve) => setTimeout(resolve, 5));
      const refused = await fetch(`${slow.url}/v1/traces`, {
        method: 'POST',
        headers,
        body: encodeOtlpTraceRequestProto([span(TRACE_B, '4444444444444444')]),
      });
      assert.equal(refused.status, 429);
      assert.equal(refused.headers.get('retry-after'), '1');
      release();
      assert.equal((await held).status, 200);
      assert.equal((await slowStore.getTrace(TRACE_A)).length, 1);
    } finally {
      await slow.close();
      await slowStore.close();
    }
  });
});
