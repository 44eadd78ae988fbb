import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { gzipSync } from 'node:zlib';
import { encodeJaegerThriftBatch, type Span } from '@ariadne/protocol';
import { createIngestPipeline } from '../pipeline/ingest-pipeline.js';
import { createJaegerHttpReceiver } from '../receivers/jaeger-http/jaeger-http-receiver.js';
import { createZipkinHttpReceiver } from '../receivers/zipkin-http/zipkin-http-receiver.js';
import { openMemoryStore } from '../storage/memory/memory-store.js';
import type { SpanStore } from '../storage/span-store.js';
import { IngestMetrics } from '../telemetry/ingest-metrics.js';
import { type Listener, listenHttp } from './listen.js';

const MAX_BODY = 16 * 1024;
const TRACE = '0af7651916cd43dd8448eb211c80319c';

const zipkinSpan = (id: string) => ({
  traceId: TRACE,
  id,
  name: 'get /cart',
  kind: 'SERVER',
  timestamp: 1_700_000_000_000_000,
  duration: 1500,
  localEndpoint: { serviceName: 'cart' },
});

const jaegerBatch = () =>
  encodeJaegerThriftBatch(
    {
      process: { serviceName: 'cart' },
      spans: [
        {
          traceIdHigh: 0x0af7651916cd43ddn,
          traceIdLow: 0x8448eb211c80319cn,
          spanId: 0x1234n,
          parentSpanId: 0n,
          operationName: 'thrift span',
          flags: 1,
          startTime: 1_700_000_000_000_000n,
          duration: 10n,
        },
      ],
    },
    'binary',
  );

describe('HTTP ingest (Zipkin and Jaeger receivers)', () => {
  let store: SpanStore;
  const metrics = new IngestMetrics();
  let zipkin: Listener;
  let jaeger: Listener;
  let release!: () => void;
  let gated = false;
  const gate = new Promise<void>((resolve) => {
    release = resolve;
  });

  before(async () => {
    store = openMemoryStore();
    const pipeline = createIngestPipeline(
      {
        async writeSpans(spans: readonly Span[]) {
          if (gated) await gate;
          await store.writeSpans(spans);
        },
      },
      { maxInFlightSpans: 1, metrics, limits: { maxSpansPerRequest: 3 } },
    );
    const options = { pipeline, metrics, tenancy: {}, maxBodyBytes: MAX_BODY };
    zipkin = await listenHttp(
      'zipkin',
      '127.0.0.1',
      0,
      createZipkinHttpReceiver({
        ...options,
        queryHandler: (request, response) =>
          response.writeHead(200).end(`query app got ${request.method} ${request.url}`),
      }),
    );
    jaeger = await listenHttp('jaeger-http', '127.0.0.1', 0, createJaegerHttpReceiver(options));
  });
  after(async () => {
    await zipkin.close();
    await jaeger.close();
    await store.close();
  });

  const post = (url: string, body: string | Uint8Array, headers: Record<string, string>) =>
    fetch(url, { method: 'POST', headers, body });

  test('valid bodies get 202 and are stored (gzip too, and JSON without a Content-Type for Zipkin)', async () => {
    const json = await post(`${zipkin.url}/api/v2/spans`, JSON.stringify([zipkinSpan('0000000000000001')]), {
      'Content-Type': 'application/json',
    });
    assert.equal(json.status, 202);
    const gz = await post(`${zipkin.url}/api/v2/spans`, gzipSync(JSON.stringify([zipkinSpan('0000000000000002')])), {
      'Content-Type': 'application/json',
      'Content-Encoding': 'gzip',
    });
    assert.equal(gz.status, 202);
    const bare = await fetch(`${zipkin.url}/api/v2/spans`, {
      method: 'POST',
      body: new Blob([JSON.stringify([zipkinSpan('0000000000000003')])]),
    });
    assert.equal(bare.status, 202);
    const thrift = await post(`${jaeger.url}/api/traces`, jaegerBatch(), { 'Content-Type': 'application/x-thrift' });
    assert.equal(thrift.status, 202);
    const names = (await store.getTrace(TRACE)).map((span) => span.name).sort();
    assert.deepEqual(names, ['get /cart', 'get /cart', 'get /cart', 'thrift span']);
    assert.equal(metrics.spansAccepted.get({ receiver: 'zipkin' }), 3);
    assert.equal(metrics.spansAccepted.get({ receiver: 'jaeger-http' }), 1);
  });

  test('bad bodies get 400 with a plain-text reason', async () => {
    const zipkinBad = await post(`${zipkin.url}/api/v2/spans`, '{"not":"a list"}', {
      'Content-Type': 'application/json',
    });
    assert.equal(zipkinBad.status, 400);
    assert.match(zipkinBad.headers.get('content-type') ?? '', /^text\/plain/);
    assert.ok((await zipkinBad.text()).length > 5);
    const jaegerBad = await post(`${jaeger.url}/api/traces`, new Uint8Array([0x0c, 0x00, 0x01, 0xff]), {
      'Content-Type': 'application/vnd.apache.thrift.binary',
    });
    assert.equal(jaegerBad.status, 400);
    assert.equal(metrics.requestsRejected.get({ receiver: 'jaeger-http', reason: 'invalid' }), 1);
  });

  test('413 past the body limit and past the spans-per-request limit; 415 for other content types', async () => {
    const big = await post(`${jaeger.url}/api/traces`, new Uint8Array(MAX_BODY + 1), {
      'Content-Type': 'application/x-thrift',
    });
    assert.equal(big.status, 413);
    const many = ['0000000000000004', '0000000000000005', '0000000000000006', '0000000000000007'].map(zipkinSpan);
    const tooMany = await post(`${zipkin.url}/api/v2/spans`, JSON.stringify(many), {
      'Content-Type': 'application/json',
    });
    assert.equal(tooMany.status, 413);
    assert.equal(metrics.spansRejected.get({ receiver: 'zipkin', reason: 'too_large' }), 4);
    const wrong = await post(`${jaeger.url}/api/traces`, '{}', { 'Content-Type': 'application/json' });
    assert.equal(wrong.status, 415);
    const v1Proto = await post(`${zipkin.url}/api/v1/spans`, 'x', { 'Content-Type': 'application/x-protobuf' });
    assert.equal(v1Proto.status, 415);
    assert.equal(metrics.requestsRejected.get({ receiver: 'zipkin', reason: 'unsupported_media_type' }), 1);
  });

  test('non-ingest requests on the Zipkin port go to the query handler; Jaeger answers 404/405', async () => {
    const query = await fetch(`${zipkin.url}/api/v2/services`);
    assert.equal(await query.text(), 'query app got GET /api/v2/services');
    const getSpans = await fetch(`${zipkin.url}/api/v2/spans?serviceName=cart`);
    assert.equal(await getSpans.text(), 'query app got GET /api/v2/spans?serviceName=cart');
    assert.equal((await fetch(`${jaeger.url}/api/traces`)).status, 405);
    assert.equal((await fetch(`${jaeger.url}/elsewhere`, { method: 'POST' })).status, 404);
  });

  test('a full pipeline answers 503 with Retry-After before reading the body', async () => {
    const invalidBefore = metrics.requestsRejected.get({ receiver: 'zipkin', reason: 'invalid' });
    gated = true;
    const held = post(`${jaeger.url}/api/traces`, jaegerBatch(), { 'Content-Type': 'application/x-thrift' });
    while (metrics.spansReceived.get({ receiver: 'jaeger-http' }) < 2) await new Promise((r) => setTimeout(r, 5));
    const refused = await post(`${zipkin.url}/api/v2/spans`, JSON.stringify([zipkinSpan('0000000000000009')]), {
      'Content-Type': 'application/json',
    });
    assert.equal(refused.status, 503);
    assert.equal(refused.headers.get('retry-after'), '1');
    // Refused before its body was read or decoded: even garbage gets 503, not 400.
    const garbage = await post(`${zipkin.url}/api/v2/spans`, '{ not json', { 'Content-Type': 'application/json' });
    assert.equal(garbage.status, 503);
    assert.equal(metrics.requestsRejected.get({ receiver: 'zipkin', reason: 'overloaded' }), 2);
    assert.equal(metrics.requestsRejected.get({ receiver: 'zipkin', reason: 'invalid' }), invalidBefore);
    release();
    assert.equal((await held).status, 202);
  });
});
