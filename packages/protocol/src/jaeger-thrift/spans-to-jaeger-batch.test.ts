import assert from 'node:assert/strict';
import { test } from 'node:test';
import { findAttribute } from '../model/any-value.js';
import { sampleSpans } from '../otlp/sample-spans.js';
import { decodeJaegerAgentMessage, decodeJaegerThriftBatch } from './decode-jaeger-thrift.js';
import { encodeJaegerAgentMessage, encodeJaegerThriftBatch } from './encode-jaeger-thrift.js';
import { spansToJaegerBatches } from './spans-to-jaeger-batch.js';

test('spans survive translation to jaeger.thrift and back through the decoder', () => {
  const spans = sampleSpans();
  const batches = spansToJaegerBatches(spans);
  assert.deepEqual(
    batches.map((b) => [b.process.serviceName, b.spans.length]),
    [
      ['checkout', 3],
      ['payments', 1],
    ],
  );
  const decoded = batches.flatMap((b) => decodeJaegerThriftBatch(encodeJaegerThriftBatch(b, 'binary'), 'binary'));
  const byId = new Map(decoded.map((s) => [s.spanId, s]));
  for (const sent of spans) {
    const got = byId.get(sent.spanId);
    assert.ok(got, `span ${sent.spanId} came back`);
    assert.equal(got.traceId, sent.traceId);
    assert.equal(got.parentSpanId, sent.parentSpanId);
    assert.equal(got.name, sent.name);
    assert.equal(got.kind, sent.kind);
    assert.deepEqual(got.status, sent.status);
    assert.equal(got.flags, sent.flags & 1);
    assert.equal(got.traceState, sent.traceState);
    // Jaeger keeps microseconds.
    assert.equal(got.startTimeUnixNano, (sent.startTimeUnixNano / 1000n) * 1000n);
    assert.equal(got.scope.name, sent.scope.name);
    assert.equal(got.events.length, sent.events.length);
    assert.deepEqual(
      got.links.map((l) => [l.traceId, l.spanId]),
      sent.links.map((l) => [l.traceId, l.spanId]),
    );
    for (const key of ['string', 'int min', 'int max', 'bool false', 'double', 'bytes']) {
      assert.deepEqual(findAttribute(got.attributes, key), findAttribute(sent.attributes, key), key);
    }
  }
  const full = byId.get('b7ad6b7169203331');
  assert.deepEqual(findAttribute(full?.attributes ?? [], 'array'), {
    type: 'string',
    value: '["a",-1,[true,null],[]]',
  });
  assert.deepEqual(findAttribute(full?.resource.attributes ?? [], 'service.instance.id'), { type: 'int', value: 7n });
  assert.equal(full?.events[0]?.name, 'exception');
});

test('an agent datagram in the compact protocol decodes to the same spans', () => {
  const [batch] = spansToJaegerBatches(sampleSpans().slice(1, 2));
  assert.ok(batch);
  const [span] = decodeJaegerAgentMessage(encodeJaegerAgentMessage(batch, 'compact'), 'compact');
  assert.equal(span?.traceId, '00000000000000000000000000000001');
  assert.equal(span?.parentSpanId, '');
});
