import assert from 'node:assert/strict';
import { test } from 'node:test';
import { isAriadneError } from '@ariadne/protocol';
import { parseLogfmt, parseTempoDuration, parseTempoTime } from './tempo-params.js';

const invalid = (error: unknown) => isAriadneError(error, 'InvalidQuery');

test('times: Unix seconds (with fractions), nanoseconds, RFC 3339', () => {
  assert.equal(parseTempoTime('start', '1700000000'), 1_700_000_000_000_000_000n);
  assert.equal(parseTempoTime('start', '1700000000.25'), 1_700_000_000_250_000_000n);
  assert.equal(parseTempoTime('start', '1700000000123456789'), 1_700_000_000_123_456_789n);
  assert.equal(parseTempoTime('start', '2023-11-14T22:13:20Z'), 1_700_000_000_000_000_000n);
  assert.equal(parseTempoTime('start', undefined), undefined);
  assert.equal(parseTempoTime('start', ''), undefined);
  assert.throws(() => parseTempoTime('start', 'yesterday'), invalid);
});

test('durations: Go syntax, bare numbers are seconds', () => {
  assert.equal(parseTempoDuration('step', '30s'), 30_000_000_000n);
  assert.equal(parseTempoDuration('step', '1m30s'), 90_000_000_000n);
  assert.equal(parseTempoDuration('step', '60'), 60_000_000_000n);
  assert.equal(parseTempoDuration('step', '0.5'), 500_000_000n);
  assert.throws(() => parseTempoDuration('step', 'soon'), invalid);
});

test('logfmt tags: bare and quoted values, escapes', () => {
  assert.deepEqual(parseLogfmt(' service.name=cart  http.status_code=500 note="a \\"b\\" c" empty= '), [
    { key: 'service.name', value: 'cart' },
    { key: 'http.status_code', value: '500' },
    { key: 'note', value: 'a "b" c' },
    { key: 'empty', value: '' },
  ]);
  assert.deepEqual(parseLogfmt(''), []);
  assert.throws(() => parseLogfmt('novalue'), invalid);
  assert.throws(() => parseLogfmt('a="open'), invalid);
});
