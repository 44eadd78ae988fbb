import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { dedupeSpans } from './dedupe-spans.js';
import { testSpan } from './test-spans.js';

describe('dedupeSpans', () => {
  it('keeps one of spans equal in id and content', () => {
    const a = testSpan({ spanId: '00000000000000a1' });
    const b = testSpan({ spanId: '00000000000000b2', parentSpanId: '00000000000000a1' });
    const copy = { ...a, attributes: [...a.attributes] };
    assert.deepEqual(dedupeSpans([a, b, copy, b]), [a, b]);
  });

  it('keeps spans that share an id but differ (the two halves of a Zipkin RPC)', () => {
    const client = testSpan({ spanId: '00000000000000a1', kind: 3 });
    const server = testSpan({ spanId: '00000000000000a1', kind: 2 });
    assert.deepEqual(dedupeSpans([client, server, client]), [client, server]);
  });

  it('returns a copy of the input when nothing repeats', () => {
    const spans = [testSpan({ spanId: '0000000000000001' }), testSpan({ spanId: '0000000000000002' })];
    const out = dedupeSpans(spans);
    assert.deepEqual(out, spans);
    assert.notEqual(out, spans);
  });
});
