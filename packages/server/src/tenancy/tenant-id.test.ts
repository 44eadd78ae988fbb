import assert from 'node:assert/strict';
import { test } from 'node:test';
import { isAriadneError } from '@ariadne/protocol';
import { isTenantId, MAX_TENANT_ID_BYTES, parseTenantId } from './tenant-id.js';

const refused = (text: string, pattern: RegExp) =>
  assert.throws(
    () => parseTenantId(text),
    (error) => isAriadneError(error, 'InvalidTenant') && pattern.test(error.message),
    JSON.stringify(text),
  );

test("Tempo's tenant ids are accepted as they are, case kept", () => {
  for (const id of ['team-a', 'Team_A', "o'brien(s)!*", 'a.b', '...', 'x'.repeat(MAX_TENANT_ID_BYTES)]) {
    assert.equal(parseTenantId(id), id);
    assert.equal(isTenantId(id), true, id);
  }
});

test('isTenantId is the same rule as a yes or no', () => {
  for (const bad of ['a/b', 'a b', 'a,b', 'a|b', '.', '..', '', 'x'.repeat(MAX_TENANT_ID_BYTES + 1), 7, undefined]) {
    assert.equal(isTenantId(bad), false, String(bad));
  }
});

test('other ids are InvalidTenant, saying why', () => {
  refused('a/b', /character that is not allowed/);
  refused('a b', /character that is not allowed/);
  refused('tenant\u00e9', /character that is not allowed/);
  refused('a,b', /character that is not allowed/);
  refused('a|b', /across tenants/);
  refused('.', /not a valid tenant id/);
  refused('..', /not a valid tenant id/);
  refused('x'.repeat(MAX_TENANT_ID_BYTES + 1), /at most 150/);
  refused('', /character that is not allowed/);
});
