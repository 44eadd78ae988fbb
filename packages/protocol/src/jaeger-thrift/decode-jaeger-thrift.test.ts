import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { isAriadneError } from '../errors.js';
import { SpanKind, StatusCode } from '../model/span.js';
import { BinaryWriter } from '../thrift/binary-writer.js';
import { CompactWriter } from '../thrift/compact-writer.js';
import { type ThriftProtocol, TMessageType, TType } from '../thrift/thrift-type.js';
import { decodeJaegerAgentMessage, decodeJaegerThriftBatch } from './decode-jaeger-thrift.js';
import {
  encodeJaegerAgentMessage,
  encodeJaegerThriftBatch,
  type JaegerThriftBatch,
  type JaegerThriftSpan,
  JaegerThriftTagType as T,
} from './encode-jaeger-thrift.js';

const START = 1_700_000_000_123_456n; // microseconds
const str = (key: string, vStr: string) => ({ key, vType: T.String, vStr });

const rootSpan: JaegerThriftSpan = {
  traceIdLow: -0x123456789abcdefn, // ids are signed on the wire
  traceIdHigh: 0x0af7651916cd43ddn,
  spanId: 0x00f067aa0ba902b7n,
  parentSpanId: 0n,
  operationName: 'GET /checkout',
  flags: 1 | 2,
  startTime: START,
  duration: 2_500n,
  tags: [
    str('span.kind', 'server'),
    str('http.method', 'GET'),
    { key: 'http.status_code', vType: T.Long, vLong: 503n },
    { key: 'ratio', vType: T.Double, vDouble: 0.25 },
    { key: 'cache.hit', vType: T.Bool, vBool: false },
    { key: 'big', vType: T.Long, vLong: 9007199254740993n },
    { key: 'blob', vType: T.Binary, vBinary: new Uint8Array([0, 1, 255]) },
    { key: 'error', vType: T.Bool, vBool: true },
    str('otel.status_description', 'upstream down'),
    str('otel.scope.name', 'ariadne-http'),
    str('otel.scope.version', '1.2.3'),
    str('w3c.tracestate', 'vendor=abc'),
    str('http.method', 'POST'), // a repeated key replaces the value in place
    { key: 'odd', vType: 99 },
  ],
  logs: [
    {
      timestamp: START + 10n,
      fields: [str('event', 'retry'), { key: 'attempt', vType: T.Long, vLong: 2n }],
    },
    { timestamp: START + 20n, fields: [str('message', 'slow query'), str('level', 'warn')] },
    { timestamp: START + 30n, fields: [] },
  ],
  incomplete: false,
};

const childSpan: JaegerThriftSpan = {
  traceIdLow: 42n,
  traceIdHigh: 0n, // a 64-bit trace id
  spanId: 7n,
  parentSpanId: 0n,
  operationName: 'SELECT',
  references: [
    { refType: 1, traceIdLow: 42n, traceIdHigh: 0n, spanId: 5n }, // FOLLOWS_FROM, same trace
    { refType: 0, traceIdLow: 42n, traceIdHigh: 0n, spanId: 6n }, // CHILD_OF, same trace: the parent
    { refType: 0, traceIdLow: 99n, traceIdHigh: 1n, spanId: 8n }, // CHILD_OF another trace: a link
  ],
  flags: 0,
  startTime: START + 100n,
  duration: 0n,
  tags: [
    str('span.kind', 'client'),
    { key: 'http.status_code', vType: T.Long, vLong: 404n },
    str('http.status_message', 'Not Found'),
    str('otel.library.name', 'old-lib'),
  ],
};

const batch: JaegerThriftBatch = {
  process: {
    serviceName: 'checkout',
    tags: [
      str('hostname', 'web-1'),
      str('jaeger.version', 'Node-3.19.0'),
      str('ip', '10.0.0.1'),
      { key: 'client-uuid', vType: T.String, vStr: 'abc' },
    ],
  },
  spans: [rootSpan, childSpan],
};

const protocols: ThriftProtocol[] = ['binary', 'compact'];

function checkDecoded(spans: ReturnType<typeof decodeJaegerThriftBatch>): void {
  assert.equal(spans.length, 2);
  const [root, child] = spans as [(typeof spans)[0], (typeof spans)[0]];

  assert.deepEqual(root.resource.attributes, [
    { key: 'service.name', value: { type: 'string', value: 'checkout' } },
    { key: 'ip', value: { type: 'string', value: '10.0.0.1' } },
    { key: 'client-uuid', value: { type: 'string', value: 'abc' } },
    { key: 'host.name', value: { type: 'string', value: 'web-1' } },
    { key: 'opencensus.exporterversion', value: { type: 'string', value: 'Jaeger-Node-3.19.0' } },
  ]);
  assert.equal(child.resource, root.resource, 'one resource object per batch');

  assert.equal(root.traceId, '0af7651916cd43ddfedcba9876543211');
  assert.equal(root.spanId, '00f067aa0ba902b7');
  assert.equal(root.parentSpanId, '');
  assert.equal(root.name, 'GET /checkout');
  assert.equal(root.kind, SpanKind.Server);
  assert.equal(root.flags, 1, 'sampled kept, debug dropped');
  assert.equal(root.traceState, 'vendor=abc');
  assert.equal(root.startTimeUnixNano, START * 1000n);
  assert.equal(root.endTimeUnixNano, (START + 2_500n) * 1000n);
  assert.deepEqual(root.status, { code: StatusCode.Error, message: 'upstream down' });
  assert.deepEqual(root.scope, { name: 'ariadne-http', version: '1.2.3', attributes: [], droppedAttributesCount: 0 });
  assert.deepEqual(root.attributes, [
    { key: 'http.method', value: { type: 'string', value: 'POST' } },
    { key: 'http.status_code', value: { type: 'int', value: 503n } },
    { key: 'ratio', value: { type: 'double', value: 0.25 } },
    { key: 'cache.hit', value: { type: 'bool', value: false } },
    { key: 'big', value: { type: 'int', value: 9007199254740993n } },
    { key: 'blob', value: { type: 'bytes', value: new Uint8Array([0, 1, 255]) } },
    { key: 'odd', value: { type: 'string', value: '<Unknown Jaeger TagType 99>' } },
  ]);
  assert.deepEqual(root.events, [
    {
      timeUnixNano: (START + 10n) * 1000n,
      name: 'retry',
      attributes: [{ key: 'attempt', value: { type: 'int', value: 2n } }],
      droppedAttributesCount: 0,
    },
    {
      timeUnixNano: (START + 20n) * 1000n,
      name: 'slow query',
      attributes: [
        { key: 'message', value: { type: 'string', value: 'slow query' } },
        { key: 'level', value: { type: 'string', value: 'warn' } },
      ],
      droppedAttributesCount: 0,
    },
    { timeUnixNano: (START + 30n) * 1000n, name: '', attributes: [], droppedAttributesCount: 0 },
  ]);
  assert.deepEqual(root.links, []);

  assert.equal(child.traceId, '0000000000000000000000000000002a');
  assert.equal(child.spanId, '0000000000000007');
  assert.equal(child.parentSpanId, '0000000000000006', 'CHILD_OF in the same trace wins over FOLLOWS_FROM');
  assert.equal(child.kind, SpanKind.Client);
  assert.equal(child.flags, 0);
  assert.equal(child.endTimeUnixNano, child.startTimeUnixNano);
  assert.deepEqual(child.status, { code: StatusCode.Error, message: 'Not Found' }, 'a client 4xx is an error');
  assert.deepEqual(child.scope, { name: 'old-lib', version: '', attributes: [], droppedAttributesCount: 0 });
  assert.deepEqual(
    child.links.map((l) => [l.traceId, l.spanId, l.attributes[0]?.value]),
    [
      ['0000000000000000000000000000002a', '0000000000000005', { type: 'string', value: 'follows_from' }],
      ['00000000000000010000000000000063', '0000000000000008', { type: 'string', value: 'child_of' }],
    ],
  );
  assert.deepEqual(
    child.attributes.map((a) => a.key),
    ['http.status_code', 'http.status_message'],
  );
}

for (const protocol of protocols) {
  describe(`jaeger thrift, ${protocol} protocol`, () => {
    test('a bare batch decodes with every field translated', () => {
      checkDecoded(decodeJaegerThriftBatch(encodeJaegerThriftBatch(batch, protocol), protocol));
    });

    test('an agent emitBatch message decodes the same', () => {
      checkDecoded(decodeJaegerAgentMessage(encodeJaegerAgentMessage(batch, protocol, 3), protocol));
    });

    test('truncation at every byte only ever throws InvalidPayload', () => {
      const bytes = encodeJaegerAgentMessage(batch, protocol);
      for (let cut = 0; cut < bytes.length; cut++) {
        assert.throws(
          () => decodeJaegerAgentMessage(bytes.subarray(0, cut), protocol),
          (e) => isAriadneError(e, 'InvalidPayload'),
          `cut at ${cut}`,
        );
      }
    });

    test('corrupted and random bytes only ever throw InvalidPayload', () => {
      const good = encodeJaegerThriftBatch(batch, protocol);
      let seed = 99;
      const random = () => {
        seed = (seed * 1103515245 + 12345) & 0x7fffffff;
        return seed;
      };
      for (let round = 0; round < 3000; round++) {
        const bytes = good.slice();
        if (round % 3 === 2) for (let i = 0; i < bytes.length; i++) bytes[i] = random() & 0xff;
        else for (let k = 0; k <= round % 4; k++) bytes[random() % bytes.length] = random() & 0xff;
        for (const decode of [decodeJaegerThriftBatch, decodeJaegerAgentMessage]) {
          try {
            decode(bytes, protocol);
          } catch (error) {
            if (!isAriadneError(error, 'InvalidPayload')) throw error;
          }
        }
      }
    });

    test('blank spans are dropped and an empty batch is empty', () => {
      const w = protocol === 'binary' ? new BinaryWriter() : new CompactWriter();
      w.writeStructBegin();
      w.writeFieldBegin(TType.List, 2);
      w.writeListBegin(TType.Struct, 2);
      w.writeFieldStop(); // a blank span
      w.writeStructBegin();
      w.writeFieldBegin(TType.I32, 100); // an unknown field only: blank too
      w.writeI32(1);
      w.writeFieldStop();
      w.writeStructEnd();
      w.writeFieldStop();
      w.writeStructEnd();
      assert.deepEqual(decodeJaegerThriftBatch(w.finish(), protocol), []);
      assert.deepEqual(
        decodeJaegerThriftBatch(
          encodeJaegerThriftBatch({ process: { serviceName: '' }, spans: [] }, protocol),
          protocol,
        ),
        [],
      );
    });

    test('zero ids, negative times and trailing bytes are refused', () => {
      const refuse = (span: Partial<JaegerThriftSpan>, pattern: RegExp) => {
        const bytes = encodeJaegerThriftBatch(
          { process: { serviceName: 's' }, spans: [{ ...childSpan, ...span }] },
          protocol,
        );
        assert.throws(
          () => decodeJaegerThriftBatch(bytes, protocol),
          (e) => isAriadneError(e, 'InvalidPayload') && pattern.test((e as Error).message),
        );
      };
      refuse({ traceIdLow: 0n, traceIdHigh: 0n }, /spans\[0\]: trace id is zero/);
      refuse({ spanId: 0n }, /span id is zero/);
      refuse({ startTime: -1n }, /negative startTime/);
      refuse({ duration: -5n }, /negative duration/);
      const bytes = encodeJaegerThriftBatch(batch, protocol);
      const padded = new Uint8Array(bytes.length + 1);
      padded.set(bytes);
      assert.throws(() => decodeJaegerThriftBatch(padded, protocol), /1 unexpected trailing bytes/);
    });

    test('other agent methods and envelopes are refused', () => {
      const w = protocol === 'binary' ? new BinaryWriter() : new CompactWriter();
      w.writeMessageBegin('emitZipkinBatch', TMessageType.Oneway, 1);
      assert.throws(() => decodeJaegerAgentMessage(w.finish(), protocol), /unsupported method "emitZipkinBatch"/);
      const empty = protocol === 'binary' ? new BinaryWriter() : new CompactWriter();
      empty.writeMessageBegin('emitBatch', TMessageType.Oneway, 1);
      empty.writeFieldStop();
      assert.throws(() => decodeJaegerAgentMessage(empty.finish(), protocol), /without a batch/);
      const reply = protocol === 'binary' ? new BinaryWriter() : new CompactWriter();
      reply.writeMessageBegin('emitBatch', TMessageType.Reply, 1);
      reply.writeFieldStop();
      assert.throws(() => decodeJaegerAgentMessage(reply.finish(), protocol), /message type 2/);
    });
  });
}

test('status: otel.status_code, error=false, http fallbacks', () => {
  const decodeOne = (tags: JaegerThriftSpan['tags']) =>
    decodeJaegerThriftBatch(
      encodeJaegerThriftBatch({ process: { serviceName: 's' }, spans: [{ ...childSpan, tags }] }, 'compact'),
      'compact',
    )[0]!;
  let span = decodeOne([str('otel.status_code', 'ok'), str('otel.status_description', 'fine')]);
  assert.deepEqual(span.status, { code: StatusCode.Ok, message: 'fine' });
  assert.deepEqual(span.attributes, []);

  span = decodeOne([{ key: 'error', vType: T.Bool, vBool: false }, str('otel.status_code', 'ERROR')]);
  assert.equal(span.status.code, StatusCode.Error);
  assert.deepEqual(
    span.attributes.map((a) => a.key),
    ['error'],
    'error=false stays an attribute',
  );

  span = decodeOne([{ key: 'error', vType: T.Bool, vBool: true }, str('otel.status_code', 'OK')]);
  assert.equal(span.status.code, StatusCode.Error, 'error=true is the ultimate truth');
  assert.deepEqual(span.attributes, []);

  span = decodeOne([str('span.kind', 'server'), str('http.status_code', '404')]);
  assert.equal(span.status.code, StatusCode.Unset, 'a server 4xx is not an error');
  span = decodeOne([str('http.status_code', '200')]);
  assert.equal(span.status.code, StatusCode.Unset);
  span = decodeOne([{ key: 'http.status_code', vType: T.Long, vLong: 500n }]);
  assert.equal(span.status.code, StatusCode.Error);
  assert.equal(span.kind, SpanKind.Unspecified);
});
