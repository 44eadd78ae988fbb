// What ingest loses or changes, as GET /metrics on the query port tells it:
// undecodable datagrams on the Jaeger agent ports, spans the agent ports drop
// (too many per datagram, a time out of range) and attributes the span limits
// drop or truncate, by receiver and reason, counted exactly as sent.
import assert from 'node:assert/strict';
import { createSocket } from 'node:dgram';
import { after, before, describe, test } from 'node:test';
import { isDeepStrictEqual } from 'node:util';
import {
  encodeJaegerAgentMessage,
  encodeOtlpTraceRequestProto,
  type JaegerThriftSpan,
  type JaegerThriftTag,
  JaegerThriftTagType,
  type KeyValue,
  makeSpan,
  type ThriftProtocol,
} from '@ariadne/protocol';
import { startTestServer, type TestServer } from './support/test-server.js';

/** The counters under test; every series of theirs is compared, so an unexpected label set fails too. */
const COUNTERS = [
  'ariadne_receiver_datagrams_dropped_total',
  'ariadne_receiver_spans_dropped_total',
  'ariadne_pipeline_attributes_limited_total',
];

/** Every series of `COUNTERS` in a Prometheus text exposition, by name and labels. */
function series(metrics: string): Record<string, number> {
  const out: Record<string, number> = {};
  for (const line of metrics.split('\n')) {
    if (!COUNTERS.some((name) => line.startsWith(`${name}{`))) continue;
    const at = line.lastIndexOf(' ');
    out[line.slice(0, at)] = Number(line.slice(at + 1));
  }
  return out;
}

const tag = (key: string, value: string): JaegerThriftTag => ({ key, vType: JaegerThriftTagType.String, vStr: value });
const attribute = (key: string, value: string): KeyValue => ({ key, value: { type: 'string', value } });
const now = () => BigInt(Date.now()) * 1000n;

function jaegerSpan(spanId: bigint, fields: Partial<JaegerThriftSpan> = {}): JaegerThriftSpan {
  return {
    traceIdHigh: 0x6n,
    traceIdLow: 0x7n,
    spanId,
    parentSpanId: 0n,
    operationName: 'agent span',
    flags: 1,
    startTime: now(),
    duration: 10n,
    ...fields,
  };
}

describe('/metrics counts what ingest dropped and limited', () => {
  let server: TestServer;
  before(async () => {
    server = await startTestServer({
      storage: 'memory',
      limits: { maxSpansPerRequest: 4, maxAttributesPerSpan: 3, maxAttributeValueLength: 8 },
    });
  });
  after(() => server.dispose());

  test('by receiver and reason, exactly as sent', async () => {
    const socket = createSocket('udp4');
    const send = (protocol: ThriftProtocol, bytes: Uint8Array) => {
      const port = server.server.listeners[protocol === 'compact' ? 'jaegerCompact' : 'jaegerBinary']!.port;
      return new Promise<void>((resolve, reject) =>
        socket.send(bytes, port, '127.0.0.1', (error) => (error ? reject(error) : resolve())),
      );
    };
    const message = (protocol: ThriftProtocol, spans: JaegerThriftSpan[]) =>
      encodeJaegerAgentMessage({ process: { serviceName: 'agent' }, spans }, protocol);
    try {
      // Undecodable: noise, and each port's valid message in the other protocol.
      for (const bytes of [new Uint8Array([1, 2, 3]), new Uint8Array(100).fill(0xff), message('binary', [])]) {
        await send('compact', bytes);
      }
      for (const bytes of [new Uint8Array([1, 2, 3]), message('compact', [])]) await send('binary', bytes);
      // Decoded, then dropped whole: five spans past the limit of four, and a start time past the year 2262.
      await send(
        'binary',
        message(
          'binary',
          [1n, 2n, 3n, 4n, 5n].map((id) => jaegerSpan(id)),
        ),
      );
      await send('binary', message('binary', [jaegerSpan(6n, { startTime: 1n << 62n })]));
      // Kept, with five tags of which two are past the limit of three, and one value longer than eight.
      const tags = [tag('a', 'long value'), tag('b', 'ok'), tag('c', 'ok'), tag('d', 'ok'), tag('e', 'ok')];
      await send('compact', message('compact', [jaegerSpan(7n, { tags })]));
    } finally {
      socket.close();
    }
    // Over HTTP: one attribute past the limit on the span, two on its event, and one value truncated.
    const attributes = ['a', 'b', 'c', 'd'].map((key) => attribute(key, key === 'b' ? 'much too long' : 'ok'));
    const span = makeSpan({
      traceId: '00000000000000060000000000000008',
      service: 'otlp',
      startTimeUnixNano: now() * 1000n,
      attributes,
      events: [
        {
          timeUnixNano: now() * 1000n,
          name: 'e',
          attributes: [...attributes, attribute('e', 'ok')],
          droppedAttributesCount: 0,
        },
      ],
    });
    const otlp = await fetch(`${server.otlpHttpUrl}/v1/traces`, {
      method: 'POST',
      headers: { 'Content-Type': 'application/x-protobuf' },
      body: encodeOtlpTraceRequestProto([span]),
    });
    assert.equal(otlp.status, 200);

    const expected = {
      'ariadne_receiver_datagrams_dropped_total{reason="invalid",receiver="jaeger-compact"}': 3,
      'ariadne_receiver_datagrams_dropped_total{reason="invalid",receiver="jaeger-binary"}': 2,
      'ariadne_receiver_spans_dropped_total{reason="too_large",receiver="jaeger-binary"}': 5,
      'ariadne_receiver_spans_dropped_total{reason="invalid",receiver="jaeger-binary"}': 1,
      'ariadne_pipeline_attributes_limited_total{reason="attribute_limit",receiver="jaeger-compact"}': 2,
      'ariadne_pipeline_attributes_limited_total{reason="truncated",receiver="jaeger-compact"}': 1,
      'ariadne_pipeline_attributes_limited_total{reason="attribute_limit",receiver="otlp-http"}': 3,
      'ariadne_pipeline_attributes_limited_total{reason="truncated",receiver="otlp-http"}': 2,
    };
    // Datagrams are handled after they were sent: read until every one is counted.
    let counted: Record<string, number> = {};
    for (let attempt = 0; attempt < 400; attempt++) {
      counted = series(await (await fetch(`${server.queryUrl}/metrics`)).text());
      if (isDeepStrictEqual(counted, expected)) break;
      await new Promise((resolve) => setTimeout(resolve, 25));
    }
    assert.deepEqual(counted, expected);
  });
});
