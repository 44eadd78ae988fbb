import assert from 'node:assert/strict';
import { test } from 'node:test';
import { compactSeries, fmt, latencyText, refusalsText, targetRow } from './load-report.js';
import { summarizeLatencies } from './percentiles.js';

test('numbers read with separators; what was not measured reads as a dash, not 0', () => {
  assert.equal(fmt(48_500.4), '48,500');
  assert.equal(fmt(0.256, 2), '0.26');
  assert.equal(fmt(Number.NaN), '—');
  assert.equal(latencyText(summarizeLatencies([]), ['p50', 'p99']), '— (none measured)');
  assert.equal(latencyText(summarizeLatencies([4, 120, 2500]), ['p50', 'max']), '120 / 2,500 ms');
});

test('refusals list each status once, in order', () => {
  assert.equal(refusalsText({}), 'none');
  assert.equal(refusalsText({ '503': 2, '429': 1200 }), '429 × 1,200, 503 × 2');
});

test('a per-second series becomes aligned rows led by their first second', () => {
  const text = compactSeries([1, 22, 333, 4, 5], String, 2);
  assert.deepEqual(text.split('\n'), ['s0   1  22', 's2 333   4', 's4   5']);
});

test('target rows say met, missed or not measured', () => {
  assert.equal(targetRow('t', 'm', true), '| t | m | met |');
  assert.equal(targetRow('t', 'm', false), '| t | m | missed |');
  assert.equal(targetRow('t', 'm', undefined), '| t | m | not measured |');
});
