import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { makeSpan, serviceResource } from '@ariadne/protocol';
import { decodeSpanBatch, encodeSpanBatch } from './span-batch.js';

describe('span batches', () => {
  it('round-trip every field, each batch on its own tables', () => {
    const spans = [
      makeSpan({
        traceId: '0af7651916cd43dd8448eb211c80319c',
        spanId: 'b7ad6b7169203331',
        name: 'GET /cart',
        resource: serviceResource('shop'),
        attributes: [
          { key: 'http.status_code', value: { type: 'int', value: 200n } },
          { key: 'note', value: { type: 'string', value: 'ünïcode' } },
        ],
        startTimeUnixNano: 1_700_000_000_000_000_001n,
        endTimeUnixNano: 1_700_000_000_500_000_000n,
      }),
      makeSpan({
        traceId: '0af7651916cd43dd8448eb211c80319c',
        spanId: '00000000000000a2',
        parentSpanId: 'b7ad6b7169203331',
        resource: serviceResource('cart'),
      }),
    ];
    const first = encodeSpanBatch(spans);
    const second = encodeSpanBatch(spans.slice(1));
    assert.deepEqual(decodeSpanBatch(second.bytes), spans.slice(1));
    assert.deepEqual(decodeSpanBatch(first.bytes), spans);
    assert.equal(first.spanCount, 2);
    // A span's content hash does not depend on the batch it came in.
    assert.deepEqual(first.hashes.subarray(2), second.hashes);
    assert.notDeepEqual(first.hashes.subarray(0, 2), first.hashes.subarray(2));
  });
});
