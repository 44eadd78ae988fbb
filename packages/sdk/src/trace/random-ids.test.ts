import assert from 'node:assert/strict';
import { test } from 'node:test';
import { randomSpanId, randomTraceId } from './random-ids.js';

test('ids are lowercase hex of the right length, distinct across pool refills', () => {
  const seen = new Set<string>();
  for (let i = 0; i < 3000; i++) {
    const traceId = randomTraceId();
    const spanId = randomSpanId();
    assert.match(traceId, /^[0-9a-f]{32}$/);
    assert.match(spanId, /^[0-9a-f]{16}$/);
    assert.notEqual(traceId, '0'.repeat(32));
    seen.add(traceId);
  }
  assert.equal(seen.size, 3000);
});
