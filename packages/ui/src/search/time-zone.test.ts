import assert from 'node:assert/strict';
import { test } from 'node:test';
import { bucketSearchUrl } from './bucket-search.js';
import { formFromUrl, toApiParams, validateForm } from './search-params.js';
import { inputToInstant, instantToInput } from './time-zone.js';

test('UTC inputs round-trip to instants', () => {
  assert.equal(inputToInstant('2026-01-02T03:04', 'utc'), '2026-01-02T03:04:00.000Z');
  assert.equal(instantToInput('2026-01-02T03:04:00.000Z', 'utc'), '2026-01-02T03:04');
  assert.equal(inputToInstant('nonsense', 'utc'), '');
  // Local time: whatever the machine's zone, the round trip holds.
  assert.equal(instantToInput(inputToInstant('2026-06-01T12:30', 'local'), 'local'), '2026-06-01T12:30');
});

test('a custom window becomes the API window; a bucket link carries it', () => {
  const url = bucketSearchUrl({
    service: 'web',
    operation: 'GET /',
    startMillis: 1_767_225_600_000,
    endMillis: 1_767_225_660_000,
  });
  const form = formFromUrl(new URLSearchParams(url.split('?')[1]));
  assert.equal(form.lookback, 'custom');
  const validated = validateForm(form);
  assert.ok(validated.ok);
  const params = toApiParams(validated.search, 0);
  assert.equal(params.get('start'), '1767225600000000');
  assert.equal(params.get('end'), '1767225660000000');
  assert.equal(params.get('service'), 'web');
  const bad = validateForm({ ...form, to: form.from });
  assert.ok(!bad.ok && bad.errors.to !== undefined);
});
