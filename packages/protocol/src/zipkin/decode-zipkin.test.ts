import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { isAriadneError } from '../errors.js';
import { findAttribute, type KeyValue } from '../model/any-value.js';
import { type Span, SpanKind, StatusCode } from '../model/span.js';
import { decodeZipkinProto } from './decode-zipkin-proto.js';
import { decodeZipkinV1Json } from './decode-zipkin-v1-json.js';
import { decodeZipkinV2Json } from './decode-zipkin-v2-json.js';

const s = (value: string) => ({ type: 'string', value }) as const;
const i = (value: bigint) => ({ type: 'int', value }) as const;
const attrs = (span: Span) => Object.fromEntries(span.attributes.map((kv: KeyValue) => [kv.key, kv.value]));

function throwsInvalid(fn: () => unknown, pattern?: RegExp): void {
  assert.throws(fn, (e) => isAriadneError(e, 'InvalidPayload') && (!pattern || pattern.test((e as Error).message)));
}

// The example span from Zipkin's quickstart documentation.
const DOCS_EXAMPLE = `[{
  "id": "352bff9a74ca9ad2",
  "traceId": "5af7183fb1d4cf5f",
  "parentId": "6b221d5bc9e6496c",
  "name": "get /api",
  "timestamp": 1556604172355737,
  "duration": 1431,
  "kind": "SERVER",
  "localEndpoint": { "serviceName": "backend", "ipv4": "192.168.99.1", "port": 3306 },
  "remoteEndpoint": { "ipv4": "172.19.0.2", "port": 58648 },
  "tags": { "http.method": "GET", "http.path": "/api" }
}]`;

describe('zipkin v2 json', () => {
  test('the documentation example, every field', () => {
    const [span, ...rest] = decodeZipkinV2Json(DOCS_EXAMPLE);
    assert.equal(rest.length, 0);
    assert.ok(span);
    assert.equal(span.traceId, '00000000000000005af7183fb1d4cf5f');
    assert.equal(span.spanId, '352bff9a74ca9ad2');
    assert.equal(span.parentSpanId, '6b221d5bc9e6496c');
    assert.equal(span.name, 'get /api');
    assert.equal(span.kind, SpanKind.Server);
    assert.equal(span.startTimeUnixNano, 1556604172355737000n);
    assert.equal(span.endTimeUnixNano, (1556604172355737n + 1431n) * 1000n);
    assert.equal(span.traceState, '');
    assert.equal(span.flags, 0);
    assert.deepEqual(span.status, { code: StatusCode.Unset, message: '' });
    assert.deepEqual(span.resource.attributes, [{ key: 'service.name', value: s('backend') }]);
    assert.equal(span.scope.name, '');
    assert.deepEqual(span.attributes, [
      { key: 'http.method', value: s('GET') },
      { key: 'http.path', value: s('/api') },
      { key: 'net.host.ip', value: s('192.168.99.1') },
      { key: 'net.host.port', value: i(3306n) },
      { key: 'net.peer.ip', value: s('172.19.0.2') },
      { key: 'net.peer.port', value: i(58648n) },
    ]);
    assert.deepEqual(span.events, []);
    assert.deepEqual(span.links, []);
  });

  test('bytes bodies and the stable network conventions', () => {
    const [span] = decodeZipkinV2Json(new TextEncoder().encode(DOCS_EXAMPLE), { networkConventions: 'stable' });
    assert.deepEqual(attrs(span!), {
      'http.method': s('GET'),
      'http.path': s('/api'),
      'network.local.address': s('192.168.99.1'),
      'network.local.port': i(3306n),
      'network.peer.address': s('172.19.0.2'),
      'network.peer.port': i(58648n),
    });
  });

  test('special tags: status, scope, resource, trace state, links, shared, debug, annotations', () => {
    const body = JSON.stringify([
      {
        traceId: '0AF7651916CD43DD8448EB211C80319C',
        id: 'b7ad6b7169203331',
        parentId: 'b7ad6b7169203331', // its own id: not a parent
        kind: 'CLIENT',
        name: 'charge',
        timestamp: 1_700_000_000_000_001,
        duration: 7,
        debug: true,
        shared: true,
        localEndpoint: { serviceName: 'payments', ipv6: '2001:db8::1', ipv4: '10.0.0.1' },
        remoteEndpoint: { serviceName: 'bank', ipv4: '10.0.0.2', port: 443 },
        annotations: [
          { timestamp: 1_700_000_000_000_002, value: 'retry' },
          { timestamp: 1_700_000_000_000_003, value: 'exception|{"exception.type":"E","n":2,"x":1.5,"ok":true}|1' },
          { timestamp: 1_700_000_000_000_004, value: 'a|not json|1' },
        ],
        tags: {
          error: 'card declined',
          'otel.status_code': 'ERROR',
          'otel.scope.name': 'payments-lib',
          'otel.scope.version': '2.0',
          'w3c.tracestate': 'rojo=00f067aa0ba902b7',
          'deployment.environment': 'prod',
          'otlp.link.0': '4bf92f3577b34da6a3ce929d0e0e4736|00f067aa0ba902b7|k=v|{"link.attr":"x"}|3',
          'http.status_code': 402,
        },
      },
    ]);
    const [span] = decodeZipkinV2Json(body);
    assert.ok(span);
    assert.equal(span.traceId, '0af7651916cd43dd8448eb211c80319c');
    assert.equal(span.parentSpanId, '');
    assert.equal(span.kind, SpanKind.Client);
    assert.equal(span.flags, 1, 'debug implies sampled');
    assert.equal(span.traceState, 'rojo=00f067aa0ba902b7');
    assert.deepEqual(span.status, { code: StatusCode.Error, message: 'card declined' });
    assert.deepEqual(span.scope, { name: 'payments-lib', version: '2.0', attributes: [], droppedAttributesCount: 0 });
    assert.deepEqual(span.resource.attributes, [
      { key: 'service.name', value: s('payments') },
      { key: 'deployment.environment', value: s('prod') },
    ]);
    // Beside otel.status_code, the error tag is OpenTelemetry's exporter repeating the status: not kept twice.
    assert.deepEqual(attrs(span), {
      'http.status_code': s('402'),
      'net.host.ip': s('2001:db8::1'),
      'peer.service': s('bank'),
      'net.peer.ip': s('10.0.0.2'),
      'net.peer.port': i(443n),
      'zipkin.shared': { type: 'bool', value: true },
      'zipkin.debug': { type: 'bool', value: true },
    });
    assert.deepEqual(span.links, [
      {
        traceId: '4bf92f3577b34da6a3ce929d0e0e4736',
        spanId: '00f067aa0ba902b7',
        traceState: 'k=v',
        attributes: [{ key: 'link.attr', value: s('x') }],
        droppedAttributesCount: 3,
        flags: 0,
      },
    ]);
    assert.deepEqual(
      span.events.map((e) => [e.timeUnixNano, e.name, e.attributes, e.droppedAttributesCount]),
      [
        [1_700_000_000_000_002_000n, 'retry', [], 0],
        [
          1_700_000_000_000_003_000n,
          'exception',
          [
            { key: 'exception.type', value: s('E') },
            { key: 'n', value: i(2n) },
            { key: 'x', value: { type: 'double', value: 1.5 } },
            { key: 'ok', value: { type: 'bool', value: true } },
          ],
          1,
        ],
        [1_700_000_000_000_004_000n, 'a|not json|1', [], 0],
      ],
    );
  });

  test('error=true, absent start, span.kind=internal, otel.status_code names', () => {
    const spans = decodeZipkinV2Json(
      JSON.stringify([
        { traceId: '1', id: '2', duration: 5, tags: { error: 'true', 'span.kind': 'internal' } },
        { traceId: '1', id: '3', tags: { 'otel.status_code': 'STATUS_CODE_OK', 'otel.status_description': 'd' } },
        { traceId: '1', id: '4', tags: { error: 'false' }, localEndpoint: null },
      ]),
    );
    const [a, b, c] = spans as [Span, Span, Span];
    assert.equal(a.traceId, '00000000000000000000000000000001');
    assert.equal(a.spanId, '0000000000000002');
    assert.equal(a.kind, SpanKind.Internal);
    assert.deepEqual(a.status, { code: StatusCode.Error, message: '' });
    assert.equal(a.startTimeUnixNano, 0n);
    assert.equal(a.endTimeUnixNano, 5000n);
    // Zipkin's own error tag stays as it was sent, so that it reads back the same.
    assert.deepEqual(attrs(a), {
      error: s('true'),
      'otel.zipkin.absentField.startTime': { type: 'bool', value: true },
    });
    assert.deepEqual(a.resource.attributes, []);
    assert.deepEqual(b.status, { code: StatusCode.Ok, message: 'd' });
    assert.equal(c.status.code, StatusCode.Unset);
    assert.deepEqual(findAttribute(c.attributes, 'error'), s('false'));
  });

  test('spans of one service share their resource object', () => {
    const spans = decodeZipkinV2Json(
      JSON.stringify([1, 2, 3].map((n) => ({ traceId: 'a', id: String(n), localEndpoint: { serviceName: 'svc' } }))),
    );
    assert.equal(spans[0]?.resource, spans[2]?.resource);
  });

  test('malformed input is an InvalidPayload naming the field', () => {
    throwsInvalid(() => decodeZipkinV2Json('{"not":"an array"}'), /expected an array/);
    throwsInvalid(() => decodeZipkinV2Json('[{"traceId":'), /not JSON/);
    throwsInvalid(() => decodeZipkinV2Json('[1]'), /spans\[0\]: expected an object/);
    throwsInvalid(() => decodeZipkinV2Json('[{"traceId":"a"}]'), /spans\[0\]\.id/);
    throwsInvalid(() => decodeZipkinV2Json('[{"traceId":"a","id":"0000"}]'), /id is zero/);
    throwsInvalid(() => decodeZipkinV2Json('[{"traceId":"xyz","id":"1"}]'), /spans\[0\]\.traceId/);
    throwsInvalid(() => decodeZipkinV2Json(`[{"traceId":"${'1'.repeat(33)}","id":"1"}]`), /traceId/);
    throwsInvalid(() => decodeZipkinV2Json('[{"traceId":"1","id":"1","timestamp":-1}]'), /timestamp/);
    throwsInvalid(() => decodeZipkinV2Json('[{"traceId":"1","id":"1","tags":{"a":{}}}]'), /tags\.a/);
    throwsInvalid(() => decodeZipkinV2Json('[{"traceId":"1","id":"1","localEndpoint":{"port":70000}}]'), /port/);
    throwsInvalid(() => decodeZipkinV2Json('[{"traceId":"1","id":"1","annotations":{}}]'), /annotations/);
    throwsInvalid(() => decodeZipkinV2Json(`${'['.repeat(100_000)}${']'.repeat(100_000)}`));
    throwsInvalid(() => decodeZipkinV2Json(new Uint8Array([0xff, 0xfe, 0x00])));
    assert.deepEqual(decodeZipkinV2Json('[]'), []);
  });
});

describe('zipkin v1 json', () => {
  const frontend = { serviceName: 'frontend', ipv4: '192.168.99.1', port: 8080 };
  const backend = { serviceName: 'backend', ipv4: '192.168.99.101', port: 9000 };

  test('a span both sides reported splits into a client span and a shared server span', () => {
    const body = JSON.stringify([
      {
        traceId: 'bd7a977555f6b982',
        name: 'get',
        id: 'be2d01e33cc78d97',
        parentId: 'ebf33e1a81dc6f71',
        timestamp: 1458702548786000,
        duration: 13000,
        annotations: [
          { endpoint: frontend, timestamp: 1458702548786000, value: 'cs' },
          { endpoint: backend, timestamp: 1458702548787000, value: 'sr' },
          { endpoint: backend, timestamp: 1458702548790000, value: 'cache miss' },
          { endpoint: backend, timestamp: 1458702548798000, value: 'ss' },
          { endpoint: frontend, timestamp: 1458702548799000, value: 'cr' },
        ],
        binaryAnnotations: [
          { key: 'http.path', value: '/api', endpoint: backend },
          { key: 'retries', value: 2, endpoint: frontend },
          { key: 'sa', value: true, endpoint: backend },
          { key: 'ca', value: true, endpoint: { ...frontend, port: 53422 } },
        ],
      },
    ]);
    const [client, server, ...rest] = decodeZipkinV1Json(body);
    assert.equal(rest.length, 0);
    assert.ok(client && server);
    for (const span of [client, server]) {
      assert.equal(span.traceId, '0000000000000000bd7a977555f6b982');
      assert.equal(span.spanId, 'be2d01e33cc78d97');
      assert.equal(span.parentSpanId, 'ebf33e1a81dc6f71');
      assert.equal(span.name, 'get');
    }
    assert.equal(client.kind, SpanKind.Client);
    assert.equal(client.startTimeUnixNano, 1458702548786000000n);
    assert.equal(client.endTimeUnixNano, 1458702548799000000n);
    assert.deepEqual(client.resource.attributes, [{ key: 'service.name', value: s('frontend') }]);
    assert.deepEqual(attrs(client), {
      retries: s('2'),
      'net.host.ip': s('192.168.99.1'),
      'net.host.port': i(8080n),
      'peer.service': s('backend'),
      'net.peer.ip': s('192.168.99.101'),
      'net.peer.port': i(9000n),
    });
    assert.deepEqual(client.events, []);

    assert.equal(server.kind, SpanKind.Server);
    assert.equal(server.startTimeUnixNano, 1458702548787000000n);
    assert.equal(server.endTimeUnixNano, 1458702548798000000n);
    assert.deepEqual(server.resource.attributes, [{ key: 'service.name', value: s('backend') }]);
    assert.deepEqual(attrs(server), {
      'http.path': s('/api'),
      'net.host.ip': s('192.168.99.101'),
      'net.host.port': i(9000n),
      'peer.service': s('frontend'),
      'net.peer.ip': s('192.168.99.1'),
      'net.peer.port': i(53422n),
      'zipkin.shared': { type: 'bool', value: true },
    });
    assert.deepEqual(
      server.events.map((e) => [e.name, e.timeUnixNano]),
      [['cache miss', 1458702548790000000n]],
    );
  });

  test('a local span with a local component and no core annotations', () => {
    const [span] = decodeZipkinV1Json(
      JSON.stringify([
        {
          traceId: '463ac35c9f6413ad48485a3953bb6124',
          id: 'a',
          name: 'compute',
          timestamp: 10,
          duration: 20,
          debug: true,
          binaryAnnotations: [
            { key: 'lc', value: 'worker', endpoint: { serviceName: 'batch' } },
            { key: 'sa', value: true }, // an address without an endpoint carries nothing
          ],
        },
      ]),
    );
    assert.ok(span);
    assert.equal(span.traceId, '463ac35c9f6413ad48485a3953bb6124');
    assert.equal(span.spanId, '000000000000000a');
    assert.equal(span.parentSpanId, '');
    assert.equal(span.kind, SpanKind.Unspecified);
    assert.equal(span.startTimeUnixNano, 10_000n);
    assert.equal(span.endTimeUnixNano, 30_000n);
    assert.deepEqual(span.resource.attributes, [{ key: 'service.name', value: s('batch') }]);
    assert.deepEqual(attrs(span), { lc: s('worker'), 'zipkin.debug': { type: 'bool', value: true } });
  });

  test('malformed v1 input is an InvalidPayload', () => {
    throwsInvalid(() => decodeZipkinV1Json('{}'), /expected an array/);
    throwsInvalid(
      () => decodeZipkinV1Json('[{"traceId":"1","id":"1","annotations":[{"value":1}]}]'),
      /annotations\[0\]\.value/,
    );
    throwsInvalid(
      () => decodeZipkinV1Json('[{"traceId":"1","id":"1","binaryAnnotations":[{"key":"k","value":[]}]}]'),
      /value/,
    );
  });
});

/** Minimal protobuf writer for building ListOfSpans by hand. */
const pb = {
  varint(n: bigint | number): number[] {
    let v = BigInt(n);
    const out: number[] = [];
    while (v >= 0x80n) {
      out.push(Number(v & 0x7fn) | 0x80);
      v >>= 7n;
    }
    out.push(Number(v));
    return out;
  },
  field(number: number, wire: number, payload: number[]): number[] {
    return [...pb.varint((number << 3) | wire), ...payload];
  },
  bytes(number: number, payload: number[] | Uint8Array): number[] {
    return pb.field(number, 2, [...pb.varint(payload.length), ...payload]);
  },
  string(number: number, text: string): number[] {
    return pb.bytes(number, new TextEncoder().encode(text));
  },
  fixed64(number: number, value: bigint): number[] {
    const out: number[] = [];
    for (let k = 0n; k < 8n; k++) out.push(Number((value >> (8n * k)) & 0xffn));
    return pb.field(number, 1, out);
  },
  hex(text: string): number[] {
    return Array.from(Buffer.from(text, 'hex'));
  },
};

function protoExample(): Uint8Array {
  const span = [
    ...pb.bytes(1, pb.hex('5af7183fb1d4cf5f')),
    ...pb.bytes(2, pb.hex('6b221d5bc9e6496c')),
    ...pb.bytes(3, pb.hex('352bff9a74ca9ad2')),
    ...pb.field(4, 0, pb.varint(2)),
    ...pb.string(5, 'get /api'),
    ...pb.fixed64(6, 1556604172355737n),
    ...pb.field(7, 0, pb.varint(1431)),
    ...pb.bytes(8, [...pb.string(1, 'backend'), ...pb.bytes(2, [192, 168, 99, 1]), ...pb.field(4, 0, pb.varint(3306))]),
    ...pb.bytes(9, [
      ...pb.string(1, 'frontend'),
      ...pb.bytes(3, [0x20, 0x01, 0x0d, 0xb8, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1]),
      ...pb.field(4, 0, pb.varint(58648)),
    ]),
    ...pb.bytes(10, [...pb.fixed64(1, 1556604172355800n), ...pb.string(2, 'wr')]),
    ...pb.bytes(11, [...pb.string(1, 'http.method'), ...pb.string(2, 'GET')]),
    ...pb.bytes(11, [...pb.string(1, 'http.path'), ...pb.string(2, '/api')]),
    ...pb.field(13, 0, pb.varint(1)),
    ...pb.field(99, 0, pb.varint(5)), // an unknown field
  ];
  const second = [
    ...pb.bytes(1, pb.hex('463ac35c9f6413ad48485a3953bb6124')),
    ...pb.bytes(3, pb.hex('a2fb4a1d1a96d312')),
  ];
  return new Uint8Array([...pb.bytes(1, span), ...pb.bytes(1, second)]);
}

describe('zipkin proto3', () => {
  test('ListOfSpans decodes with every field', () => {
    const [span, second, ...rest] = decodeZipkinProto(protoExample());
    assert.equal(rest.length, 0);
    assert.ok(span && second);
    assert.equal(span.traceId, '00000000000000005af7183fb1d4cf5f');
    assert.equal(span.parentSpanId, '6b221d5bc9e6496c');
    assert.equal(span.spanId, '352bff9a74ca9ad2');
    assert.equal(span.kind, SpanKind.Server);
    assert.equal(span.name, 'get /api');
    assert.equal(span.startTimeUnixNano, 1556604172355737000n);
    assert.equal(span.endTimeUnixNano, 1556604172357168000n);
    assert.deepEqual(span.resource.attributes, [{ key: 'service.name', value: s('backend') }]);
    assert.deepEqual(attrs(span), {
      'http.method': s('GET'),
      'http.path': s('/api'),
      'net.host.ip': s('192.168.99.1'),
      'net.host.port': i(3306n),
      'peer.service': s('frontend'),
      'net.peer.ip': s('2001:db8::1'),
      'net.peer.port': i(58648n),
      'zipkin.shared': { type: 'bool', value: true },
    });
    assert.deepEqual(
      span.events.map((e) => [e.name, e.timeUnixNano]),
      [['wr', 1556604172355800000n]],
    );
    assert.equal(second.traceId, '463ac35c9f6413ad48485a3953bb6124');
    assert.equal(second.parentSpanId, '');
    assert.equal(second.startTimeUnixNano, 0n);
  });

  test('truncation at every byte and random corruption only ever throw InvalidPayload', () => {
    const bytes = protoExample();
    let decodedCuts = 0;
    for (let cut = 1; cut < bytes.length; cut++) {
      try {
        // A cut can only decode on the boundary between the two spans.
        assert.equal(decodeZipkinProto(bytes.subarray(0, cut)).length, 1, `cut at ${cut}`);
        decodedCuts++;
      } catch (error) {
        if (!isAriadneError(error, 'InvalidPayload')) throw error;
      }
    }
    assert.equal(decodedCuts, 1);
    let seed = 7;
    const random = () => {
      seed = (seed * 1103515245 + 12345) & 0x7fffffff;
      return seed;
    };
    for (let round = 0; round < 3000; round++) {
      const copy = bytes.slice();
      if (round % 3 === 2) for (let k = 0; k < copy.length; k++) copy[k] = random() & 0xff;
      else for (let k = 0; k <= round % 4; k++) copy[random() % copy.length] = random() & 0xff;
      try {
        decodeZipkinProto(copy);
      } catch (error) {
        if (!isAriadneError(error, 'InvalidPayload')) throw error;
      }
    }
  });

  test('wrong id lengths, zero ids and absurd lengths are refused', () => {
    throwsInvalid(() => decodeZipkinProto(new Uint8Array(pb.bytes(1, pb.bytes(1, [1, 2, 3])))), /trace_id: 3 bytes/);
    throwsInvalid(
      () => decodeZipkinProto(new Uint8Array(pb.bytes(1, pb.bytes(1, pb.hex('01'.repeat(8)))))),
      /id: missing/,
    );
    throwsInvalid(
      () =>
        decodeZipkinProto(
          new Uint8Array(pb.bytes(1, [...pb.bytes(1, pb.hex('01'.repeat(8))), ...pb.bytes(3, new Array(8).fill(0))])),
        ),
      /id is zero/,
    );
    throwsInvalid(() => decodeZipkinProto(new Uint8Array([0x0a, 0xff, 0xff, 0xff, 0xff, 0x07])), /length/);
    assert.deepEqual(decodeZipkinProto(new Uint8Array()), []);
  });
});
