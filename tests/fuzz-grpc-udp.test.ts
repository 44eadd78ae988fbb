// Hostile input on the ports without HTTP/1 answers: OTLP/gRPC Export and
// Jaeger gRPC PostSpans get garbage, fuzzed messages and a gzip bomb, and the
// Jaeger agent ports get hundreds of fuzzed datagrams. A gRPC call gets OK,
// INVALID_ARGUMENT or RESOURCE_EXHAUSTED with a message that says what was
// wrong, never INTERNAL or a dropped stream; the server stays up, and the
// well-formed calls and datagrams sent beside them are stored, every span.
import assert from 'node:assert/strict';
import { createSocket } from 'node:dgram';
import { connect } from 'node:http2';
import { after, before, describe, test } from 'node:test';
import { gzipSync } from 'node:zlib';
import {
  encodeJaegerAgentMessage,
  encodeOtlpTraceRequestProto,
  type Span,
  type ThriftProtocol,
} from '@ariadne/protocol';
import { status } from '@grpc/grpc-js';
import { fuzzTargets } from '../bench/fuzz/fuzz-targets.js';
import { mutate } from '../bench/fuzz/mutations.js';
import {
  groupByResource,
  toJaegerProtoBatch,
  toJaegerThriftBatch,
  wrapInPostSpans,
} from '../bench/ingest/wire-payloads.js';
import { SeededRandom } from '../bench/workload/random.js';
import { StandardWorkload } from '../bench/workload/standard-workload.js';
import { getJson, startTestServer, type TestServer } from './support/test-server.js';

const MAX_MESSAGE = 1024 * 1024;
/** The largest datagram a Jaeger client sends; the fuzzer's longer inputs are cut to it. */
const MAX_DATAGRAM = 65_000;

interface GrpcAnswer {
  readonly code: number;
  readonly message: string;
}

/**
 * One unary call, framed by hand so that the test controls every byte: the
 * message and, with `compressed`, the flag that says it is gzip (which
 * `message` must then already be). Status and message come from the trailers
 * (or the headers of a trailers-only answer).
 */
function unary(address: string, path: string, message: Uint8Array, compressed = false): Promise<GrpcAnswer> {
  return new Promise((resolve, reject) => {
    const session = connect(address.replace('grpc://', 'http://'));
    session.on('error', reject);
    const stream = session.request({
      ':method': 'POST',
      ':path': path,
      'content-type': 'application/grpc',
      te: 'trailers',
      ...(compressed ? { 'grpc-encoding': 'gzip' } : {}),
    });
    const frame = Buffer.alloc(5 + message.length);
    frame[0] = compressed ? 1 : 0;
    frame.writeUInt32BE(message.length, 1);
    frame.set(message, 5);
    let meta: Record<string, unknown> = {};
    stream.on('response', (headers) => {
      meta = { ...meta, ...headers };
    });
    stream.on('trailers', (trailers) => {
      meta = { ...meta, ...trailers };
    });
    stream.on('error', reject);
    stream.resume();
    stream.on('close', () => {
      session.close();
      if (meta['grpc-status'] === undefined) {
        reject(new Error(`${path}: the stream ended without a grpc-status (${stream.rstCode})`));
        return;
      }
      resolve({
        code: Number(meta['grpc-status']),
        message: decodeURIComponent(String(meta['grpc-message'] ?? '')),
      });
    });
    stream.end(frame);
  });
}

interface Method {
  readonly name: string;
  readonly port: 'otlpGrpc' | 'jaegerGrpc';
  readonly path: string;
  /** The fuzz target whose seeds are this method's valid messages. */
  readonly target: string;
  readonly encode: (spans: readonly Span[]) => Uint8Array;
}

const METHODS: readonly Method[] = [
  {
    name: 'OTLP Export',
    port: 'otlpGrpc',
    path: '/opentelemetry.proto.collector.trace.v1.TraceService/Export',
    target: 'otlp-proto',
    encode: (spans) => encodeOtlpTraceRequestProto(spans).slice(),
  },
  {
    name: 'Jaeger PostSpans',
    port: 'jaegerGrpc',
    path: '/jaeger.api_v2.CollectorService/PostSpans',
    target: 'jaeger-proto-post-spans',
    encode: (spans) => wrapInPostSpans(toJaegerProtoBatch(spans)),
  },
];

const ACCEPTABLE = new Set<number>([status.OK, status.INVALID_ARGUMENT, status.RESOURCE_EXHAUSTED]);

describe('hostile gRPC calls and UDP datagrams', () => {
  let server: TestServer;
  const targets = new Map(fuzzTargets().map((target) => [target.name, target]));
  const workload = new StandardWorkload({ seed: 41, startTimeUnixNano: BigInt(Date.now() - 60_000) * 1_000_000n });
  /** Spans of one service per call, so that Jaeger's one-process batches carry them. */
  const nextSpans = () => groupByResource(workload.spans(10))[0]!;
  const sentTraces = new Map<string, number>();
  const remember = (spans: readonly Span[]) => {
    for (const span of spans) sentTraces.set(span.traceId, (sentTraces.get(span.traceId) ?? 0) + 1);
  };

  before(async () => {
    server = await startTestServer({ maxBodyBytes: MAX_MESSAGE });
  });
  after(() => server.dispose());

  /** A well-formed call, whose spans are read back at the end. */
  async function sendValid(method: Method): Promise<void> {
    const spans = nextSpans();
    const answer = await unary(server.urlOf(method.port), method.path, method.encode(spans));
    assert.equal(answer.code, status.OK, `${method.name}: a valid call got ${answer.code}: ${answer.message}`);
    remember(spans);
  }

  /** A hostile call beside a valid one: it must get `expected` with a message that `mentions` what was wrong. */
  async function expectRefusal(
    method: Method,
    message: Uint8Array,
    compressed: boolean,
    expected: status,
    mentions: RegExp,
  ): Promise<void> {
    const [answer] = await Promise.all([
      unary(server.urlOf(method.port), method.path, message, compressed),
      sendValid(method),
    ]);
    assert.equal(answer.code, expected, `${method.name}: ${answer.code} ${answer.message.slice(0, 200)}`);
    assert.match(answer.message, mentions, `${method.name}: the answer should say what was wrong`);
  }

  test('garbage is INVALID_ARGUMENT', async () => {
    for (const method of METHODS) {
      await expectRefusal(method, new Uint8Array(300).fill(0xff), false, status.INVALID_ARGUMENT, /protobuf/i);
    }
  });

  test('a gzip bomb is RESOURCE_EXHAUSTED, however small it is on the wire', async () => {
    const bomb = gzipSync(Buffer.alloc(64 * MAX_MESSAGE));
    assert.ok(bomb.length < MAX_MESSAGE / 4);
    for (const method of METHODS) {
      await expectRefusal(method, bomb, true, status.RESOURCE_EXHAUSTED, new RegExp(`larger than ${MAX_MESSAGE}`));
    }
  });

  test('fuzzed messages get OK, INVALID_ARGUMENT or RESOURCE_EXHAUSTED with a message', async () => {
    const random = new SeededRandom(2027);
    for (const method of METHODS) {
      const seeds = targets.get(method.target)?.seeds ?? [];
      assert.ok(seeds.length > 0, `no seeds for ${method.target}`);
      const codes = new Map<number, number>();
      for (let round = 0; round < 8; round++) {
        const messages = Array.from({ length: 10 }, () => mutate(random.pick(seeds), 'protobuf', random).input);
        const [answers] = await Promise.all([
          Promise.all(messages.map((message) => unary(server.urlOf(method.port), method.path, message))),
          sendValid(method),
        ]);
        for (const answer of answers) {
          codes.set(answer.code, (codes.get(answer.code) ?? 0) + 1);
          assert.ok(ACCEPTABLE.has(answer.code), `${method.name}: ${answer.code} ${answer.message}`);
          if (answer.code !== status.OK) assert.notEqual(answer.message, '', `${method.name}: empty message`);
        }
      }
      assert.ok((codes.get(status.INVALID_ARGUMENT) ?? 0) > 0, `${method.name}: nothing refused: ${[...codes]}`);
    }
  });

  test('hundreds of fuzzed datagrams, then a valid emitBatch lands', async () => {
    const random = new SeededRandom(2028);
    const socket = createSocket('udp4');
    const send = (bytes: Uint8Array, port: number) =>
      new Promise<void>((resolve, reject) =>
        socket.send(bytes, port, '127.0.0.1', (error) => (error ? reject(error) : resolve())),
      );
    try {
      for (const protocol of ['compact', 'binary'] as ThriftProtocol[]) {
        const port = server.server.listeners[protocol === 'compact' ? 'jaegerCompact' : 'jaegerBinary']!.port;
        const seeds = targets.get(`jaeger-agent-${protocol}`)?.seeds ?? [];
        assert.ok(seeds.length > 0);
        for (let i = 0; i < 200; i++) {
          const datagram = random.chance(0.1)
            ? Uint8Array.from({ length: random.int(1, 512) }, () => random.int(0, 255))
            : mutate(random.pick(seeds), `thrift-${protocol}`, random).input;
          await send(datagram.subarray(0, MAX_DATAGRAM), port);
        }
        // One trace's spans of one service, so that they are all of the trace read back below.
        const spans = groupByResource(workload.nextTrace())[0]!;
        await send(encodeJaegerAgentMessage(toJaegerThriftBatch(spans), protocol), port);
        remember(spans);
        const traceId = spans[0]!.traceId;
        let stored = 0;
        for (let attempt = 0; attempt < 400 && stored < spans.length; attempt++) {
          const response = await fetch(`${server.queryUrl}/api/traces/${traceId}`);
          stored = response.ok
            ? ((await response.json()) as { data: { spans: unknown[] }[] }).data[0]!.spans.length
            : 0;
          if (stored < spans.length) await new Promise((resolve) => setTimeout(resolve, 25));
        }
        assert.equal(stored, spans.length, `${protocol}: the valid emitBatch after the fuzzed ones`);
      }
    } finally {
      socket.close();
    }
    const metrics = await (await fetch(`${server.queryUrl}/metrics`)).text();
    assert.match(
      metrics,
      /ariadne_receiver_datagrams_dropped_total\{reason="invalid",receiver="jaeger-compact"\} [1-9]/,
    );
    assert.match(
      metrics,
      /ariadne_receiver_datagrams_dropped_total\{reason="invalid",receiver="jaeger-binary"\} [1-9]/,
    );
  });

  test('the server is up, and every span of every well-formed call and datagram is readable', async () => {
    assert.equal((await fetch(`${server.queryUrl}/health`)).status, 200);
    assert.ok(sentTraces.size > 0);
    for (const [traceId, count] of sentTraces) {
      const answer = await getJson<{ data: { spans: unknown[] }[] }>(`${server.queryUrl}/api/traces/${traceId}`);
      assert.equal(answer.data[0]?.spans.length, count, `trace ${traceId}`);
    }
  });
});
