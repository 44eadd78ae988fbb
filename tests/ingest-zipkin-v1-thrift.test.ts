// Zipkin v1 Thrift on a full server: `POST /api/v1/spans` with
// `application/x-thrift`, as py_zipkin sends it by default. The RPC span that
// both sides reported splits into a client half and a shared server half with
// one id: the Jaeger API reads them with ids of their own and the nesting, the
// Zipkin API as they were sent, and the server half's error tag once.
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import {
  encodeZipkinV1Thrift,
  type JaegerEnvelope,
  type JaegerSpan,
  type JaegerTrace,
  ZipkinAnnotationType,
} from '@ariadne/protocol';
import { startTestServer, type TestServer } from './support/test-server.js';

const TRACE = '00000000000000000000000000c0ffee';
const shop = { serviceName: 'shop', ipv4: '10.0.0.1', port: 8080 };
const cart = { serviceName: 'cart', ipv4: '10.0.0.2', port: 8081 };
const T = BigInt(Date.now() - 60_000) * 1000n;

const BODY = encodeZipkinV1Thrift([
  {
    traceId: 0xc0ffeen,
    id: 0xf0n,
    name: 'get /checkout',
    annotations: [
      { timestamp: T, value: 'sr', host: shop },
      { timestamp: T + 20_000n, value: 'ss', host: shop },
    ],
    binaryAnnotations: [
      { key: 'http.path', value: '/checkout', annotationType: ZipkinAnnotationType.String, host: shop },
    ],
  },
  {
    traceId: 0xc0ffeen,
    id: 0xa1n,
    parentId: 0xf0n,
    name: 'get /cart',
    annotations: [
      { timestamp: T + 1000n, value: 'cs', host: shop },
      { timestamp: T + 2000n, value: 'sr', host: cart },
      { timestamp: T + 9000n, value: 'ss', host: cart },
      { timestamp: T + 10_000n, value: 'cr', host: shop },
    ],
    binaryAnnotations: [
      { key: 'error', value: 'card declined', annotationType: ZipkinAnnotationType.String, host: cart },
    ],
  },
  {
    traceId: 0xc0ffeen,
    id: 0xb2n,
    parentId: 0xa1n,
    name: 'select items',
    timestamp: T + 3000n,
    duration: 4000n,
    binaryAnnotations: [{ key: 'lc', value: 'db', annotationType: ZipkinAnnotationType.String, host: cart }],
  },
]);

async function readTrace(queryUrl: string, spans: number): Promise<JaegerTrace> {
  for (let attempt = 0; attempt < 400; attempt++) {
    const response = await fetch(`${queryUrl}/api/traces/${TRACE}`);
    if (response.status === 200) {
      const body = (await response.json()) as JaegerEnvelope<JaegerTrace[]>;
      if (body.data[0] && body.data[0].spans.length >= spans) return body.data[0];
    } else await response.body?.cancel();
    await new Promise((resolve) => setTimeout(resolve, 25));
  }
  throw new Error(`trace ${TRACE} did not arrive with ${spans} spans`);
}

const kindOf = (span: JaegerSpan) => span.tags.find((t) => t.key === 'span.kind')?.value;

describe('Zipkin v1 Thrift receiver', () => {
  let server: TestServer;
  let spansUrl: string;
  before(async () => {
    server = await startTestServer();
    spansUrl = `${server.urlOf('zipkin')}/api/v1/spans`;
  });
  after(() => server.dispose());

  test('a py_zipkin trace is accepted and reads back through Jaeger with unique ids, one error tag', async () => {
    const response = await fetch(spansUrl, {
      method: 'POST',
      headers: { 'Content-Type': 'application/x-thrift' },
      body: BODY,
    });
    assert.equal(response.status, 202, await response.text());

    const trace = await readTrace(server.queryUrl, 4);
    assert.equal(trace.spans.length, 4);
    assert.equal(new Set(trace.spans.map((s) => s.spanID)).size, 4);
    const serviceOf = (span: JaegerSpan) => trace.processes[span.processID]?.serviceName;
    const root = trace.spans.find((s) => s.spanID === '00000000000000f0');
    const client = trace.spans.find((s) => kindOf(s) === 'client');
    const serverHalf = trace.spans.find((s) => kindOf(s) === 'server' && serviceOf(s) === 'cart');
    const child = trace.spans.find((s) => s.spanID === '00000000000000b2');
    assert.ok(root && client && serverHalf && child);
    assert.equal(client.spanID, '00000000000000a1');
    assert.equal(serviceOf(client), 'shop');
    assert.deepEqual(client.references[0]?.spanID, root.spanID);
    assert.notEqual(serverHalf.spanID, client.spanID);
    assert.deepEqual(serverHalf.references, [{ refType: 'CHILD_OF', traceID: trace.traceID, spanID: client.spanID }]);
    assert.deepEqual(child.references[0]?.spanID, serverHalf.spanID);

    const errorTags = serverHalf.tags.filter((t) => t.key.startsWith('error') || t.key.startsWith('otel.status'));
    assert.deepEqual(
      errorTags.map((t) => [t.key, t.type, t.value]),
      [
        ['error', 'bool', true],
        ['error.message', 'string', 'card declined'],
      ],
    );
    assert.equal(
      client.tags.some((t) => t.key === 'error'),
      false,
    );
  });

  test('the Zipkin API gives the halves back as Zipkin would: one id, the server half shared', async () => {
    await readTrace(server.queryUrl, 4);
    const response = await fetch(`${server.urlOf('zipkin')}/api/v2/trace/${TRACE}`);
    assert.equal(response.status, 200);
    const spans = (await response.json()) as { id: string; kind?: string; shared?: boolean; tags?: object }[];
    const halves = spans.filter((s) => s.id === '00000000000000a1');
    assert.deepEqual(halves.map((s) => [s.kind, s.shared ?? false]).sort(), [
      ['CLIENT', false],
      ['SERVER', true],
    ]);
    const failed = halves.find((s) => s.kind === 'SERVER');
    assert.deepEqual(failed?.tags, { error: 'card declined' });
  });

  test('malformed Thrift is a 400 that says so; other media types stay 415', async () => {
    const bad = await fetch(spansUrl, {
      method: 'POST',
      headers: { 'Content-Type': 'application/x-thrift' },
      body: BODY.subarray(0, BODY.length - 3),
    });
    assert.equal(bad.status, 400);
    assert.match(await bad.text(), /thrift/);
    const proto = await fetch(spansUrl, {
      method: 'POST',
      headers: { 'Content-Type': 'application/x-protobuf' },
      body: BODY,
    });
    assert.equal(proto.status, 415);
    await proto.body?.cancel();
  });
});
