import assert from 'node:assert/strict';
import { test } from 'node:test';
import { parseTenantId } from '../tenancy/tenant-id.js';
import type { Role } from './access-roles.js';
import { hashToken } from './access-token.js';
import type { AuthEntry } from './auth-file.js';
import { type AccessNeed, authorize } from './authorize.js';

const entry = (token: string, tenants: string[], roles: Role[]): AuthEntry => ({
  sha256: hashToken(token),
  tenants: tenants.map(parseTenantId),
  roles,
});
const ENTRIES = [
  entry('ingest-a', ['team-a'], ['ingest']),
  entry('query-a', ['team-a'], ['query']),
  entry('both-ab', ['team-a', 'team-b'], ['ingest', 'query']),
  entry('admin', ['ops'], ['admin']),
];
const INGEST: AccessNeed = { role: 'ingest', tenantScoped: true };
const QUERY: AccessNeed = { role: 'query', tenantScoped: true };
const ADMIN: AccessNeed = { role: 'admin', tenantScoped: false };

const bearer = (token: string) => `Bearer ${token}`;
const basic = (user: string, password: string) => `Basic ${Buffer.from(`${user}:${password}`).toString('base64')}`;
const decide = (authorization: string | undefined, need: AccessNeed, scopeOrgId?: string) =>
  authorize(ENTRIES, { authorization, scopeOrgId }, need);

test('a known Bearer token with the role acts for its one tenant', () => {
  const decision = decide(bearer('ingest-a'), INGEST);
  assert.equal(decision.allowed, true);
  assert.equal(decision.allowed && decision.tenant, 'team-a');
  assert.equal(
    decide('bearer   ingest-a ', INGEST).allowed,
    true,
    'the scheme is case-insensitive; spaces are lenient',
  );
  assert.equal(decide(bearer('ingest-a'), INGEST, 'team-a').allowed, true, 'naming its own tenant is fine');
});

test('Basic auth carries the token as the password, with any user name', () => {
  for (const user of ['grafana', '', 'jaeger']) {
    const decision = decide(basic(user, 'query-a'), QUERY);
    assert.equal(decision.allowed && decision.tenant, 'team-a', `user "${user}"`);
  }
  assert.equal(decide(basic('query-a', ''), QUERY).allowed, false, 'the token is the password, not the user');
  const colons = authorize(
    [entry('a:b', ['t'], ['query'])],
    { authorization: basic('u', 'a:b'), scopeOrgId: undefined },
    QUERY,
  );
  assert.equal(colons.allowed, true, 'everything after the first colon is the password');
});

test('no token, a malformed header or an unknown token: 401 with Bearer and Basic challenges', () => {
  const cases: [string | undefined, string, string][] = [
    [undefined, 'missing_token', 'Bearer realm="ariadne"'],
    ['', 'missing_token', 'Bearer realm="ariadne"'],
    ['Token ingest-a', 'malformed', 'Bearer realm="ariadne", error="invalid_token"'],
    ['Bearer', 'malformed', 'Bearer realm="ariadne", error="invalid_token"'],
    ['Bearer a b', 'malformed', 'Bearer realm="ariadne", error="invalid_token"'],
    ['Basic !!!', 'malformed', 'Bearer realm="ariadne", error="invalid_token"'],
    [
      `Basic ${Buffer.from('no-colon').toString('base64')}`,
      'malformed',
      'Bearer realm="ariadne", error="invalid_token"',
    ],
    [bearer('ingest-b'), 'unknown_token', 'Bearer realm="ariadne", error="invalid_token"'],
    [bearer('ingest-a\u0000'), 'unknown_token', 'Bearer realm="ariadne", error="invalid_token"'],
    [basic('u', 'nope'), 'unknown_token', 'Bearer realm="ariadne", error="invalid_token"'],
  ];
  for (const [header, reason, bearerChallenge] of cases) {
    const decision = decide(header, QUERY);
    assert.equal(decision.allowed, false, String(header));
    if (decision.allowed) continue;
    assert.equal(decision.status, 401, String(header));
    assert.equal(decision.reason, reason, String(header));
    assert.ok(decision.status === 401 && decision.challenges[0] === bearerChallenge, String(header));
    assert.ok(decision.status === 401 && decision.challenges[1] === 'Basic realm="ariadne", charset="UTF-8"');
  }
  assert.equal(authorize([], { authorization: bearer('ingest-a'), scopeOrgId: undefined }, INGEST).allowed, false);
});

test('a token without the role gets 403: ingest-only cannot read, query-only cannot write, admin is its own role', () => {
  const refused = (token: string, need: AccessNeed) => {
    const decision = decide(bearer(token), need);
    assert.ok(!decision.allowed && decision.status === 403 && decision.reason === 'role', `${token} ${need.role}`);
    assert.match(!decision.allowed ? decision.message : '', new RegExp(`does not have the ${need.role} role`));
  };
  refused('ingest-a', QUERY);
  refused('query-a', INGEST);
  refused('both-ab', ADMIN);
  refused('admin', QUERY);
  refused('admin', INGEST);
  assert.equal(decide(bearer('admin'), ADMIN).allowed, true);
});

test('X-Scope-OrgID picks one of several tenants; another tenant, or no pick, is 403', () => {
  const picked = decide(bearer('both-ab'), INGEST, 'team-b');
  assert.equal(picked.allowed && picked.tenant, 'team-b');
  const trimmed = decide(bearer('both-ab'), QUERY, ' team-a ');
  assert.equal(trimmed.allowed && trimmed.tenant, 'team-a');
  const otherCase = decide(bearer('both-ab'), QUERY, 'Team-B');
  assert.ok(!otherCase.allowed && otherCase.reason === 'tenant', 'tenant ids are case-sensitive');
  const other = decide(bearer('ingest-a'), INGEST, 'team-b');
  assert.ok(!other.allowed && other.status === 403 && other.reason === 'tenant');
  assert.match(!other.allowed ? other.message : '', /may not use tenant "team-b"/);
  const unpicked = decide(bearer('both-ab'), QUERY);
  assert.ok(!unpicked.allowed && unpicked.status === 403 && unpicked.reason === 'tenant');
  assert.match(
    !unpicked.allowed ? unpicked.message : '',
    /several tenants \(team-a, team-b\); name one with X-Scope-OrgID/,
  );
  assert.equal(decide(bearer('both-ab'), QUERY, 'team-a|team-b').allowed, false, 'one tenant per request');
});

test('a process-wide endpoint (/metrics) has no tenant and ignores X-Scope-OrgID', () => {
  const decision = decide(bearer('admin'), ADMIN, 'team-a');
  assert.equal(decision.allowed, true);
  assert.equal(decision.allowed ? decision.tenant : 'x', undefined);
});

test('the role is checked before the tenant: a wrong role is reported as such whatever the tenant', () => {
  const decision = decide(bearer('ingest-a'), QUERY, 'team-z');
  assert.ok(!decision.allowed && decision.status === 403 && decision.reason === 'role');
});
