import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before } from 'node:test';
import {
  type ClickHouseTestCluster,
  type ClickHouseTestServer,
  startClickHouseCluster,
  startClickHouseServer,
} from '../storage/clickhouse/testing/clickhouse-test-server.js';
import { SINGLE_TENANT } from '../tenancy/tenant-id.js';
import { TENANT_A, TENANT_B } from '../tenancy/testing/tenant-traces.js';
import { DEFAULT_SERVE_CONFIG, type ServeConfig } from './serve-config.js';
import { runTenantIsolationSuite } from './tenant-isolation-suite.js';
import { closeTenantStorage, openTenantStorage } from './tenant-storage.js';

// Tenants apart on ClickHouse (a database per tenant), on one node and on a
// two-shard cluster; the archive is embedded, in a temporary folder.
let server: ClickHouseTestServer;
let cluster: ClickHouseTestCluster;
before(async () => {
  server = await startClickHouseServer();
  cluster = await startClickHouseCluster({ name: 'ariadne_tenancy_cluster', shards: 2 });
});
after(async () => {
  await server?.stop();
  await cluster?.stop();
});

const folders: string[] = [];
const folder = () => {
  const dir = mkdtempSync(join(tmpdir(), 'ariadne-tenants-ch-'));
  folders.push(dir);
  return dir;
};
const removeFolders = async () => {
  for (const dir of folders.splice(0)) rmSync(dir, { recursive: true, force: true });
};

const singleDir = folder();
runTenantIsolationSuite({
  name: 'clickhouse',
  config: (): ServeConfig => ({
    ...DEFAULT_SERVE_CONFIG,
    storage: 'clickhouse',
    dataDir: singleDir,
    multitenancy: true,
    clickhouse: { url: server.url, database: 'ariadne_tenancy' },
  }),
  restart: true,
  cleanUp: removeFolders,
});

// Without distributed DDL (these test servers have no ZooKeeper) each node
// creates what it is asked for: the tenants' databases are opened on shard 1
// first, as a process connected to it would, then written through shard 0
// and, after the restart, read through shard 1.
const clusterDir = folder();
const onShard = (shard: number): ServeConfig => ({
  ...DEFAULT_SERVE_CONFIG,
  storage: 'clickhouse',
  dataDir: clusterDir,
  multitenancy: true,
  clickhouse: { url: cluster.shards[shard]!.url, database: 'ariadne_tenancy', cluster: 'ariadne_tenancy_cluster' },
});
runTenantIsolationSuite({
  name: 'clickhouse (two shards)',
  config: async (round) => {
    if (round === 'restart') return onShard(1);
    for (const tenant of [TENANT_A, TENANT_B, SINGLE_TENANT]) {
      await closeTenantStorage(await openTenantStorage(onShard(1), tenant));
    }
    return onShard(0);
  },
  restart: true,
  cleanUp: removeFolders,
});
