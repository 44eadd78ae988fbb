import assert from 'node:assert/strict';
import { test } from 'node:test';
import {
  DEFAULT_FORM,
  formFromUrl,
  formToUrl,
  orderFromUrl,
  type SearchForm,
  toApiParams,
  validateForm,
} from './search-params.js';

test('the form round-trips through the URL, defaults left out', () => {
  const form: SearchForm = {
    ...DEFAULT_FORM,
    service: 'checkout',
    operation: 'POST /checkout',
    tags: 'http.status_code=500 error',
    lookback: '2d',
    minDuration: '100ms',
  };
  const url = formToUrl(form, 'longest');
  assert.equal(
    url.toString(),
    'service=checkout&operation=POST+%2Fcheckout&tags=http.status_code%3D500+error&lookback=2d&minDuration=100ms&sort=longest',
  );
  assert.deepEqual(formFromUrl(url), form);
  assert.equal(orderFromUrl(url), 'longest');
  assert.equal(formToUrl(DEFAULT_FORM).toString(), '');
  assert.deepEqual(formFromUrl(new URLSearchParams()), DEFAULT_FORM);
  assert.equal(orderFromUrl(new URLSearchParams('sort=bogus')), 'recent');
});

test('a valid form becomes an API query with the window it means now', () => {
  const result = validateForm({ ...DEFAULT_FORM, service: 'checkout', tags: 'error=true http.status_code=500' });
  assert.equal(result.ok, true);
  if (!result.ok) return;
  const now = 1_700_000_000_000_000;
  const params = toApiParams(result.search, now);
  assert.equal(params.get('service'), 'checkout');
  assert.equal(params.get('operation'), null);
  assert.deepEqual(JSON.parse(params.get('tags')!), { error: 'true', 'http.status_code': '500' });
  assert.equal(params.get('end'), String(now));
  assert.equal(params.get('start'), String(now - 3600e6));
  assert.equal(params.get('lookback'), '1h');
  assert.equal(params.get('limit'), '20');
  assert.equal(params.get('minDuration'), null);
});

test('an operation without a service is not sent; empty tags are not sent', () => {
  const result = validateForm({ ...DEFAULT_FORM, operation: 'GET /' });
  assert.ok(result.ok);
  if (!result.ok) return;
  const params = toApiParams(result.search, 0);
  assert.equal(params.has('operation'), false);
  assert.equal(params.has('tags'), false);
  assert.equal(params.has('service'), false);
});

test('invalid fields are reported one by one', () => {
  const result = validateForm({
    ...DEFAULT_FORM,
    tags: 'msg="open',
    lookback: '3y',
    minDuration: '2s',
    maxDuration: '1s',
    limit: '0',
  });
  assert.equal(result.ok, false);
  if (result.ok) return;
  assert.deepEqual(Object.keys(result.errors).sort(), ['limit', 'lookback', 'maxDuration', 'tags']);
  const bad = validateForm({ ...DEFAULT_FORM, minDuration: 'fast', limit: '1501' });
  assert.equal(bad.ok, false);
  if (!bad.ok) assert.deepEqual(Object.keys(bad.errors).sort(), ['limit', 'minDuration']);
});
