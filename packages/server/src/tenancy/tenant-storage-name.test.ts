import assert from 'node:assert/strict';
import { test } from 'node:test';
import { parseTenantId } from './tenant-id.js';
import { tenantStorageName } from './tenant-storage-name.js';

test('storage names are plain identifiers, one per tenant, even where case is ignored', () => {
  const ids = ['team', 'Team', 'TEAM', 'team-a', 'team_a', 'team_2da', "a.b*c'(d)!", 'x'.repeat(150), 'x'.repeat(149)];
  const names = ids.map((id) => tenantStorageName(parseTenantId(id)));
  assert.equal(names[0], 'team', 'lowercase letters and digits stay readable');
  assert.equal(names[3], 'team_2da');
  for (const name of names) {
    assert.match(name, /^[a-z0-9_]+$/);
    assert.ok(name.length <= 120, name);
  }
  assert.equal(new Set(names).size, ids.length, 'no two tenants share a name');
  assert.equal(new Set(names.map((name) => name.toLowerCase())).size, ids.length);
});
