// The default body limit, 20 MiB after decompression, on a server started
// with the defaults: a gzip body that inflates to exactly the limit is taken
// by each HTTP receiver (OTLP, Jaeger Thrift, Zipkin), and one that inflates a
// byte past it is a 413, however small it is on the wire.
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { gzipSync } from 'node:zlib';
import { encodeJaegerThriftBatch, encodeOtlpTraceRequestProto, makeSpan, type Span } from '@ariadne/protocol';
import { DEFAULT_SERVE_CONFIG } from '@ariadne/server';
import { toJaegerThriftBatch, toZipkinV2Json } from '../bench/ingest/wire-payloads.js';
import { getJson, startTestServer, type TestServer } from './support/test-server.js';

const LIMIT = 20 * 1024 * 1024;

interface Receiver {
  readonly name: string;
  readonly url: string;
  readonly contentType: string;
  /** A valid request carrying `span`, padded with what the decoder skips to exactly `size` bytes. */
  readonly body: (span: Span, size: number) => Buffer;
}

/** `payload` with `size - payload.length` bytes after `at`, of which the first `header` are written by `fill`. */
function padded(payload: Uint8Array, at: number, size: number, header: number, fill: (out: Buffer) => void): Buffer {
  const out = Buffer.alloc(size);
  out.set(payload.subarray(0, at));
  fill(out.subarray(at, at + header));
  out.set(payload.subarray(at), size - (payload.length - at));
  return out;
}

function receiversOf(server: TestServer): Receiver[] {
  return [
    {
      name: 'otlp-http',
      url: `${server.otlpHttpUrl}/v1/traces`,
      contentType: 'application/x-protobuf',
      // An unknown field (15, bytes) after the spans, its length a 4-byte varint (up to 256 MiB).
      body: (span, size) => {
        const payload = encodeOtlpTraceRequestProto([span]);
        return padded(payload, payload.length, size, 5, (header) => {
          let length = size - payload.length - header.length;
          header[0] = (15 << 3) | 2;
          for (let i = 1; i < 5; i++, length >>>= 7) header[i] = (length & 0x7f) | (i < 4 ? 0x80 : 0);
        });
      },
    },
    {
      name: 'jaeger-http',
      url: `${server.urlOf('jaegerHttp')}/api/traces`,
      contentType: 'application/x-thrift',
      // An unknown field (99, binary) before the Batch's stop byte.
      body: (span, size) => {
        const payload = encodeJaegerThriftBatch(toJaegerThriftBatch([span]), 'binary');
        return padded(payload, payload.length - 1, size, 7, (header) => {
          header.writeInt8(11, 0);
          header.writeInt16BE(99, 1);
          header.writeInt32BE(size - payload.length - header.length, 3);
        });
      },
    },
    {
      name: 'zipkin',
      url: `${server.urlOf('zipkin')}/api/v2/spans`,
      contentType: 'application/json',
      // Whitespace after the JSON.
      body: (span, size) => {
        const payload = Buffer.from(toZipkinV2Json([span]));
        return padded(payload, payload.length, size, size - payload.length, (spaces) => spaces.fill(' '));
      },
    },
  ];
}

describe('the default body limit', () => {
  let server: TestServer;
  before(async () => {
    server = await startTestServer();
  });
  after(() => server.dispose());

  test('is 20 MiB', () => {
    assert.equal(DEFAULT_SERVE_CONFIG.maxBodyBytes, LIMIT);
  });

  test('a gzip body that inflates to the limit is taken; one byte more is a 413', async () => {
    const receivers = receiversOf(server);
    for (const [i, receiver] of receivers.entries()) {
      const traceId = `${'b0d7'.repeat(7)}000${i + 1}`;
      const span = makeSpan({ traceId, service: 'big-bodies', startTimeUnixNano: BigInt(Date.now()) * 1_000_000n });
      const post = (size: number) => {
        const body = receiver.body(span, size);
        assert.equal(body.length, size);
        return fetch(receiver.url, {
          method: 'POST',
          headers: { 'Content-Type': receiver.contentType, 'Content-Encoding': 'gzip' },
          body: gzipSync(body),
        });
      };
      const atLimit = await post(LIMIT);
      assert.ok(atLimit.ok, `${receiver.name}: ${atLimit.status} ${await atLimit.text()}`);
      const trace = await getJson<{ data: { spans: { spanID: string }[] }[] }>(
        `${server.queryUrl}/api/traces/${traceId}`,
      );
      assert.deepEqual(
        trace.data[0]?.spans.map((s) => s.spanID),
        [span.spanId],
        receiver.name,
      );

      const past = await post(LIMIT + 1);
      assert.equal(past.status, 413, receiver.name);
      assert.match(await past.text(), new RegExp(`${LIMIT}`), `${receiver.name}: the 413 names the limit`);
    }
    const metrics = await (await fetch(`${server.queryUrl}/metrics`)).text();
    for (const receiver of receivers) {
      assert.match(
        metrics,
        new RegExp(`ariadne_receiver_requests_rejected_total\\{reason="too_large",receiver="${receiver.name}"\\} 1\\n`),
      );
    }
  });
});
