import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, test } from 'node:test';
import { getRequestListener } from '@hono/node-server';
import { AccessControl } from '../auth/access-control.js';
import { hashToken } from '../auth/access-token.js';
import { formatAuthEntry } from '../auth/auth-file.js';
import { listenHttp } from '../http/listen.js';
import { MetricsRegistry } from '../telemetry/metrics-registry.js';
import { parseTenantId } from '../tenancy/tenant-id.js';
import { createQueryHttpApp } from './query-http-app.js';

const dir = mkdtempSync(join(tmpdir(), 'ariadne-whoami-'));
after(() => rmSync(dir, { recursive: true, force: true }));
writeFileSync(join(dir, 'index.html'), '<!doctype html><title>ui</title>');
const authFile = join(dir, 'auth.jsonl');
writeFileSync(
  authFile,
  [
    formatAuthEntry({ sha256: hashToken('both'), tenants: ['a', 'b'].map(parseTenantId), roles: ['query'] }),
    formatAuthEntry({ sha256: hashToken('only-a'), tenants: [parseTenantId('a')], roles: ['query'] }),
    formatAuthEntry({ sha256: hashToken('writer'), tenants: [parseTenantId('a')], roles: ['ingest'] }),
  ].join('\n'),
);

async function serve(options: { auth?: boolean; multitenancy?: boolean }) {
  const app = createQueryHttpApp({
    uiDir: dir,
    metrics: new MetricsRegistry(),
    isReady: () => true,
    // Says which tenant the API was reached for, or that it was reached at all.
    api: () => Response.json({ data: 'api' }),
    ...(options.auth ? { access: new AccessControl(authFile, new MetricsRegistry()) } : {}),
    ...(options.multitenancy ? { multitenancy: true } : {}),
  });
  const listener = await listenHttp('test', '127.0.0.1', 0, getRequestListener(app.fetch));
  after(() => listener.close());
  return (path: string, headers: Record<string, string> = {}) => fetch(`${listener.url}${path}`, { headers });
}

test('with --auth, /api/whoami lists the token’s tenants and the one picked; the UI’s files need no token', async () => {
  const get = await serve({ auth: true });
  assert.deepEqual(await (await get('/api/whoami', { authorization: 'Bearer both' })).json(), {
    auth: true,
    tenancy: true,
    tenants: ['a', 'b'],
    tenant: null,
  });
  const picked = await get('/api/whoami', { authorization: 'Bearer both', 'x-scope-orgid': 'b' });
  assert.deepEqual(((await picked.json()) as { tenant: unknown }).tenant, 'b');
  assert.deepEqual(
    ((await (await get('/api/whoami', { authorization: 'Bearer only-a' })).json()) as { tenant: unknown }).tenant,
    'a',
  );
  const other = await get('/api/whoami', { authorization: 'Bearer only-a', 'x-scope-orgid': 'b' });
  assert.equal(other.status, 403);
  assert.equal((await get('/api/whoami')).status, 401);
  assert.equal((await get('/api/whoami', { authorization: 'Bearer nope' })).status, 401);
  assert.equal((await get('/api/whoami', { authorization: 'Bearer writer' })).status, 403, 'needs the query role');
  // The sign-in page must load without a token; the data behind it does not.
  assert.equal((await get('/')).status, 200);
  assert.equal((await get('/search')).status, 200);
  assert.equal((await get('/api/services')).status, 401);
  assert.equal((await get('/api/services', { authorization: 'Bearer both' })).status, 403, 'no tenant picked');
  assert.equal((await get('/api/services', { authorization: 'Bearer both', 'x-scope-orgid': 'a' })).status, 200);
  assert.equal((await get('/metrics', { authorization: 'Bearer both' })).status, 403);
});

test('without --auth, /api/whoami says whether requests must name a tenant, and echoes the one named', async () => {
  const plain = await serve({});
  assert.deepEqual(await (await plain('/api/whoami', { 'x-scope-orgid': 'a' })).json(), {
    auth: false,
    tenancy: false,
    tenants: [],
    tenant: null,
  });
  const tenants = await serve({ multitenancy: true });
  assert.deepEqual(await (await tenants('/api/whoami')).json(), {
    auth: false,
    tenancy: true,
    tenants: [],
    tenant: null,
  });
  assert.equal(
    ((await (await tenants('/api/whoami', { 'x-scope-orgid': 'team-x' })).json()) as { tenant: unknown }).tenant,
    'team-x',
  );
});
