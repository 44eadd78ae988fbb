import assert from 'node:assert/strict';
import { test } from 'node:test';
import { SERVICE_COLOR_COUNT, serviceColor, serviceColorIndex } from './service-colors.js';

test('a service always gets the same colour, whatever else is around', () => {
  assert.equal(serviceColorIndex('checkout'), serviceColorIndex('checkout'));
  assert.equal(serviceColor('checkout'), `var(--service-${serviceColorIndex('checkout')})`);
});

test('colours are within the palette and spread over it', () => {
  const used = new Set<number>();
  for (let i = 0; i < 200; i++) {
    const index = serviceColorIndex(`service-${i}`);
    assert.ok(Number.isInteger(index) && index >= 0 && index < SERVICE_COLOR_COUNT);
    used.add(index);
  }
  assert.equal(used.size, SERVICE_COLOR_COUNT);
});
