import assert from 'node:assert/strict';
import { test } from 'node:test';
import { makeSpan, serviceResource } from './make-span.js';
import { serviceNameOf } from './span.js';

test('defaults make a whole span; the end follows an overridden start', () => {
  const span = makeSpan({ startTimeUnixNano: 5n });
  assert.equal(span.endTimeUnixNano, 100_000_005n);
  assert.equal(span.traceId.length, 32);
  assert.equal(span.spanId.length, 16);
  assert.deepEqual(span.resource.attributes, []);
});

test('service names the resource unless a resource is given; fields override defaults', () => {
  assert.equal(serviceNameOf(makeSpan({ service: 'cart' }).resource), 'cart');
  const span = makeSpan({
    service: 'cart',
    resource: serviceResource('payments'),
    name: 'charge',
    endTimeUnixNano: 9n,
  });
  assert.equal(serviceNameOf(span.resource), 'payments');
  assert.equal(span.name, 'charge');
  assert.equal(span.endTimeUnixNano, 9n);
});
