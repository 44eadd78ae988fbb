import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { intValue } from '@ariadne/protocol';
import { testSpan } from '../query/test-spans.js';
import { TraceSpans } from './trace-spans.js';

describe('TraceSpans', () => {
  it('keeps a span equal in id and content once, even as a separate copy', () => {
    const trace = new TraceSpans();
    const a = testSpan({ spanId: '00000000000000a1' });
    const b = testSpan({ spanId: '00000000000000b2', parentSpanId: a.spanId });
    assert.equal(trace.add(a), true);
    assert.equal(trace.add(b), true);
    assert.equal(trace.add({ ...a, attributes: [...a.attributes] }), false);
    assert.equal(trace.add(b), false);
    assert.deepEqual(trace.spans, [a, b]);
  });

  it('keeps every span that shares an id but differs, each once', () => {
    const trace = new TraceSpans();
    const client = testSpan({ spanId: '00000000000000a1', kind: 3 });
    const server = testSpan({ spanId: '00000000000000a1', kind: 2, service: 'payment' });
    const resent = { ...server, attributes: [{ key: 'attempt', value: intValue(2) }] };
    for (const span of [client, server, client, resent, server, resent]) trace.add(span);
    assert.deepEqual(trace.spans, [client, server, resent]);
  });
});
