import { X509Certificate } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { createSecureContext } from 'node:tls';
import { AriadneError } from '@ariadne/protocol';

/** `--tls-cert`, `--tls-key` and `--tls-client-ca`: files, re-read on reload. */
export interface TlsFiles {
  /** PEM certificate chain, the server's certificate first. */
  readonly certFile: string;
  /** PEM private key of that certificate. */
  readonly keyFile: string;
  /** PEM CA certificates that sign client certificates; set, the receivers require one (mutual TLS). */
  readonly clientCaFile?: string;
}

/** What the files held when last read. */
export interface TlsMaterial {
  readonly cert: Buffer;
  readonly key: Buffer;
  readonly clientCa?: Buffer;
}

/**
 * The server's certificates, shared by every listener. `reload()` re-reads
 * the files and hands the new material to every listener that subscribed
 * (HTTPS servers set a new secure context, gRPC's certificate provider
 * updates its credentials): new connections get the new certificates, open
 * ones keep theirs and are not dropped.
 */
export class ServerTls {
  private material: TlsMaterial;
  private readonly subscribers = new Set<(material: TlsMaterial) => void>();

  /** Reads and checks the files now; a wrong one stops the server from starting. */
  constructor(readonly files: TlsFiles) {
    this.material = readTlsMaterial(files);
  }

  get current(): TlsMaterial {
    return this.material;
  }

  get mutual(): boolean {
    return this.files.clientCaFile !== undefined;
  }

  /** Calls `listener` on every reload; returns the unsubscribe. */
  subscribe(listener: (material: TlsMaterial) => void): () => void {
    this.subscribers.add(listener);
    return () => this.subscribers.delete(listener);
  }

  /**
   * Re-reads the files. Files that are now wrong (a key that does not match
   * the certificate, half-written PEM) are refused and the certificates in
   * force stay; the error says which file.
   */
  reload(): TlsMaterial {
    const material = readTlsMaterial(this.files);
    this.material = material;
    for (const listener of this.subscribers) listener(material);
    return material;
  }
}

function readFile(flag: string, file: string): Buffer {
  try {
    return readFileSync(file);
  } catch (error) {
    throw new AriadneError('InvalidQuery', `${flag}: cannot read ${JSON.stringify(file)}: ${(error as Error).message}`);
  }
}

/** Reads the files and checks them the way a listener would load them (key matches certificate, PEM parses). */
export function readTlsMaterial(files: TlsFiles): TlsMaterial {
  const cert = readFile('--tls-cert', files.certFile);
  const key = readFile('--tls-key', files.keyFile);
  const clientCa = files.clientCaFile === undefined ? undefined : readFile('--tls-client-ca', files.clientCaFile);
  try {
    createSecureContext({ cert, key, ...(clientCa ? { ca: clientCa } : {}) });
    // A secure context skips a CA file without a certificate in it; then every client would be refused.
    if (clientCa) new X509Certificate(clientCa);
  } catch (error) {
    const names = [files.certFile, files.keyFile, ...(files.clientCaFile ? [files.clientCaFile] : [])];
    throw new AriadneError(
      'InvalidQuery',
      `TLS files ${names.map((name) => JSON.stringify(name)).join(', ')} cannot be used: ${(error as Error).message}`,
    );
  }
  return { cert, key, ...(clientCa ? { clientCa } : {}) };
}
