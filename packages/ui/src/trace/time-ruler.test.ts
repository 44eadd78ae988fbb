import assert from 'node:assert/strict';
import { test } from 'node:test';
import { barGeometry, rulerTicks } from './time-ruler.js';

test('ruler ticks run from 0 to the trace duration', () => {
  assert.deepEqual(rulerTicks(4000), [
    { fraction: 0, label: '0µs' },
    { fraction: 0.25, label: '1ms' },
    { fraction: 0.5, label: '2ms' },
    { fraction: 0.75, label: '3ms' },
    { fraction: 1, label: '4ms' },
  ]);
  assert.equal(rulerTicks(1000, 2).length, 3);
});

test('bars sit at their offset with their share of the width', () => {
  assert.deepEqual(barGeometry(1000, 1000, 1000, 4000), { left: 0, width: 25 });
  assert.deepEqual(barGeometry(3000, 1000, 1000, 4000), { left: 50, width: 25 });
});

test('zero-length spans stay visible and no bar leaves the axis', () => {
  assert.deepEqual(barGeometry(5000, 0, 1000, 4000), { left: 99.8, width: 0.2 });
  const late = barGeometry(4000, 9000, 1000, 4000);
  assert.ok(late.left + late.width <= 100);
  assert.deepEqual(barGeometry(0, 0, 0, 0), { left: 0, width: 100 });
});
