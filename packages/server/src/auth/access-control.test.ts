import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, test } from 'node:test';
import { MetricsRegistry } from '../telemetry/metrics-registry.js';
import { parseTenantId } from '../tenancy/tenant-id.js';
import { AccessControl } from './access-control.js';
import { hashToken } from './access-token.js';
import { formatAuthEntry } from './auth-file.js';

const line = (token: string, roles: string[]) =>
  `${formatAuthEntry({ sha256: hashToken(token), tenants: [parseTenantId('t')], roles: roles as never })}\n`;
const QUERY = { role: 'query', tenantScoped: true } as const;
const as = (token: string) => ({ authorization: `Bearer ${token}`, scopeOrgId: undefined });

function authFile(text: string): string {
  const dir = mkdtempSync(join(tmpdir(), 'ariadne-access-'));
  after(() => rmSync(dir, { recursive: true, force: true }));
  const file = join(dir, 'auth.jsonl');
  writeFileSync(file, text);
  return file;
}

test('reload swaps the tokens; a broken file keeps the ones in force', () => {
  const file = authFile(line('old', ['query']));
  const registry = new MetricsRegistry();
  const access = new AccessControl(file, registry);
  assert.equal(access.check('query', as('old'), QUERY).allowed, true);
  writeFileSync(file, line('new', ['query']));
  assert.equal(access.check('query', as('new'), QUERY).allowed, false, 'not before the reload');
  assert.deepEqual(access.reload(), { tokens: 1 });
  assert.equal(access.check('query', as('new'), QUERY).allowed, true);
  assert.equal(access.check('query', as('old'), QUERY).allowed, false, 'a token taken out of the file is revoked');
  writeFileSync(file, `${line('newer', ['query'])}{oops\n`);
  assert.throws(() => access.reload(), /line 2/);
  assert.equal(access.check('query', as('new'), QUERY).allowed, true, 'the last good file is still in force');
  const metrics = registry.render();
  assert.match(metrics, /ariadne_auth_reloads_total\{result="ok"\} 1/);
  assert.match(metrics, /ariadne_auth_reloads_total\{result="failed"\} 1/);
  assert.match(metrics, /ariadne_auth_tokens 1/);
});

test('refusals are counted by listener and reason', () => {
  const registry = new MetricsRegistry();
  const access = new AccessControl(authFile(line('ingest', ['ingest'])), registry);
  access.check('otlp-http', { authorization: undefined, scopeOrgId: undefined }, QUERY);
  access.check('otlp-http', as('wrong'), QUERY);
  access.check('tempo', as('ingest'), QUERY);
  access.check('tempo', as('ingest'), QUERY);
  access.check('otlp-http', as('ingest'), { role: 'ingest', tenantScoped: true });
  const metrics = registry.render();
  assert.match(metrics, /ariadne_auth_failures_total\{listener="otlp-http",reason="missing_token"\} 1/);
  assert.match(metrics, /ariadne_auth_failures_total\{listener="otlp-http",reason="unknown_token"\} 1/);
  assert.match(metrics, /ariadne_auth_failures_total\{listener="tempo",reason="role"\} 2/);
  assert.equal(metrics.match(/ariadne_auth_failures_total\{/g)?.length, 3, 'an allowed request is not counted');
});

test('a missing auth file stops the server from starting', () => {
  assert.throws(() => new AccessControl('/nonexistent/auth.jsonl', new MetricsRegistry()), /cannot read auth file/);
});
