import { readFileSync } from 'node:fs';
import { diag } from '@opentelemetry/api';
import { type Env, numberFromEnv, stringFromEnv } from '../trace/env.js';
import { parseHeaderList } from './http-post.js';

// The OTLP exporter variables both OTLP exporters (HTTP and gRPC) read: the
// per-signal TRACES_ variable wins over the general one, as the spec says.

export function otlpTimeoutFromEnv(env: Env): number | undefined {
  return numberFromEnv(env, 'OTEL_EXPORTER_OTLP_TRACES_TIMEOUT') ?? numberFromEnv(env, 'OTEL_EXPORTER_OTLP_TIMEOUT');
}

export function otlpCompressionFromEnv(env: Env): string | undefined {
  return (
    stringFromEnv(env, 'OTEL_EXPORTER_OTLP_TRACES_COMPRESSION') ?? stringFromEnv(env, 'OTEL_EXPORTER_OTLP_COMPRESSION')
  );
}

/** Both header lists, the per-signal one overriding, then `extra` (the exporter's options) over both. */
export function otlpHeadersFromEnv(env: Env, extra?: Readonly<Record<string, string>>): Record<string, string> {
  return {
    ...parseHeaderList(stringFromEnv(env, 'OTEL_EXPORTER_OTLP_HEADERS')),
    ...parseHeaderList(stringFromEnv(env, 'OTEL_EXPORTER_OTLP_TRACES_HEADERS')),
    ...extra,
  };
}

/** PEM texts for a TLS connection (`https://` endpoints only). */
export interface OtlpTls {
  /** The certificate authorities trusted to sign the server's certificate, instead of the system's. */
  readonly ca?: Buffer;
  /** The client's private key and certificate (chain), for servers that require mutual TLS; both or neither. */
  readonly key?: Buffer;
  readonly cert?: Buffer;
}

/**
 * OTEL_EXPORTER_OTLP_(TRACES_)CERTIFICATE, _CLIENT_KEY and
 * _CLIENT_CERTIFICATE: paths of PEM files, read once. A file that cannot be
 * read, or a client key without its certificate (or the reverse), is
 * reported and left out: the exporter still starts, and the server then
 * says whether it accepts the connection.
 */
export function otlpTlsFromEnv(env: Env): OtlpTls {
  const ca = pemFromEnv(env, 'CERTIFICATE');
  const key = pemFromEnv(env, 'CLIENT_KEY');
  const cert = pemFromEnv(env, 'CLIENT_CERTIFICATE');
  if ((key === undefined) !== (cert === undefined)) {
    diag.warn('OTEL_EXPORTER_OTLP_CLIENT_KEY and _CLIENT_CERTIFICATE go together; the one given is ignored');
    return { ca };
  }
  return { ca, key, cert };
}

function pemFromEnv(env: Env, name: string): Buffer | undefined {
  const path =
    stringFromEnv(env, `OTEL_EXPORTER_OTLP_TRACES_${name}`) ?? stringFromEnv(env, `OTEL_EXPORTER_OTLP_${name}`);
  if (path === undefined) return undefined;
  try {
    return readFileSync(path);
  } catch (error) {
    diag.warn(`cannot read the OTLP exporter's ${name.toLowerCase().replace('_', ' ')} file ${path}`, error);
    return undefined;
  }
}
