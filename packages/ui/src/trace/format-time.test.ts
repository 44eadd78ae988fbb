import assert from 'node:assert/strict';
import { test } from 'node:test';
import { formatAbsoluteTime, formatIsoTime, formatRelativeTime } from './format-time.js';

const NOW = Date.UTC(2026, 10, 22, 12, 0, 0);
const ago = (seconds: number) => (NOW - seconds * 1000) * 1000;

test('relative times pick the largest whole unit', () => {
  assert.equal(formatRelativeTime(ago(3), NOW), 'just now');
  assert.equal(formatRelativeTime(ago(42), NOW), '42 seconds ago');
  assert.equal(formatRelativeTime(ago(5 * 60 + 20), NOW), '5 minutes ago');
  assert.equal(formatRelativeTime(ago(3 * 3600), NOW), '3 hours ago');
  assert.equal(formatRelativeTime(ago(86_400 + 10), NOW), 'yesterday');
  assert.equal(formatRelativeTime(ago(3 * 86_400), NOW), '3 days ago');
  assert.equal(formatRelativeTime(ago(-120), NOW), 'in 2 minutes');
});

test('absolute times are local, to the millisecond', () => {
  const micros = NOW * 1000 + 123_456;
  const local = new Date(NOW);
  const text = formatAbsoluteTime(micros);
  assert.match(text, /^\d{4}-\d{2}-\d{2} \d{2}:\d{2}:\d{2}\.123$/);
  assert.ok(text.startsWith(String(local.getFullYear())));
  assert.ok(text.includes(`:${String(local.getMinutes()).padStart(2, '0')}:00.123`));
});

test('ISO times are UTC with microseconds', () => {
  assert.equal(formatIsoTime(NOW * 1000 + 123_456), '2026-11-22T12:00:00.123456Z');
  assert.equal(formatIsoTime(Number.NaN), 'invalid time');
});
