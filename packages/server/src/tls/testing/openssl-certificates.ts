import { execFileSync } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

/** PEM files of a certificate and its key, with their contents. */
export interface CertificateFiles {
  readonly certFile: string;
  readonly keyFile: string;
  readonly cert: Buffer;
  readonly key: Buffer;
}

/** One CA and what it signed: a server certificate for 127.0.0.1 and localhost, and a client certificate. */
export interface TestPki {
  readonly ca: CertificateFiles;
  readonly server: CertificateFiles;
  readonly client: CertificateFiles;
}

const EC_KEY = ['-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:prime256v1', '-nodes'];

function openssl(dir: string, args: string[]): void {
  execFileSync('openssl', args, { cwd: dir, stdio: ['ignore', 'ignore', 'pipe'] });
}

function files(dir: string, name: string): CertificateFiles {
  const certFile = join(dir, `${name}.crt`);
  const keyFile = join(dir, `${name}.key`);
  return { certFile, keyFile, cert: readFileSync(certFile), key: readFileSync(keyFile) };
}

/**
 * Makes a fresh CA with the `openssl` command, and a server and a client
 * certificate it signs, in `dir` under names starting with `prefix`. Elliptic
 * curve keys, valid for two days: quick to make, enough for a test run.
 */
export function makeTestPki(dir: string, prefix: string): TestPki {
  const name = (what: string) => `${prefix}-${what}`;
  openssl(dir, [
    'req',
    '-x509',
    ...EC_KEY,
    '-keyout',
    `${name('ca')}.key`,
    '-out',
    `${name('ca')}.crt`,
    '-days',
    '2',
    '-subj',
    `/CN=ariadne test CA ${prefix}`,
    '-addext',
    'basicConstraints=critical,CA:TRUE',
    '-addext',
    'keyUsage=critical,keyCertSign,cRLSign',
  ]);
  const sign = (what: string, subject: string, extensions: string) => {
    writeFileSync(join(dir, `${name(what)}.ext`), extensions);
    openssl(dir, ['req', ...EC_KEY, '-keyout', `${name(what)}.key`, '-out', `${name(what)}.csr`, '-subj', subject]);
    openssl(dir, [
      'x509',
      '-req',
      '-in',
      `${name(what)}.csr`,
      '-CA',
      `${name('ca')}.crt`,
      '-CAkey',
      `${name('ca')}.key`,
      '-set_serial',
      String(Date.now()),
      '-days',
      '2',
      '-out',
      `${name(what)}.crt`,
      '-extfile',
      `${name(what)}.ext`,
    ]);
    return files(dir, name(what));
  };
  return {
    ca: files(dir, name('ca')),
    server: sign('server', '/CN=127.0.0.1', 'subjectAltName=IP:127.0.0.1,DNS:localhost\nextendedKeyUsage=serverAuth\n'),
    client: sign('client', `/CN=ariadne test client ${prefix}`, 'extendedKeyUsage=clientAuth\n'),
  };
}
