import assert from 'node:assert/strict';
import { test } from 'node:test';
import { percentileOfSorted, summarizeLatencies } from './percentiles.js';

test('nearest rank: a percentile is always a measured value', () => {
  const sorted = [1, 2, 3, 4, 5, 6, 7, 8, 9, 10];
  assert.equal(percentileOfSorted(sorted, 50), 5);
  assert.equal(percentileOfSorted(sorted, 51), 6);
  assert.equal(percentileOfSorted(sorted, 90), 9);
  assert.equal(percentileOfSorted(sorted, 99), 10);
  assert.equal(percentileOfSorted(sorted, 100), 10);
  assert.equal(percentileOfSorted(sorted, 0), 1);
  assert.equal(percentileOfSorted([42], 99), 42);
});

test('one slow request among a hundred is the p99 and the max, not the p95', () => {
  const values = [...Array.from({ length: 99 }, (_, i) => 10 + (i % 7)), 2500];
  const summary = summarizeLatencies(values);
  assert.equal(summary.count, 100);
  assert.equal(summary.max, 2500);
  assert.equal(summary.p99, 16);
  assert.ok(summary.p95 <= 16);
  const withTwo = summarizeLatencies([...values.slice(1), 2400]);
  assert.equal(withTwo.p99, 2400);
});

test('unsorted input is sorted numerically, not as text, and left untouched', () => {
  const values = [100, 9, 20, 3];
  const summary = summarizeLatencies(values);
  assert.deepEqual(values, [100, 9, 20, 3]);
  assert.equal(summary.p50, 9);
  assert.equal(summary.max, 100);
});

test('no timings give NaN, not zero', () => {
  const summary = summarizeLatencies([]);
  assert.equal(summary.count, 0);
  assert.ok(Number.isNaN(summary.p50) && Number.isNaN(summary.p99) && Number.isNaN(summary.max));
});
