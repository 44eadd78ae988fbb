import assert from 'node:assert/strict';
import { test } from 'node:test';
import { fixedRowWindow } from './use-fixed-rows.js';

test('the rows in view and the overscan around them, at any count, clamped to the list', () => {
  // A million rows of 28 px, 800 px of viewport: 30 rows in view (one partly), 15 more each side.
  assert.deepEqual(fixedRowWindow(500_000, 800, 1_000_000, 28, 15), {
    first: 499_985,
    end: 500_045,
    viewFirst: 500_000,
    viewEnd: 500_030,
    totalHeight: 28_000_000,
  });
  // At the top and past the end (the list shrank under the scroll position).
  assert.deepEqual(fixedRowWindow(0, 800, 10, 28, 15), {
    first: 0,
    end: 10,
    viewFirst: 0,
    viewEnd: 10,
    totalHeight: 280,
  });
  assert.deepEqual(fixedRowWindow(5_000, 800, 10, 28, 15), {
    first: 0,
    end: 10,
    viewFirst: 9,
    viewEnd: 10,
    totalHeight: 280,
  });
  // No rows: nothing to draw.
  assert.deepEqual(fixedRowWindow(3, 800, 0, 28, 15), { first: 0, end: 0, viewFirst: 0, viewEnd: 0, totalHeight: 0 });
});
