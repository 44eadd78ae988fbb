import assert from 'node:assert/strict';
import { test } from 'node:test';
import { isAriadneError } from '../errors.js';
import { decodeJaegerThriftBatch } from '../jaeger-thrift/decode-jaeger-thrift.js';
import { encodeJaegerThriftBatch, JaegerThriftTagType } from '../jaeger-thrift/encode-jaeger-thrift.js';
import { SpanKind, StatusCode } from '../model/span.js';
import { ProtoWriter } from '../protobuf/proto-writer.js';
import { decodeJaegerProtoBatch, decodeJaegerProtoPostSpans } from './decode-jaeger-proto.js';

/** Writes one length-delimited field whose body `body` writes. */
function message(w: ProtoWriter, field: number, body: (w: ProtoWriter) => void) {
  w.tag(field, 2);
  const mark = w.fork();
  body(w);
  w.join(mark);
}

function time(w: ProtoWriter, field: number, nanos: bigint) {
  message(w, field, (t) => {
    t.tag(1, 0);
    t.int64(nanos / 1_000_000_000n);
    t.tag(2, 0);
    t.int32(Number(nanos % 1_000_000_000n));
  });
}

type Tag = [key: string, type: number, write: (w: ProtoWriter) => void];
const str = (key: string, value: string): Tag => [
  key,
  0,
  (w) => {
    w.tag(3, 2);
    w.string(value);
  },
];

function keyValue(w: ProtoWriter, field: number, [key, type, write]: Tag) {
  message(w, field, (kv) => {
    kv.tag(1, 2);
    kv.string(key);
    if (type !== 0) {
      kv.tag(2, 0);
      kv.int32(type);
    }
    write(kv);
  });
}

const TRACE = '0af7651916cd43dd8448eb211c80319c';
const START = 1_700_000_000_123_456_789n;

/** A PostSpansRequest written field by field from jaeger-idl's model.proto. */
function postSpans(): Uint8Array {
  const w = new ProtoWriter();
  message(w, 1, (batch) => {
    message(batch, 1, (span) => {
      span.tag(1, 2);
      span.hexBytes(TRACE);
      span.tag(2, 2);
      span.hexBytes('b7ad6b7169203331');
      span.tag(3, 2);
      span.string('GET /cart');
      message(span, 4, (ref) => {
        ref.tag(1, 2);
        ref.hexBytes(TRACE);
        ref.tag(2, 2);
        ref.hexBytes('00f067aa0ba902b7');
        // ref_type CHILD_OF is 0, the default: not written
      });
      message(span, 4, (ref) => {
        ref.tag(1, 2);
        ref.hexBytes('4bf92f3577b34da6a3ce929d0e0e4736');
        ref.tag(2, 2);
        ref.hexBytes('1111111111111111');
        ref.tag(3, 0);
        ref.int32(1);
      });
      span.tag(5, 0);
      span.uint32(1);
      time(span, 6, START);
      time(span, 7, 250_000_001n);
      keyValue(span, 8, str('span.kind', 'server'));
      keyValue(span, 8, [
        'error',
        1,
        (kv) => {
          kv.tag(4, 0);
          kv.bool(true);
        },
      ]);
      keyValue(span, 8, [
        'http.status_code',
        2,
        (kv) => {
          kv.tag(5, 0);
          kv.int64(-7n);
        },
      ]);
      keyValue(span, 8, [
        'ratio',
        3,
        (kv) => {
          kv.tag(6, 1);
          kv.double(0.25);
        },
      ]);
      keyValue(span, 8, [
        'blob',
        4,
        (kv) => {
          kv.tag(7, 2);
          kv.bytesField(new Uint8Array([1, 2]));
        },
      ]);
      keyValue(span, 8, str('otel.scope.name', 'checkout-lib'));
      message(span, 9, (log) => {
        time(log, 1, START + 1_000n);
        keyValue(log, 2, str('event', 'retry'));
        keyValue(log, 2, str('attempt', '2'));
      });
      span.tag(11, 2);
      span.string('p1');
      span.tag(12, 2);
      span.string('a warning');
    });
    message(batch, 2, (process) => {
      process.tag(1, 2);
      process.string('checkout');
      keyValue(process, 2, str('hostname', 'host-1'));
    });
  });
  return w.finish();
}

test('a PostSpansRequest decodes every field the proto model carries', () => {
  const [span, ...rest] = decodeJaegerProtoPostSpans(postSpans());
  assert.equal(rest.length, 0);
  assert.ok(span);
  assert.equal(span.traceId, TRACE);
  assert.equal(span.spanId, 'b7ad6b7169203331');
  assert.equal(span.parentSpanId, '00f067aa0ba902b7', 'the CHILD_OF reference is the parent');
  assert.equal(span.name, 'GET /cart');
  assert.equal(span.flags, 1);
  assert.equal(span.kind, SpanKind.Server);
  assert.equal(span.startTimeUnixNano, START, 'nanoseconds survive');
  assert.equal(span.endTimeUnixNano, START + 250_000_001n);
  assert.deepEqual(span.status, { code: StatusCode.Error, message: '' });
  assert.deepEqual(span.scope.name, 'checkout-lib');
  assert.deepEqual(
    span.attributes.map((kv) => [kv.key, kv.value]),
    [
      ['http.status_code', { type: 'int', value: -7n }],
      ['ratio', { type: 'double', value: 0.25 }],
      ['blob', { type: 'bytes', value: new Uint8Array([1, 2]) }],
    ],
  );
  assert.equal(span.events.length, 1);
  assert.equal(span.events[0]?.name, 'retry');
  assert.equal(span.events[0]?.timeUnixNano, START + 1_000n);
  assert.deepEqual(span.events[0]?.attributes, [{ key: 'attempt', value: { type: 'string', value: '2' } }]);
  assert.equal(span.links.length, 1);
  assert.equal(span.links[0]?.traceId, '4bf92f3577b34da6a3ce929d0e0e4736');
  assert.deepEqual(span.links[0]?.attributes, [
    { key: 'opentracing.ref_type', value: { type: 'string', value: 'follows_from' } },
  ]);
  assert.deepEqual(
    span.resource.attributes.map((kv) => kv.key),
    ['service.name', 'host.name'],
  );
});

test('the proto and Thrift paths translate the same span the same way', () => {
  const thrift = decodeJaegerThriftBatch(
    encodeJaegerThriftBatch(
      {
        process: {
          serviceName: 'checkout',
          tags: [{ key: 'hostname', vType: JaegerThriftTagType.String, vStr: 'host-1' }],
        },
        spans: [
          {
            traceIdLow: 0x8448eb211c80319cn,
            traceIdHigh: 0x0af7651916cd43ddn,
            spanId: 0xb7ad6b7169203331n,
            parentSpanId: 0n,
            operationName: 'GET /cart',
            flags: 1,
            startTime: 1_700_000_000_123_456n,
            duration: 250_000n,
            tags: [{ key: 'span.kind', vType: JaegerThriftTagType.String, vStr: 'server' }],
          },
        ],
      },
      'binary',
    ),
    'binary',
  );
  const w = new ProtoWriter();
  message(w, 1, (span) => {
    span.tag(1, 2);
    span.hexBytes(TRACE);
    span.tag(2, 2);
    span.hexBytes('b7ad6b7169203331');
    span.tag(3, 2);
    span.string('GET /cart');
    span.tag(5, 0);
    span.uint32(1);
    time(span, 6, 1_700_000_000_123_456_000n);
    time(span, 7, 250_000_000n);
    keyValue(span, 8, str('span.kind', 'server'));
  });
  message(w, 2, (process) => {
    process.tag(1, 2);
    process.string('checkout');
    keyValue(process, 2, str('hostname', 'host-1'));
  });
  assert.deepEqual(decodeJaegerProtoBatch(w.finish()), thrift);
});

test('malformed input is InvalidPayload; an empty request is no spans', () => {
  assert.deepEqual(decodeJaegerProtoPostSpans(new Uint8Array(0)), []);
  for (const bytes of [new Uint8Array([0x0a, 0x05, 0x0a]), new Uint8Array([0x0a, 0x04, 0x0a, 0x02, 0x0a, 0x01])]) {
    assert.throws(
      () => decodeJaegerProtoPostSpans(bytes),
      (error) => isAriadneError(error, 'InvalidPayload'),
    );
  }
  const badId = new ProtoWriter();
  message(badId, 1, (batch) =>
    message(batch, 1, (span) => {
      span.tag(1, 2);
      span.hexBytes('0102');
    }),
  );
  assert.throws(() => decodeJaegerProtoPostSpans(badId.finish()), /trace id of 2 bytes/);
});
