import assert from 'node:assert/strict';
import type { IncomingHttpHeaders, IncomingMessage } from 'node:http';
import { test } from 'node:test';
import { isAriadneError } from '@ariadne/protocol';
import { Metadata } from '@grpc/grpc-js';
import type { RequestHeaders } from './request-headers.js';
import { keepsTenantsApart, resolveTenant } from './resolve-tenant.js';
import { parseTenantId, SINGLE_TENANT } from './tenant-id.js';
import {
  type TenantRequest,
  tenantRequestOfFetch,
  tenantRequestOfGrpc,
  tenantRequestOfIncoming,
} from './tenant-request.js';

const none = () => undefined;
/** A request with these headers that no `--auth` check has seen. */
const unchecked = (headers: RequestHeaders): TenantRequest => ({ headers, grant: undefined });
const orgId = (value: string | undefined) => (name: string) => (name === 'x-scope-orgid' ? value : undefined);

test('without multitenancy every request is single-tenant, whatever it says', () => {
  assert.equal(resolveTenant(unchecked(none), {}), SINGLE_TENANT);
  assert.equal(
    resolveTenant(
      unchecked(() => 'team-a'),
      { multitenancy: false },
    ),
    SINGLE_TENANT,
  );
  assert.equal(keepsTenantsApart({}), false);
});

test('with multitenancy the tenant is X-Scope-OrgID; none is Unauthenticated, a bad one InvalidTenant', () => {
  const on = { multitenancy: true };
  assert.equal(keepsTenantsApart(on), true);
  assert.equal(resolveTenant(unchecked(orgId('team-a')), on), 'team-a');
  assert.equal(
    resolveTenant(
      unchecked(() => ' team-a '),
      on,
    ),
    'team-a',
    'surrounding spaces are not part of it',
  );
  for (const missing of [undefined, '', '  ']) {
    assert.throws(
      () =>
        resolveTenant(
          unchecked(() => missing),
          on,
        ),
      (error) => isAriadneError(error, 'Unauthenticated') && /X-Scope-OrgID/.test(error.message),
    );
  }
  assert.throws(
    () =>
      resolveTenant(
        unchecked(() => '../etc'),
        on,
      ),
    (error) => isAriadneError(error, 'InvalidTenant'),
  );
});

test("with --auth the tenant is the grant's, whatever X-Scope-OrgID says; no grant is Unauthenticated", () => {
  for (const config of [{ authFile: 'auth.jsonl' }, { authFile: 'auth.jsonl', multitenancy: true }]) {
    assert.equal(keepsTenantsApart(config), true, '--auth keeps tenants apart by itself');
    const teamA = { tenant: parseTenantId('team-a'), tenants: [parseTenantId('team-a')] };
    assert.equal(resolveTenant({ headers: none, grant: teamA }, config), 'team-a');
    // The guard already checked the header against the token; the seam does not read it again.
    assert.equal(resolveTenant({ headers: orgId('team-b'), grant: teamA }, config), 'team-a');
    for (const grant of [undefined, { tenant: undefined, tenants: [] }]) {
      assert.throws(
        () => resolveTenant({ headers: orgId('team-a'), grant }, config),
        (error) => isAriadneError(error, 'Unauthenticated'),
        'a request no --auth check let in is nobody’s, even naming a tenant',
      );
    }
  }
});

test('headers of node:http, Fetch and gRPC read alike; a repeated header is refused, never half-read', () => {
  const on = { multitenancy: true };
  // Only the headers of a node:http request are read (and the grant, which none of these has).
  const incoming = (headers: IncomingHttpHeaders) => ({ headers }) as IncomingMessage;
  assert.equal(resolveTenant(tenantRequestOfIncoming(incoming({ 'x-scope-orgid': 'a' })), on), 'a');
  assert.equal(
    resolveTenant(tenantRequestOfFetch(new Request('http://x/', { headers: { 'X-Scope-OrgID': 'b' } }), {}), on),
    'b',
  );
  const metadata = new Metadata();
  metadata.set('x-scope-orgid', 'c');
  assert.equal(resolveTenant(tenantRequestOfGrpc(metadata), on), 'c');
  metadata.add('x-scope-orgid', 'd');
  assert.throws(
    () => resolveTenant(tenantRequestOfGrpc(metadata), on),
    (error) => isAriadneError(error, 'InvalidTenant'),
  );
  const twice = new Headers();
  twice.append('x-scope-orgid', 'a');
  twice.append('x-scope-orgid', 'b');
  assert.throws(
    () => resolveTenant(tenantRequestOfFetch(new Request('http://x/', { headers: twice }), undefined), on),
    (error) => isAriadneError(error, 'InvalidTenant'),
  );
  assert.throws(
    () => resolveTenant(tenantRequestOfIncoming(incoming({ 'x-scope-orgid': ['a', 'b'] })), on),
    (error) => isAriadneError(error, 'InvalidTenant'),
  );
  assert.throws(
    () => resolveTenant(tenantRequestOfGrpc(new Metadata()), on),
    (error) => isAriadneError(error, 'Unauthenticated'),
  );
});
