import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Env } from '../trace/env.js';

/** The extensions each certificate gets: a CA, a server certificate for 127.0.0.1 and localhost, a client certificate. */
const OPENSSL_CONFIG = `
[req]
distinguished_name = dn
[dn]
[ca]
basicConstraints = critical, CA:TRUE
keyUsage = critical, keyCertSign
[server]
subjectAltName = IP:127.0.0.1, DNS:localhost
extendedKeyUsage = serverAuth
[client]
extendedKeyUsage = clientAuth
`;

export interface TestCertificates {
  /** Paths of PEM files, for the OTEL_EXPORTER_OTLP_* variables. */
  readonly files: { readonly ca: string; readonly clientKey: string; readonly clientCert: string };
  /** For a server that presents a certificate the CA signed and requires clients the CA signed. */
  readonly server: { readonly key: Buffer; readonly cert: Buffer; readonly ca: Buffer };
  /** Deletes the folder. */
  remove(): void;
}

/**
 * A throwaway CA, and a server and a client certificate it signed, made with
 * the openssl CLI in a temporary folder (undefined where openssl is missing).
 */
export function testCertificates(): TestCertificates | undefined {
  const dir = mkdtempSync(join(tmpdir(), 'ariadne-tls-'));
  const path = (name: string) => join(dir, name);
  const remove = () => rmSync(dir, { recursive: true, force: true });
  writeFileSync(path('openssl.cnf'), OPENSSL_CONFIG);
  const issue = (name: string, subject: string, signed: boolean) =>
    execFileSync(
      'openssl',
      ['req', '-x509', '-config', path('openssl.cnf'), '-extensions', name, '-subj', subject, '-days', '1']
        .concat(['-nodes', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:prime256v1'])
        .concat(['-keyout', path(`${name}.key`), '-out', path(`${name}.pem`)])
        .concat(signed ? ['-CA', path('ca.pem'), '-CAkey', path('ca.key')] : []),
      { stdio: 'ignore' },
    );
  try {
    issue('ca', '/CN=Ariadne test CA', false);
    issue('server', '/CN=localhost', true);
    issue('client', '/CN=Ariadne test client', true);
  } catch {
    remove();
    return undefined;
  }
  return {
    files: { ca: path('ca.pem'), clientKey: path('client.key'), clientCert: path('client.pem') },
    server: {
      key: readFileSync(path('server.key')),
      cert: readFileSync(path('server.pem')),
      ca: readFileSync(path('ca.pem')),
    },
    remove,
  };
}

/**
 * The OTEL_EXPORTER_OTLP_* variables of three clients of a server that
 * presents `server.cert` and requires mutual TLS: `trusted` has everything
 * (some in the TRACES_ spelling, and a general CERTIFICATE that is no CA, so
 * only the TRACES_ one makes the server trusted); `anonymous` has no client
 * certificate, which the server refuses; `untrusting` has no CA, so it
 * refuses the server.
 */
export function mutualTlsEnvs(certs: TestCertificates): { trusted: Env; anonymous: Env; untrusting: Env } {
  return {
    trusted: {
      OTEL_EXPORTER_OTLP_CERTIFICATE: certs.files.clientCert,
      OTEL_EXPORTER_OTLP_TRACES_CERTIFICATE: certs.files.ca,
      OTEL_EXPORTER_OTLP_CLIENT_KEY: certs.files.clientKey,
      OTEL_EXPORTER_OTLP_TRACES_CLIENT_CERTIFICATE: certs.files.clientCert,
    },
    anonymous: { OTEL_EXPORTER_OTLP_CERTIFICATE: certs.files.ca },
    untrusting: {
      OTEL_EXPORTER_OTLP_CLIENT_KEY: certs.files.clientKey,
      OTEL_EXPORTER_OTLP_CLIENT_CERTIFICATE: certs.files.clientCert,
    },
  };
}
