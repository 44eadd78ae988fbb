import assert from 'node:assert/strict';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { SINGLE_TENANT } from '../tenancy/tenant-id.js';
import { TENANT_A, TENANT_B } from '../tenancy/testing/tenant-traces.js';
import { DEFAULT_SERVE_CONFIG, type ServeConfig } from './serve-config.js';
import { runTenantIsolationSuite } from './tenant-isolation-suite.js';
import { tenantArchiveConfig, tenantDataDir, tenantStoreConfig } from './tenant-storage.js';

runTenantIsolationSuite({
  name: 'memory',
  config: () => ({ ...DEFAULT_SERVE_CONFIG, storage: 'memory', multitenancy: true }),
  restart: false,
});

const embeddedDir = mkdtempSync(join(tmpdir(), 'ariadne-tenants-'));
runTenantIsolationSuite({
  name: 'embedded (a store thread per tenant)',
  config: () => ({ ...DEFAULT_SERVE_CONFIG, storage: 'embedded', dataDir: embeddedDir, multitenancy: true }),
  restart: true,
  cleanUp: async () => {
    // The single-tenant layout is the data folder's own, as before multitenancy; other tenants have folders of their own.
    for (const path of ['wal', 'blocks', 'archive', 'tenants/team_2da/wal', 'tenants/_54eam_2d_41/archive']) {
      assert.ok(existsSync(join(embeddedDir, path)), path);
    }
    rmSync(embeddedDir, { recursive: true, force: true });
  },
});

test('single-tenant stores are where they were before tenants: the data folder and the database themselves', () => {
  const config: ServeConfig = {
    ...DEFAULT_SERVE_CONFIG,
    storage: 'clickhouse',
    dataDir: '/srv/ariadne',
    clickhouse: { url: 'http://127.0.0.1:8123', database: 'traces' },
  };
  assert.equal(tenantDataDir(config.dataDir, SINGLE_TENANT), '/srv/ariadne');
  assert.equal(tenantStoreConfig(config, SINGLE_TENANT).clickhouse?.database, 'traces');
  assert.equal(tenantArchiveConfig(config, SINGLE_TENANT).dataDir, '/srv/ariadne/archive');
  assert.equal(tenantStoreConfig(config, TENANT_A).clickhouse?.database, 'traces_t_team_2da');
  assert.equal(tenantStoreConfig(config, TENANT_B).clickhouse?.database, 'traces_t__54eam_2d_41');
  assert.equal(tenantArchiveConfig(config, TENANT_B).dataDir, '/srv/ariadne/tenants/_54eam_2d_41/archive');
});

test('collectors and query nodes keep the archive in ClickHouse, a database beside each tenant’s', () => {
  const config: ServeConfig = {
    ...DEFAULT_SERVE_CONFIG,
    role: 'query',
    storage: 'clickhouse',
    clickhouse: { url: 'http://127.0.0.1:8123', database: 'traces', password: 'pw' },
  };
  const single = tenantArchiveConfig(config, SINGLE_TENANT);
  assert.equal(single.storage, 'clickhouse');
  assert.deepEqual(single.clickhouse, { url: 'http://127.0.0.1:8123', database: 'traces_archive', password: 'pw' });
  assert.equal(single.retentionNanos, undefined, 'the archive is never subject to retention');
  assert.equal(tenantArchiveConfig(config, TENANT_A).clickhouse?.database, 'traces_archive_t_team_2da');
  // Never a tenant's own database: those are traces_t_<name>.
  assert.notEqual(
    tenantArchiveConfig(config, TENANT_A).clickhouse?.database,
    tenantStoreConfig(config, TENANT_A).clickhouse?.database,
  );
  const serve = tenantArchiveConfig({ ...config, role: 'all' }, SINGLE_TENANT);
  assert.deepEqual(
    [serve.storage, serve.dataDir],
    ['embedded', 'data/archive'],
    'serve keeps its archive where it was',
  );
});
