import assert from 'node:assert/strict';
import { copyFileSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, test } from 'node:test';
import { isAriadneError } from '@ariadne/protocol';
import { ServerTls } from './server-tls.js';
import { makeTestPki } from './testing/openssl-certificates.js';

const dir = mkdtempSync(join(tmpdir(), 'ariadne-server-tls-'));
after(() => rmSync(dir, { recursive: true, force: true }));
const a = makeTestPki(dir, 'a');
const b = makeTestPki(dir, 'b');

test('reload hands the new certificates to subscribers; wrong files keep the ones in force', () => {
  const certFile = join(dir, 'live.crt');
  const keyFile = join(dir, 'live.key');
  copyFileSync(a.server.certFile, certFile);
  copyFileSync(a.server.keyFile, keyFile);
  const tls = new ServerTls({ certFile, keyFile, clientCaFile: a.ca.certFile });
  assert.ok(tls.mutual);
  assert.deepEqual(tls.current.cert, a.server.cert);
  const seen: Buffer[] = [];
  const unsubscribe = tls.subscribe((material) => seen.push(material.cert));
  copyFileSync(b.server.certFile, certFile);
  copyFileSync(b.server.keyFile, keyFile);
  tls.reload();
  assert.deepEqual(seen, [b.server.cert]);
  assert.deepEqual(tls.current.key, b.server.key);

  // Half a rotation: the new certificate beside the old key.
  copyFileSync(a.server.certFile, certFile);
  assert.throws(
    () => tls.reload(),
    (error) => isAriadneError(error) && /TLS files ".*live\.crt", ".*live\.key", .* cannot be used/.test(error.message),
  );
  assert.deepEqual(tls.current.cert, b.server.cert, 'the certificates in force stay');
  assert.equal(seen.length, 1, 'subscribers were not told of a failed reload');
  unsubscribe();
  copyFileSync(a.server.keyFile, keyFile);
  tls.reload();
  assert.equal(seen.length, 1, 'an unsubscribed listener hears nothing');
});

test('files that are missing or not PEM stop the start, naming the flag or the files', () => {
  assert.throws(
    () => new ServerTls({ certFile: join(dir, 'none.crt'), keyFile: a.server.keyFile }),
    /--tls-cert: cannot read/,
  );
  const junk = join(dir, 'junk.pem');
  writeFileSync(junk, 'not a certificate\n');
  assert.throws(() => new ServerTls({ certFile: junk, keyFile: a.server.keyFile }), /cannot be used/);
  assert.throws(
    () => new ServerTls({ certFile: a.server.certFile, keyFile: a.server.keyFile, clientCaFile: junk }),
    /cannot be used/,
  );
});
