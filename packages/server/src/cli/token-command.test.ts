import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, test } from 'node:test';
import { hashToken } from '../auth/access-token.js';
import { readAuthFile } from '../auth/auth-file.js';
import { main } from './main.js';

/** Runs `main` with stdout and stderr captured until it resolves (main writes its error after an await). */
async function run(args: string[]): Promise<{ code: number; printed: string; errors: string }> {
  let printed = '';
  let errors = '';
  const { stdout, stderr } = process;
  const [writeOut, writeErr] = [stdout.write, stderr.write];
  const capture = (add: (text: string) => void) =>
    ((chunk: string | Uint8Array) => {
      add(String(chunk));
      return true;
    }) as typeof stdout.write;
  stdout.write = capture((text) => {
    printed += text;
  });
  stderr.write = capture((text) => {
    errors += text;
  });
  try {
    return { code: await main(args), printed, errors };
  } finally {
    stdout.write = writeOut;
    stderr.write = writeErr;
  }
}

function authFile(): string {
  const dir = mkdtempSync(join(tmpdir(), 'ariadne-token-'));
  after(() => rmSync(dir, { recursive: true, force: true }));
  return join(dir, 'auth.jsonl');
}

test('token create prints the token alone and appends its hash, tenants and roles to the file it creates', async () => {
  const file = authFile();
  const { code, printed } = await run([
    'token',
    'create',
    '--auth-file',
    file,
    '--tenant',
    'team-a',
    '--roles',
    'ingest,query',
  ]);
  assert.equal(code, 0);
  assert.match(printed, /^ariadne_[A-Za-z0-9_-]{43}\n$/, 'the token and a newline, nothing else');
  const token = printed.trim();
  const [entry, ...more] = readAuthFile(file);
  assert.equal(more.length, 0);
  assert.deepEqual(entry?.sha256, hashToken(token));
  assert.deepEqual(entry?.tenants, ['team-a']);
  assert.deepEqual(entry?.roles, ['ingest', 'query']);
  assert.ok(!Number.isNaN(Date.parse(entry?.created ?? '')), 'the entry says when it was made');
  assert.ok(!readFileSync(file, 'utf8').includes(token), 'the file never holds the token in clear');

  const second = await run([
    'token',
    'create',
    '--auth-file',
    file,
    '--tenant',
    'team-a,team-b',
    '--tenant',
    'team-c',
    '--roles',
    'admin',
    '--name',
    'ops',
  ]);
  assert.equal(second.code, 0);
  const entries = readAuthFile(file);
  assert.equal(entries.length, 2, 'appended, the first entry kept');
  assert.deepEqual(entries[1]?.tenants, ['team-a', 'team-b', 'team-c']);
  assert.equal(entries[1]?.name, 'ops');
  assert.notEqual(second.printed, printed, 'a new random token');
});

test('token create refuses what the server would refuse, and writes nothing', async () => {
  const file = authFile();
  const refused = async (args: string[], pattern: RegExp) => {
    const { code, printed, errors } = await run(['token', 'create', ...args]);
    assert.equal(code, 2, args.join(' '));
    assert.equal(printed, '', 'no token printed');
    assert.match(errors, pattern);
  };
  const withFile = ['--auth-file', file];
  await refused([...withFile, '--roles', 'ingest'], /--tenant is required/);
  await refused([...withFile, '--tenant', 'a'], /--roles is required/);
  await refused(
    [...withFile, '--tenant', 'a', '--roles', 'ingest,write'],
    /"write" is not one of ingest, query, admin/,
  );
  await refused([...withFile, '--tenant', 'a/b', '--roles', 'ingest'], /--tenant "a\/b" is not a valid name/);
  await refused([...withFile, '--tenant', 'a', '--roles', 'ingest', '--tenants', 'b'], /Unknown option '--tenants'/);
  await refused(['--tenant', 'a', '--roles', 'query'], /--auth-file is required/);
  assert.match((await run(['token', 'delete'])).errors, /unknown action "delete"/);
  assert.throws(() => readFileSync(file), /ENOENT/, 'no file was created');
  writeFileSync(file, 'not json\n');
  await refused([...withFile, '--tenant', 'a', '--roles', 'query'], /line 1: not a JSON object/);
  assert.equal(readFileSync(file, 'utf8'), 'not json\n');
});

test('ariadne token --help explains create; ariadne --help lists token', async () => {
  const help = await run(['token', '--help']);
  assert.equal(help.code, 0);
  assert.match(help.printed, /ariadne token create --auth-file <file> --tenant <name> --roles <roles>/);
  assert.match((await run(['--help'])).printed, /token {5}make access tokens/);
});
