import assert from 'node:assert/strict';
import { test } from 'node:test';
import { isAriadneError } from '@ariadne/protocol';
import { parseTenantId } from './tenant-id.js';
import { TenantMap } from './tenant-map.js';

const a = parseTenantId('a');
const b = parseTenantId('b');
const c = parseTenantId('c');

test('one value per tenant, made once even when first requests overlap; released at close', async () => {
  const made: string[] = [];
  const released: string[] = [];
  const map = new TenantMap({
    create: async (tenant) => {
      made.push(tenant);
      return { tenant };
    },
    release: (value) => {
      released.push(value.tenant);
    },
    maxTenants: 10,
  });
  const [first, second] = await Promise.all([map.get(a), map.get(a)]);
  assert.equal(first, second);
  assert.notEqual(await map.get(b), first);
  assert.deepEqual(made, ['a', 'b']);
  assert.equal(map.peek(a), first);
  assert.equal(map.peek(c), undefined, 'peek never makes one');
  assert.deepEqual(map.tenants().sort(), ['a', 'b']);
  await map.close();
  assert.deepEqual(released.sort(), ['a', 'b']);
  await assert.rejects(map.get(c), (error) => isAriadneError(error, 'Overloaded'));
});

test('past the bound new tenants are refused and known ones go on; a failed create is tried again', async () => {
  let fail = true;
  const map = new TenantMap({
    create: (tenant) => {
      if (tenant === c && fail) throw new Error('store unavailable');
      return tenant;
    },
    maxTenants: 2,
  });
  await assert.rejects(map.get(c), /store unavailable/);
  fail = false;
  assert.equal(await map.get(c), c, 'the failure was forgotten');
  assert.equal(await map.get(a), a);
  await assert.rejects(
    map.get(b),
    (error) => isAriadneError(error, 'Overloaded') && /--max-tenants/.test(error.message),
  );
  assert.equal(await map.get(a), a);
  await map.close();
});
