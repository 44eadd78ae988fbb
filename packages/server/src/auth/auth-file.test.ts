import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, test } from 'node:test';
import { isAriadneError } from '@ariadne/protocol';
import { parseTenantId } from '../tenancy/tenant-id.js';
import { createToken, hashToken } from './access-token.js';
import { appendAuthEntry, formatAuthEntry, parseAuthFile, readAuthFile } from './auth-file.js';

const HASH = 'a'.repeat(64);

function tempDir(): string {
  const dir = mkdtempSync(join(tmpdir(), 'ariadne-auth-file-'));
  after(() => rmSync(dir, { recursive: true, force: true }));
  return dir;
}

test('an auth file is JSON Lines; blank lines and # notes are skipped', () => {
  const entries = parseAuthFile(
    [
      '# CI tokens',
      `{"sha256":"${HASH}","tenants":["team-a"],"roles":["ingest","query"],"name":"ci"}`,
      '',
      `  {"sha256":"${'b'.repeat(64)}","tenants":["team-a","team-b"],"roles":["admin"],"created":"2025-01-01T00:00:00Z"}  `,
    ].join('\n'),
    'auth.jsonl',
  );
  assert.equal(entries.length, 2);
  assert.deepEqual(entries[0], {
    sha256: Buffer.from(HASH, 'hex'),
    tenants: ['team-a'],
    roles: ['ingest', 'query'],
    name: 'ci',
  });
  assert.deepEqual(entries[1]?.tenants, ['team-a', 'team-b']);
  assert.equal(entries[1]?.created, '2025-01-01T00:00:00Z');
  assert.deepEqual(parseAuthFile('', 'empty'), [], 'an empty file accepts no token');
});

test('a wrong entry is refused whole, naming the file, the line and what is wrong', () => {
  const refused = (line: string, pattern: RegExp) =>
    assert.throws(
      () => parseAuthFile(`# note\n${line}\n`, 'auth.jsonl'),
      (error) =>
        isAriadneError(error) && /auth file auth\.jsonl, line 2: /.test(error.message) && pattern.test(error.message),
      line,
    );
  const entry = (fields: Record<string, unknown>) =>
    JSON.stringify({ sha256: HASH, tenants: ['t'], roles: ['query'], ...fields });
  refused('{"sha256":', /not a JSON object/);
  refused('["a"]', /not a JSON object/);
  refused(entry({ role: ['query'] }), /unknown key "role"/);
  refused(entry({ sha256: 'abc' }), /64 lowercase hex/);
  refused(entry({ sha256: HASH.toUpperCase() }), /64 lowercase hex/);
  refused(entry({ tenants: [] }), /"tenants" must be a non-empty list/);
  refused(entry({ tenants: 'team-a' }), /"tenants" must be a non-empty list/);
  refused(entry({ tenants: ['../etc'] }), /tenant "\.\.\/etc" is not a valid name/);
  refused(entry({ tenants: ['..'] }), /is not a valid name/);
  // The one tenant-name rule, Tempo's, as for X-Scope-OrgID: its cross-tenant form too is no name.
  refused(entry({ tenants: ['a|b'] }), /tenant "a\|b" is not a valid name/);
  assert.deepEqual(parseAuthFile(entry({ tenants: ["o'brien(s)!*", 'Team_A'] }), 'f')[0]?.tenants, [
    "o'brien(s)!*",
    'Team_A',
  ]);
  refused(entry({ roles: ['write'] }), /role "write" is not one of ingest, query, admin/);
  refused(entry({ roles: [] }), /"roles" must be a non-empty list/);
  refused(entry({ name: 3 }), /"name" must be a string/);
  assert.throws(
    () => parseAuthFile(`${entry({})}\n${entry({ roles: ['admin'] })}\n`, 'auth.jsonl'),
    /line 2: the same token is listed on line 1 too/,
  );
});

test('entries written by formatAuthEntry read back the same', () => {
  const entry = {
    sha256: hashToken(createToken()),
    tenants: ['a', 'b'].map(parseTenantId),
    roles: ['ingest' as const],
    name: 'x y',
  };
  assert.deepEqual(parseAuthFile(`${formatAuthEntry(entry)}\n`, 'f'), [entry]);
});

test('appendAuthEntry creates the file for its owner only and appends one line per token', () => {
  const file = join(tempDir(), 'auth.jsonl');
  const first = { sha256: hashToken('one'), tenants: [parseTenantId('a')], roles: ['ingest' as const] };
  const second = { sha256: hashToken('two'), tenants: [parseTenantId('b')], roles: ['query' as const] };
  appendAuthEntry(file, first);
  assert.equal(statSync(file).mode & 0o777, 0o600);
  appendAuthEntry(file, second);
  assert.deepEqual(readAuthFile(file), [first, second]);
  assert.equal(readFileSync(file, 'utf8').split('\n').length, 3, 'two lines, each ending in a newline');
});

test('appendAuthEntry adds the newline a hand-edited last line lacks, and refuses a file the server would refuse', () => {
  const dir = tempDir();
  const file = join(dir, 'auth.jsonl');
  writeFileSync(file, `{"sha256":"${HASH}","tenants":["a"],"roles":["query"]}`);
  appendAuthEntry(file, { sha256: hashToken('x'), tenants: [parseTenantId('a')], roles: ['ingest'] });
  assert.equal(readAuthFile(file).length, 2);
  const broken = join(dir, 'broken.jsonl');
  writeFileSync(broken, '{"sha256": nope}\n');
  assert.throws(
    () => appendAuthEntry(broken, { sha256: hashToken('y'), tenants: [parseTenantId('a')], roles: ['ingest'] }),
    /line 1/,
  );
  assert.equal(readFileSync(broken, 'utf8'), '{"sha256": nope}\n', 'left as it was');
  assert.throws(() => readAuthFile(join(dir, 'missing.jsonl')), /cannot read auth file ".*missing\.jsonl"/);
});

test('tokens are 256 random bits after a recognisable prefix; the hash is their SHA-256', () => {
  const token = createToken();
  assert.match(token, /^ariadne_[A-Za-z0-9_-]{43}$/);
  assert.notEqual(createToken(), token);
  assert.equal(hashToken('abc').toString('hex'), 'ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad');
});
