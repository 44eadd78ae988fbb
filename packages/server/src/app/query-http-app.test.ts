import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, test } from 'node:test';
import { inlineScriptHashes } from '../http/security-headers.js';
import { MetricsRegistry } from '../telemetry/metrics-registry.js';
import { createQueryHttpApp } from './query-http-app.js';

const uiDir = mkdtempSync(join(tmpdir(), 'ariadne-ui-'));
after(() => rmSync(uiDir, { recursive: true, force: true }));
const INLINE = "window.early = fetch('/api/x');";
writeFileSync(
  join(uiDir, 'index.html'),
  `<!doctype html><html><head><script>${INLINE}</script><script type="module" src="/assets/a.js"></script></head></html>`,
);

const app = (corsOrigins?: string[]) =>
  createQueryHttpApp({
    uiDir,
    metrics: new MetricsRegistry(),
    isReady: () => true,
    api: () => Response.json({ data: [] }),
    ...(corsOrigins === undefined ? {} : { corsOrigins }),
  });

test('UI, API, health and metrics answers carry the security headers; the CSP allows the page inline script by hash only', async () => {
  const [hash] = inlineScriptHashes(`<script>${INLINE}</script>`);
  assert.match(hash ?? '', /^'sha256-[A-Za-z0-9+/]+=*'$/);
  for (const path of ['/', '/trace/abc', '/api/services', '/health', '/metrics']) {
    const response = await app().request(path);
    assert.equal(response.status, 200, path);
    const csp = response.headers.get('content-security-policy') ?? '';
    assert.match(csp, /frame-ancestors 'none'/, path);
    assert.match(csp, /default-src 'self'/, path);
    assert.ok(csp.includes(`script-src 'self' ${hash}`), `${path}: ${csp}`);
    assert.doesNotMatch(csp, /unsafe-inline|unsafe-eval/, path);
    assert.equal(response.headers.get('x-content-type-options'), 'nosniff', path);
    assert.equal(response.headers.get('referrer-policy'), 'no-referrer', path);
  }
});

test('CORS: no header by default; for an allowed origin its answers and preflights; none for another origin', async () => {
  const fromGrafana = { origin: 'https://grafana.example.com' };
  const byDefault = await app().request('/api/services', { headers: fromGrafana });
  assert.equal(byDefault.headers.get('access-control-allow-origin'), null);

  const allowing = app(['https://grafana.example.com']);
  const allowed = await allowing.request('/api/services', { headers: fromGrafana });
  assert.equal(allowed.status, 200);
  assert.equal(allowed.headers.get('access-control-allow-origin'), 'https://grafana.example.com');
  assert.match(allowed.headers.get('vary') ?? '', /Origin/);
  const preflight = await allowing.request('/api/services', {
    method: 'OPTIONS',
    headers: {
      ...fromGrafana,
      'access-control-request-method': 'GET',
      'access-control-request-headers': 'x-scope-orgid',
    },
  });
  assert.equal(preflight.status, 204);
  assert.equal(preflight.headers.get('access-control-allow-origin'), 'https://grafana.example.com');
  assert.match(preflight.headers.get('access-control-allow-methods') ?? '', /GET/);
  assert.equal(preflight.headers.get('access-control-allow-headers'), 'x-scope-orgid');

  const other = await allowing.request('/api/services', { headers: { origin: 'https://evil.example.com' } });
  assert.equal(other.headers.get('access-control-allow-origin'), null);
  const otherPreflight = await allowing.request('/api/services', {
    method: 'OPTIONS',
    headers: { origin: 'https://evil.example.com', 'access-control-request-method': 'GET' },
  });
  assert.equal(otherPreflight.headers.get('access-control-allow-origin'), null);
  assert.notEqual(otherPreflight.status, 204);
});
