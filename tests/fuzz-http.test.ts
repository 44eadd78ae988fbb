import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { gzipSync } from 'node:zlib';
import {
  encodeJaegerThriftBatch,
  encodeOtlpTraceRequestJson,
  encodeOtlpTraceRequestProto,
  ProtoReader,
  type Span,
} from '@ariadne/protocol';
import { type InputFormat, mutate } from '../bench/fuzz/mutations.js';
import {
  groupByResource,
  toJaegerThriftBatch,
  toZipkinProto,
  toZipkinV1Json,
  toZipkinV1Thrift,
  toZipkinV2Json,
} from '../bench/ingest/wire-payloads.js';
import { SeededRandom } from '../bench/workload/random.js';
import { StandardWorkload } from '../bench/workload/standard-workload.js';
import { getJson, startTestServer, type TestServer } from './support/test-server.js';

// Hostile requests against a real server, every HTTP receiver: wrong content
// types, gzip bombs, broken gzip, garbage, invalid UTF-8 and fuzzed bodies.
// Each gets a 4xx that says what was wrong (or a 200 when the fuzzed bytes
// happen to be valid), never a 5xx or a dropped connection, while well-formed
// requests sent beside them succeed and all their spans can be read back.

const MAX_BODY = 1024 * 1024;
const encoder = new TextEncoder();

interface Endpoint {
  readonly name: string;
  readonly url: string;
  readonly contentType: string;
  readonly format: InputFormat;
  readonly encode: (spans: readonly Span[]) => Uint8Array;
}

const text = (body: Uint8Array) => new TextDecoder().decode(body);
const jsonMessage = (body: Uint8Array) => {
  try {
    return String((JSON.parse(text(body)) as { message?: unknown }).message ?? '');
  } catch {
    return text(body);
  }
};
/** google.rpc.Status { int32 code = 1; string message = 2; } */
const rpcStatusMessage = (body: Uint8Array) => {
  const reader = new ProtoReader(body);
  let message = '';
  while (reader.pos < reader.end) {
    const tag = reader.readTag();
    if (tag === ((2 << 3) | 2)) message = reader.readString();
    else reader.skip(tag);
  }
  return message;
};

function endpointsOf(server: TestServer): Endpoint[] {
  const listeners = server.server.listeners as Partial<Record<string, { url: string }>>;
  const endpoints: Endpoint[] = [
    {
      name: 'otlp proto',
      url: `${server.otlpHttpUrl}/v1/traces`,
      contentType: 'application/x-protobuf',
      format: 'protobuf',
      encode: (spans) => encodeOtlpTraceRequestProto(spans).slice(),
    },
    {
      name: 'otlp json',
      url: `${server.otlpHttpUrl}/v1/traces`,
      contentType: 'application/json',
      format: 'json',
      encode: (spans) => encoder.encode(encodeOtlpTraceRequestJson(spans)),
    },
  ];
  const jaeger = listeners.jaegerHttp?.url;
  if (jaeger) {
    endpoints.push({
      name: 'jaeger thrift',
      url: `${jaeger}/api/traces`,
      contentType: 'application/x-thrift',
      format: 'thrift-binary',
      // One batch per service; the test sends spans of one service per request.
      encode: (spans) => encodeJaegerThriftBatch(toJaegerThriftBatch(spans), 'binary').slice(),
    });
  }
  const zipkin = listeners.zipkin?.url;
  if (zipkin) {
    endpoints.push(
      {
        name: 'zipkin v2 json',
        url: `${zipkin}/api/v2/spans`,
        contentType: 'application/json',
        format: 'json',
        encode: (spans) => encoder.encode(toZipkinV2Json(spans)),
      },
      {
        name: 'zipkin proto',
        url: `${zipkin}/api/v2/spans`,
        contentType: 'application/x-protobuf',
        format: 'protobuf',
        encode: (spans) => toZipkinProto(spans),
      },
      {
        name: 'zipkin v1 json',
        url: `${zipkin}/api/v1/spans`,
        contentType: 'application/json',
        format: 'json',
        encode: (spans) => encoder.encode(toZipkinV1Json(spans)),
      },
      {
        name: 'zipkin v1 thrift',
        url: `${zipkin}/api/v1/spans`,
        contentType: 'application/x-thrift',
        format: 'thrift-binary',
        encode: (spans) => toZipkinV1Thrift(spans),
      },
    );
  }
  return endpoints;
}

interface Answer {
  readonly status: number;
  readonly body: Uint8Array;
  /** The error message, however the receiver spells it: google.rpc.Status (protobuf or JSON) or text. */
  readonly message: string;
}

async function post(url: string, body: Uint8Array, headers: Record<string, string>): Promise<Answer> {
  const response = await fetch(url, { method: 'POST', headers, body });
  const bytes = new Uint8Array(await response.arrayBuffer());
  const type = response.headers.get('content-type') ?? '';
  const message = type.includes('protobuf')
    ? rpcStatusMessage(bytes)
    : type.includes('json')
      ? jsonMessage(bytes)
      : text(bytes);
  return { status: response.status, body: bytes, message };
}

const isSuccess = (status: number) => status >= 200 && status < 300;

describe('hostile HTTP requests', () => {
  let server: TestServer;
  let endpoints: Endpoint[];
  const workload = new StandardWorkload({ seed: 99, startTimeUnixNano: BigInt(Date.now() - 60_000) * 1_000_000n });
  /** Spans of one service per request, so every protocol can carry them. */
  const nextSpans = () => groupByResource(workload.spans(10))[0]!;
  const sentTraces = new Map<string, number>();

  before(async () => {
    server = await startTestServer({ maxBodyBytes: MAX_BODY });
    endpoints = endpointsOf(server);
  });
  after(() => server.dispose());

  /** Sends a well-formed request and remembers its spans, to read them back at the end. */
  async function sendValid(endpoint: Endpoint): Promise<void> {
    const spans = nextSpans();
    const response = await post(endpoint.url, endpoint.encode(spans), { 'Content-Type': endpoint.contentType });
    // OTLP answers 200, Jaeger's and Zipkin's collectors 202.
    assert.ok(
      isSuccess(response.status),
      `${endpoint.name}: a valid request got ${response.status}: ${response.message}`,
    );
    for (const span of spans) sentTraces.set(span.traceId, (sentTraces.get(span.traceId) ?? 0) + 1);
  }

  /** Sends a hostile request beside a valid one and checks the hostile one got `expected` with a message. */
  async function expectRefusal(
    endpoint: Endpoint,
    body: Uint8Array,
    headers: Record<string, string>,
    expected: number,
    mentions: RegExp,
  ): Promise<void> {
    const [response] = await Promise.all([post(endpoint.url, body, headers), sendValid(endpoint)]);
    assert.equal(response.status, expected, `${endpoint.name}: ${response.message.slice(0, 200)}`);
    assert.match(response.message, mentions, `${endpoint.name}: the ${expected} should say what was wrong`);
  }

  test('the receivers under test', () => {
    // OTLP always; Jaeger and Zipkin whenever the server runs their receivers.
    assert.ok(endpoints.length >= 2, endpoints.map((e) => e.name).join(', '));
  });

  test('a wrong content type is a 415 that names the accepted ones', async () => {
    for (const endpoint of endpoints) {
      await expectRefusal(
        endpoint,
        endpoint.encode(nextSpans()),
        { 'Content-Type': 'text/plain' },
        415,
        /text\/plain|content.type/i,
      );
    }
  });

  test('a gzip bomb is a 413, however small it is on the wire', async () => {
    const bomb = gzipSync(Buffer.alloc(64 * MAX_BODY));
    assert.ok(bomb.length < MAX_BODY / 4);
    for (const endpoint of endpoints) {
      await expectRefusal(
        endpoint,
        bomb,
        { 'Content-Type': endpoint.contentType, 'Content-Encoding': 'gzip' },
        413,
        /limit|large/i,
      );
    }
  });

  test('a body that is not the gzip it claims is a 400', async () => {
    for (const endpoint of endpoints) {
      const gzip = gzipSync(endpoint.encode(nextSpans()));
      await expectRefusal(
        endpoint,
        gzip.subarray(0, gzip.length >> 1),
        { 'Content-Type': endpoint.contentType, 'Content-Encoding': 'gzip' },
        400,
        /gzip|unexpected end/i,
      );
    }
  });

  test('garbage bodies are 400s', async () => {
    const garbage = new Uint8Array(300).fill(0xff);
    for (const endpoint of endpoints) {
      await expectRefusal(endpoint, garbage, { 'Content-Type': endpoint.contentType }, 400, /\w{4}/);
    }
  });

  /** A valid body with a Latin-1 "é" (0xe9, not UTF-8) inside the first `name` value. */
  function notUtf8(endpoint: Endpoint): Uint8Array {
    const valid = endpoint.encode(nextSpans());
    const marker = encoder.encode('"name":"');
    let at = -1;
    for (let i = 0; i + marker.length <= valid.length && at < 0; i++) {
      if (marker.every((byte, j) => valid[i + j] === byte)) at = i + marker.length;
    }
    assert.ok(at > 0, `${endpoint.name}: no name in the body`);
    return new Uint8Array([...valid.subarray(0, at), 0xe9, 0x41, ...valid.subarray(at)]);
  }

  test('OTLP JSON that is not UTF-8 is a 400', async () => {
    for (const endpoint of endpoints.filter((e) => e.format === 'json' && e.name.startsWith('otlp'))) {
      await expectRefusal(endpoint, notUtf8(endpoint), { 'Content-Type': endpoint.contentType }, 400, /utf-?8/i);
    }
  });

  test('Zipkin JSON that is not UTF-8 is a 400', async () => {
    for (const endpoint of endpoints.filter((e) => e.format === 'json' && e.name.startsWith('zipkin'))) {
      await expectRefusal(endpoint, notUtf8(endpoint), { 'Content-Type': endpoint.contentType }, 400, /utf-?8/i);
    }
  });

  test('fuzzed bodies get 2xx or a 4xx with a message, never a 5xx', async () => {
    const random = new SeededRandom(2026);
    for (const endpoint of endpoints) {
      const valid = endpoint.encode(nextSpans());
      const statuses = new Map<number, number>();
      for (let round = 0; round < 8; round++) {
        const bodies = Array.from({ length: 10 }, () => mutate(valid, endpoint.format, random).input);
        const responses = await Promise.all([
          ...bodies.map((body) => post(endpoint.url, body, { 'Content-Type': endpoint.contentType })),
          sendValid(endpoint),
        ]);
        for (const response of responses) {
          if (response === undefined) continue;
          statuses.set(response.status, (statuses.get(response.status) ?? 0) + 1);
          assert.ok(
            isSuccess(response.status) || (response.status >= 400 && response.status < 500),
            `${endpoint.name}: ${response.status}`,
          );
          if (!isSuccess(response.status)) assert.notEqual(response.message, '', `${endpoint.name}: empty message`);
        }
      }
      assert.ok((statuses.get(400) ?? 0) > 0, `${endpoint.name}: no fuzzed body was refused: ${[...statuses]}`);
    }
  });

  test('every span of every well-formed request sent beside them is readable', async () => {
    assert.ok(sentTraces.size > 0);
    for (const [traceId, count] of sentTraces) {
      const answer = await getJson<{ data: { spans: unknown[] }[] }>(`${server.queryUrl}/api/traces/${traceId}`);
      assert.equal(answer.data[0]?.spans.length, count, `trace ${traceId}`);
    }
  });
});
