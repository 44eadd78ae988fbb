import assert from 'node:assert/strict';
import { test } from 'node:test';
import {
  DEFAULT_RETENTION_POLICY,
  parseRetentionDuration,
  parseRetentionPolicies,
  policyForTenant,
  RetentionPolicyError,
} from './retention-policy.js';

test('a policy file: defaults for what it leaves out, tenants change what they name', () => {
  const policies = parseRetentionPolicies(`
settle: 2m
exemplars: 3
traceql: ['{ span.customer.tier = "gold" }']
sample: 0.05
tenants:
  team-a: { sample: 0.5, errors: false }
`);
  assert.equal(policies.defaults.settleNanos, 120_000_000_000n);
  assert.equal(policies.defaults.exemplarsPerMinute, 3);
  assert.equal(policies.defaults.errors, true);
  assert.deepEqual(policies.defaults.keepAttributes, DEFAULT_RETENTION_POLICY.keepAttributes);
  const teamA = policyForTenant(policies, 'team-a');
  assert.equal(teamA.sampleFraction, 0.5);
  assert.equal(teamA.errors, false);
  assert.equal(teamA.exemplarsPerMinute, 3, 'a tenant starts from the file defaults');
  assert.equal(policyForTenant(policies, 'team-b'), policies.defaults);
  // JSON is YAML too; an empty file is the defaults.
  assert.equal(parseRetentionPolicies('{"sample": 0}').defaults.sampleFraction, 0);
  assert.deepEqual(parseRetentionPolicies('').defaults, DEFAULT_RETENTION_POLICY);
});

test('mistakes name the field', () => {
  const fails = (text: string, message: RegExp) =>
    assert.throws(
      () => parseRetentionPolicies(text),
      (error: unknown) => {
        assert.ok(error instanceof RetentionPolicyError);
        assert.match(error.message, message);
        return true;
      },
    );
  fails('sample: 2', /sample must be a fraction/);
  fails('exemplars: -1', /exemplars must be/);
  fails('traceql: ["{ span.x = "]', /traceql\[0\]/);
  fails('unknown: 1', /unknown field "unknown"/);
  fails('tenants: { a: { settle: soon } }', /tenants\.a\.settle/);
  fails('- 1', /must be a map/);
  assert.equal(parseRetentionDuration('kept', '30d'), 30n * 86_400_000_000_000n);
  assert.throws(() => parseRetentionDuration('kept', '0s'), /positive/);
});
