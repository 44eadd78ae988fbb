import assert from 'node:assert/strict';
import { test } from 'node:test';
import { parseRetentionPolicies } from '../retention/retention-policy.js';
import { SINGLE_TENANT } from '../tenancy/tenant-id.js';
import { TENANT_A, TENANT_B } from '../tenancy/testing/tenant-traces.js';
import { DEFAULT_SERVE_CONFIG, type ServeConfig } from './serve-config.js';
import { tenantStoreConfig } from './tenant-storage.js';

test("each tenant's store gets its own retention policy: its section of the file, else the file's defaults", () => {
  const config: ServeConfig = {
    ...DEFAULT_SERVE_CONFIG,
    retentionNanos: 3_600_000_000_000n,
    retentionKeptNanos: 30n * 86_400_000_000_000n,
    retentionPolicies: parseRetentionPolicies(`sample: 0.02\ntenants:\n  ${TENANT_A}: { sample: 0.5 }\n`),
  };
  assert.equal(tenantStoreConfig(config, TENANT_A).retentionPolicy?.sampleFraction, 0.5);
  assert.equal(tenantStoreConfig(config, TENANT_B).retentionPolicy?.sampleFraction, 0.02);
  assert.equal(tenantStoreConfig(config, SINGLE_TENANT).retentionKeptNanos, config.retentionKeptNanos);
  // Without a kept tier, no policy reaches the store.
  assert.equal(tenantStoreConfig(DEFAULT_SERVE_CONFIG, TENANT_A).retentionPolicy, undefined);
});
