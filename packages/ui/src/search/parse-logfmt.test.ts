import assert from 'node:assert/strict';
import { test } from 'node:test';
import { parseLogfmt } from './parse-logfmt.js';

test('pairs, quoted values and bare keys', () => {
  assert.deepEqual(parseLogfmt('http.status_code=200 error=true'), {
    ok: true,
    tags: { 'http.status_code': '200', error: 'true' },
  });
  assert.deepEqual(parseLogfmt('  msg="card \\"declined\\" twice"\tretry '), {
    ok: true,
    tags: { msg: 'card "declined" twice', retry: 'true' },
  });
  assert.deepEqual(parseLogfmt('empty= url=http://x/?a=b'), { ok: true, tags: { empty: '', url: 'http://x/?a=b' } });
  assert.deepEqual(parseLogfmt(''), { ok: true, tags: {} });
  assert.deepEqual(parseLogfmt('a=1 a=2'), { ok: true, tags: { a: '2' } });
});

test('malformed filters say what is wrong', () => {
  const cases = ['=200', 'msg="open', 'msg="a"b', 'k"ey=1'];
  for (const text of cases) {
    const result = parseLogfmt(text);
    assert.equal(result.ok, false, text);
    if (!result.ok) assert.ok(result.error.length > 0);
  }
});
