import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, test } from 'node:test';
import { getRequestListener } from '@hono/node-server';
import { Hono } from 'hono';
import { listenHttp } from '../http/listen.js';
import { MetricsRegistry } from '../telemetry/metrics-registry.js';
import { parseTenantId } from '../tenancy/tenant-id.js';
import { AccessControl } from './access-control.js';
import { hashToken } from './access-token.js';
import { formatAuthEntry } from './auth-file.js';
import { accessGrantOf, accessGrantOfContext, guardHttp, honoAccess, INGEST, QUERY } from './http-access.js';

function access(): AccessControl {
  const dir = mkdtempSync(join(tmpdir(), 'ariadne-http-access-'));
  after(() => rmSync(dir, { recursive: true, force: true }));
  const file = join(dir, 'auth.jsonl');
  writeFileSync(
    file,
    [
      formatAuthEntry({ sha256: hashToken('writer'), tenants: ['a', 'b'].map(parseTenantId), roles: ['ingest'] }),
      formatAuthEntry({ sha256: hashToken('reader'), tenants: [parseTenantId('a')], roles: ['query'] }),
    ].join('\n'),
  );
  return new AccessControl(file, new MetricsRegistry());
}

test('the guard hands the tenant to the handler behind it; refused requests never reach it', async () => {
  let reached = 0;
  const listener = await listenHttp(
    'test',
    '127.0.0.1',
    0,
    guardHttp(
      (request, response) => {
        reached++;
        response.end(JSON.stringify(accessGrantOf(request) ?? null));
      },
      { access: access(), listener: 'test', needOf: (request) => (request.url === '/open' ? 'open' : INGEST) },
    ),
  );
  try {
    const send = (path: string, headers: Record<string, string>) =>
      fetch(`${listener.url}${path}`, { method: 'POST', headers, body: 'x'.repeat(100_000) });
    const picked = await send('/', { authorization: 'Bearer writer', 'x-scope-orgid': 'b' });
    assert.deepEqual(await picked.json(), { tenant: 'b', tenants: ['a', 'b'] });
    const open = await send('/open', {});
    assert.equal(await open.text(), 'null', 'an open endpoint has no grant');
    assert.equal(reached, 2);
    const refused = await send('/', { authorization: 'Bearer reader' });
    assert.equal(refused.status, 403);
    assert.equal(await refused.text(), 'this token does not have the ingest role\n');
    const anonymous = await send('/', {});
    assert.equal(anonymous.status, 401);
    assert.equal(reached, 2, 'the handler saw neither refused request');
    const again = await send('/', { authorization: 'Bearer writer', 'x-scope-orgid': 'a' });
    assert.deepEqual(
      await again.json(),
      { tenant: 'a', tenants: ['a', 'b'] },
      'the connection stays usable after a refusal',
    );
  } finally {
    await listener.close();
  }
});

test('honoAccess guards Hono routes and the grant reaches handlers through the context', async () => {
  const app = new Hono();
  app.use('*', honoAccess(access(), 'test', QUERY));
  app.get('/tenant', (c) => c.json(accessGrantOfContext(c) ?? null));
  const listener = await listenHttp('test', '127.0.0.1', 0, getRequestListener(app.fetch));
  try {
    const allowed = await fetch(`${listener.url}/tenant`, { headers: { authorization: 'Bearer reader' } });
    assert.deepEqual(await allowed.json(), { tenant: 'a', tenants: ['a'] });
    const refused = await fetch(`${listener.url}/tenant`, { headers: { authorization: 'Bearer nope' } });
    assert.equal(refused.status, 401);
    assert.match(
      refused.headers.get('www-authenticate') ?? '',
      /^Bearer realm="ariadne", error="invalid_token", Basic/,
    );
    const fromScript = await fetch(`${listener.url}/tenant`, { headers: { 'x-requested-with': 'XMLHttpRequest' } });
    assert.equal(fromScript.status, 401);
    assert.equal(
      fromScript.headers.get('www-authenticate'),
      'Bearer realm="ariadne"',
      "a script's request (the web UI) is offered no Basic challenge, so the browser opens no password dialog",
    );
  } finally {
    await listener.close();
  }
});
