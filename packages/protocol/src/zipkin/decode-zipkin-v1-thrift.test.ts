import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { isAriadneError } from '../errors.js';
import type { KeyValue } from '../model/any-value.js';
import { type Span, SpanKind, StatusCode } from '../model/span.js';
import { BinaryWriter } from '../thrift/binary-writer.js';
import { TType } from '../thrift/thrift-type.js';
import { decodeZipkinV1Json } from './decode-zipkin-v1-json.js';
import { decodeZipkinV1Thrift } from './decode-zipkin-v1-thrift.js';
import { encodeZipkinV1Thrift, ZipkinAnnotationType as T, type ZipkinV1ThriftSpan } from './encode-zipkin-v1-thrift.js';

const s = (value: string) => ({ type: 'string', value }) as const;
const i = (value: bigint) => ({ type: 'int', value }) as const;
const attrs = (span: Span) => Object.fromEntries(span.attributes.map((kv: KeyValue) => [kv.key, kv.value]));
const bytes = (...values: number[]) => Uint8Array.from(values);
const be = (write: (view: DataView) => void, length: number) => {
  const out = new Uint8Array(length);
  write(new DataView(out.buffer));
  return out;
};

function throwsInvalid(fn: () => unknown, pattern: RegExp): void {
  assert.throws(fn, (e) => isAriadneError(e, 'InvalidPayload') && pattern.test((e as Error).message));
}

const frontend = { serviceName: 'frontend', ipv4: '192.168.99.1', port: 8080 };
const backend = { serviceName: 'backend', ipv4: '192.168.99.101', port: 9000 };

/** py_zipkin's shape: one v1 span that both sides of an RPC reported. */
const RPC: ZipkinV1ThriftSpan = {
  traceId: 0xbd7a977555f6b982n,
  name: 'get',
  id: 0xbe2d01e33cc78d97n,
  parentId: 0xebf33e1a81dc6f71n,
  timestamp: 1458702548786000n,
  duration: 13000n,
  annotations: [
    { host: frontend, timestamp: 1458702548786000n, value: 'cs' },
    { host: backend, timestamp: 1458702548787000n, value: 'sr' },
    { host: backend, timestamp: 1458702548790000n, value: 'cache miss' },
    { host: backend, timestamp: 1458702548798000n, value: 'ss' },
    { host: frontend, timestamp: 1458702548799000n, value: 'cr' },
  ],
  binaryAnnotations: [
    { key: 'http.path', value: '/api', annotationType: T.String, host: backend },
    { key: 'retries', value: be((v) => v.setInt32(0, 2), 4), annotationType: T.I32, host: frontend },
    { key: 'sa', value: bytes(1), annotationType: T.Bool, host: backend },
    { key: 'ca', value: bytes(1), annotationType: T.Bool, host: { ...frontend, port: 53422 } },
  ],
};

/** The same span as v1 JSON, which Zipkin's server (and ours) reads to the same v2 spans. */
const RPC_JSON = [
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
];

describe('zipkin v1 thrift', () => {
  test('a span both sides reported: the same client and shared server spans as the v1 JSON body', () => {
    const spans = decodeZipkinV1Thrift(encodeZipkinV1Thrift([RPC]));
    assert.deepEqual(spans, decodeZipkinV1Json(JSON.stringify(RPC_JSON)));
    const [client, server] = spans as [Span, Span];
    assert.equal(spans.length, 2);
    assert.equal(client.kind, SpanKind.Client);
    assert.equal(server.kind, SpanKind.Server);
    assert.equal(client.spanId, 'be2d01e33cc78d97');
    assert.equal(server.spanId, 'be2d01e33cc78d97');
    assert.deepEqual(attrs(server)['zipkin.shared'], { type: 'bool', value: true });
    assert.deepEqual(attrs(client).retries, s('2'));
    assert.deepEqual(attrs(server)['net.peer.port'], i(53422n));
  });

  test('every binary annotation type becomes a tag as its text; malformed values and unknown types are dropped', () => {
    const f64 = be((v) => v.setFloat64(0, 0.25), 8);
    const [span] = decodeZipkinV1Thrift(
      encodeZipkinV1Thrift([
        {
          traceId: 1n,
          id: 2n,
          name: 'typed',
          timestamp: 10n,
          duration: 5n,
          binaryAnnotations: [
            { key: 'lc', value: 'worker', annotationType: T.String, host: { serviceName: 'batch' } },
            { key: 'str', value: 'ünïcødé ✓', annotationType: T.String },
            { key: 'yes', value: bytes(1), annotationType: T.Bool },
            { key: 'no', value: bytes(0), annotationType: T.Bool },
            { key: 'blob', value: bytes(0, 1, 254, 255), annotationType: T.Bytes },
            { key: 'i16', value: be((v) => v.setInt16(0, -2), 2), annotationType: T.I16 },
            { key: 'i32', value: be((v) => v.setInt32(0, 70000), 4), annotationType: T.I32 },
            { key: 'i64', value: be((v) => v.setBigInt64(0, -9223372036854775808n), 8), annotationType: T.I64 },
            { key: 'f64', value: f64, annotationType: T.Double },
            { key: 'short', value: bytes(1, 2), annotationType: T.I32 },
            { key: 'bool2', value: bytes(1, 1), annotationType: T.Bool },
            { key: 'odd', value: 'x', annotationType: 7 },
            // An address is `true` with an endpoint; anything else names none.
            { key: 'sa', value: bytes(1), annotationType: T.Bool },
            { key: 'ca', value: bytes(0), annotationType: T.Bool, host: { serviceName: 'x' } },
          ],
        },
      ]),
    );
    assert.ok(span);
    assert.deepEqual(span.resource.attributes, [{ key: 'service.name', value: s('batch') }]);
    assert.deepEqual(attrs(span), {
      lc: s('worker'),
      str: s('ünïcødé ✓'),
      yes: s('true'),
      no: s('false'),
      blob: s('AAH+/w=='),
      i16: s('-2'),
      i32: s('70000'),
      i64: s('-9223372036854775808'),
      f64: s('0.25'),
    });
  });

  test('ids: 128-bit trace ids, ids with the top bit set, a zero parent is a root', () => {
    const [span] = decodeZipkinV1Thrift(
      encodeZipkinV1Thrift([
        { traceId: -1n, traceIdHigh: 0x463ac35c9f6413adn, id: -2n, parentId: 0n, name: 'x', timestamp: 1n },
      ]),
    );
    assert.equal(span?.traceId, '463ac35c9f6413adffffffffffffffff');
    assert.equal(span?.spanId, 'fffffffffffffffe');
    assert.equal(span?.parentSpanId, '');
    const [short] = decodeZipkinV1Thrift(encodeZipkinV1Thrift([{ traceId: 0xabcn, id: 1n, name: 'x' }]));
    assert.equal(short?.traceId, '00000000000000000000000000000abc');
  });

  test('endpoints: the i32 address, ports above 32767 sent negative, IPv6, no address for zero', () => {
    const [span] = decodeZipkinV1Thrift(
      encodeZipkinV1Thrift([
        {
          traceId: 1n,
          id: 2n,
          name: 'serve',
          annotations: [
            { timestamp: 10n, value: 'sr', host: { serviceName: 'api', ipv4: '10.0.0.1', port: 65000 } },
            { timestamp: 20n, value: 'ss', host: { serviceName: 'api', ipv4: '10.0.0.1', port: 65000 } },
          ],
          binaryAnnotations: [
            {
              key: 'ca',
              value: bytes(1),
              annotationType: T.Bool,
              host: { serviceName: 'web', ipv4: 0, ipv6: bytes(0x20, 0x01, 0x0d, 0xb8, ...new Array(11).fill(0), 1) },
            },
          ],
        },
      ]),
    );
    assert.ok(span);
    assert.equal(span.kind, SpanKind.Server);
    assert.equal(span.startTimeUnixNano, 10_000n);
    assert.equal(span.endTimeUnixNano, 20_000n);
    assert.deepEqual(attrs(span), {
      'net.host.ip': s('10.0.0.1'),
      'net.host.port': i(65000n),
      'peer.service': s('web'),
      'net.peer.ip': s('2001:db8::1'),
      // No timestamp of its own and no client side: Zipkin's v1 convention for a shared server span.
      'zipkin.shared': { type: 'bool', value: true },
    });
  });

  test("a bool error tag, debug: py_zipkin's error marks the span failed and reads back as sent", () => {
    const [span] = decodeZipkinV1Thrift(
      encodeZipkinV1Thrift([
        {
          traceId: 1n,
          id: 2n,
          name: 'x',
          timestamp: 1n,
          debug: true,
          binaryAnnotations: [{ key: 'error', value: 'card declined', annotationType: T.String }],
        },
        {
          traceId: 1n,
          id: 3n,
          name: 'y',
          timestamp: 1n,
          binaryAnnotations: [{ key: 'error', value: bytes(1), annotationType: T.Bool }],
        },
      ]),
    );
    assert.deepEqual(span?.status, { code: StatusCode.Error, message: 'card declined' });
    assert.equal(span?.flags, 1, 'debug implies sampled');
    const [, flagged] = decodeZipkinV1Thrift(
      encodeZipkinV1Thrift([
        { traceId: 1n, id: 2n, name: 'x' },
        {
          traceId: 1n,
          id: 3n,
          name: 'y',
          binaryAnnotations: [{ key: 'error', value: bytes(1), annotationType: T.Bool }],
        },
      ]),
    );
    assert.deepEqual(flagged?.status, { code: StatusCode.Error, message: '' });
  });

  test('fields of another type than the IDL says, and unknown fields, are skipped', () => {
    const w = new BinaryWriter();
    w.writeListBegin(TType.Struct, 1);
    w.writeFieldBegin(TType.I64, 1);
    w.writeI64(7n);
    w.writeFieldBegin(TType.I32, 3); // name as an i32: skipped
    w.writeI32(5);
    w.writeFieldBegin(TType.I64, 4);
    w.writeI64(9n);
    w.writeFieldBegin(TType.Map, 40); // unknown
    w.writeMapBegin(TType.String, TType.List, 1);
    w.writeString('k');
    w.writeListBegin(TType.I16, 2);
    w.writeI16(1);
    w.writeI16(2);
    w.writeFieldBegin(TType.String, 10); // timestamp as a string: skipped
    w.writeString('soon');
    w.writeFieldStop();
    const [span] = decodeZipkinV1Thrift(w.finish());
    assert.equal(span?.spanId, '0000000000000009');
    assert.equal(span?.name, '');
    assert.equal(span?.startTimeUnixNano, 0n);
  });

  test('an empty list is no spans', () => {
    assert.deepEqual(decodeZipkinV1Thrift(encodeZipkinV1Thrift([])), []);
  });

  test('malformed input is an InvalidPayload', () => {
    const valid = encodeZipkinV1Thrift([RPC]);
    throwsInvalid(() => decodeZipkinV1Thrift(new Uint8Array()), /bytes needed/);
    throwsInvalid(() => decodeZipkinV1Thrift(valid.subarray(0, valid.length - 1)), /thrift binary/);
    throwsInvalid(() => decodeZipkinV1Thrift(Uint8Array.of(...valid, 0)), /trailing/);
    // A JSON body sent as Thrift.
    throwsInvalid(() => decodeZipkinV1Thrift(new TextEncoder().encode('[{"traceId":"1"}]')), /thrift binary/);
    throwsInvalid(
      () => decodeZipkinV1Thrift(Uint8Array.of(TType.I64, 0, 0, 0, 1, 0, 0, 0, 0, 0, 0, 0, 1)),
      /list of spans/,
    );
    throwsInvalid(() => decodeZipkinV1Thrift(encodeZipkinV1Thrift([{ traceId: 0n, id: 1n, name: 'x' }])), /trace_id/);
    throwsInvalid(() => decodeZipkinV1Thrift(encodeZipkinV1Thrift([{ traceId: 1n, id: 0n, name: 'x' }])), /\.id/);
    throwsInvalid(
      () => decodeZipkinV1Thrift(encodeZipkinV1Thrift([{ traceId: 1n, id: 1n, name: 'x', timestamp: -1n }])),
      /timestamp: negative/,
    );
    throwsInvalid(
      () =>
        decodeZipkinV1Thrift(
          encodeZipkinV1Thrift([
            { traceId: 1n, id: 1n, name: 'x', annotations: [{ timestamp: -5n, value: 'cs', host: frontend }] },
          ]),
        ),
      /annotations\[0\]\.timestamp/,
    );
    // Missing ids.
    const w = new BinaryWriter();
    w.writeListBegin(TType.Struct, 1);
    w.writeFieldBegin(TType.I64, 1);
    w.writeI64(1n);
    w.writeFieldStop();
    throwsInvalid(() => decodeZipkinV1Thrift(w.finish()), /id: missing/);
    // A list claiming more spans than the bytes could hold.
    throwsInvalid(() => decodeZipkinV1Thrift(Uint8Array.of(TType.Struct, 0x7f, 0xff, 0xff, 0xff, 0)), /longer/);
  });
});
