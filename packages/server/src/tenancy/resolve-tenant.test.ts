import assert from 'node:assert/strict';
import { test } from 'node:test';
import { isAriadneError } from '@ariadne/protocol';
import { Metadata } from '@grpc/grpc-js';
import { headersOfFetch, headersOfGrpc, headersOfIncoming } from './request-headers.js';
import { resolveTenant } from './resolve-tenant.js';
import { SINGLE_TENANT } from './tenant-id.js';

const none = () => undefined;

test('without multitenancy every request is single-tenant, whatever it says', () => {
  assert.equal(resolveTenant(none, {}), SINGLE_TENANT);
  assert.equal(
    resolveTenant(() => 'team-a', { multitenancy: false }),
    SINGLE_TENANT,
  );
});

test('with multitenancy the tenant is X-Scope-OrgID; none is Unauthenticated, a bad one InvalidTenant', () => {
  const on = { multitenancy: true };
  assert.equal(
    resolveTenant((name) => (name === 'x-scope-orgid' ? 'team-a' : undefined), on),
    'team-a',
  );
  assert.equal(
    resolveTenant(() => ' team-a ', on),
    'team-a',
    'surrounding spaces are not part of it',
  );
  for (const missing of [undefined, '', '  ']) {
    assert.throws(
      () => resolveTenant(() => missing, on),
      (error) => isAriadneError(error, 'Unauthenticated') && /X-Scope-OrgID/.test(error.message),
    );
  }
  assert.throws(
    () => resolveTenant(() => '../etc', on),
    (error) => isAriadneError(error, 'InvalidTenant'),
  );
});

test('headers of node:http, Fetch and gRPC read alike; a repeated header is refused, never half-read', () => {
  const on = { multitenancy: true };
  assert.equal(resolveTenant(headersOfIncoming({ 'x-scope-orgid': 'a' }), on), 'a');
  assert.equal(resolveTenant(headersOfFetch(new Headers({ 'X-Scope-OrgID': 'b' })), on), 'b');
  const metadata = new Metadata();
  metadata.set('x-scope-orgid', 'c');
  assert.equal(resolveTenant(headersOfGrpc(metadata), on), 'c');
  metadata.add('x-scope-orgid', 'd');
  assert.throws(
    () => resolveTenant(headersOfGrpc(metadata), on),
    (error) => isAriadneError(error, 'InvalidTenant'),
  );
  const twice = new Headers();
  twice.append('x-scope-orgid', 'a');
  twice.append('x-scope-orgid', 'b');
  assert.throws(
    () => resolveTenant(headersOfFetch(twice), on),
    (error) => isAriadneError(error, 'InvalidTenant'),
  );
  assert.throws(
    () => resolveTenant(headersOfIncoming({ 'x-scope-orgid': ['a', 'b'] as unknown as string }), on),
    (error) => isAriadneError(error, 'InvalidTenant'),
  );
  assert.throws(
    () => resolveTenant(headersOfGrpc(new Metadata()), on),
    (error) => isAriadneError(error, 'Unauthenticated'),
  );
});
