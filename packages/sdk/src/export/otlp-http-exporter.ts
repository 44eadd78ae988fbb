import { Agent } from 'node:https';
import { encodeOtlpTraceRequestJson, encodeOtlpTraceRequestProto, type Span } from '@ariadne/protocol';
import { type Env, stringFromEnv } from '../trace/env.js';
import { gzip, postWithRetries } from './http-post.js';
import { NetworkSpanExporter } from './network-span-exporter.js';
import {
  type OtlpTls,
  otlpCompressionFromEnv,
  otlpHeadersFromEnv,
  otlpTimeoutFromEnv,
  otlpTlsFromEnv,
} from './otlp-env.js';
import { type RetryOptions, type RetryPolicy, retryPolicyOf } from './retry.js';
import type { ExportResult } from './span-exporter.js';

/** `timeoutMillis` defaults to OTEL_EXPORTER_OTLP_(TRACES_)TIMEOUT. */
export interface OtlpHttpExporterOptions extends RetryOptions {
  /** Full URL. Default OTEL_EXPORTER_OTLP_TRACES_ENDPOINT, else OTEL_EXPORTER_OTLP_ENDPOINT + `/v1/traces`, else http://localhost:4318/v1/traces. */
  readonly url?: string;
  /** Default `protobuf` (OTEL_EXPORTER_OTLP_TRACES_PROTOCOL `http/json` selects JSON). */
  readonly encoding?: 'protobuf' | 'json';
  /** Default OTEL_EXPORTER_OTLP_(TRACES_)COMPRESSION, else none. */
  readonly compression?: 'gzip' | 'none';
  readonly headers?: Readonly<Record<string, string>>;
  /** For an `https` URL. Default OTEL_EXPORTER_OTLP_(TRACES_)CERTIFICATE, _CLIENT_KEY and _CLIENT_CERTIFICATE. */
  readonly tls?: OtlpTls;
  readonly env?: Env;
}

/**
 * OTLP/HTTP trace exporter: protobuf (default) or JSON bodies encoded by
 * `@ariadne/protocol`, optional gzip, one deadline per export, and retries
 * on network errors, 429 and 5xx with exponential backoff and full
 * jitter, waiting at least what Retry-After asks; when the wait would pass
 * the deadline, the export fails at once instead of sleeping in vain.
 */
export class OtlpHttpExporter extends NetworkSpanExporter {
  readonly url: string;
  private readonly encoding: 'protobuf' | 'json';
  private readonly compression: 'gzip' | 'none';
  private readonly headers: Record<string, string>;
  private readonly policy: RetryPolicy;
  /** Only with TLS material of its own: otherwise fetch, with the system's CAs. */
  private readonly agent: Agent | undefined;

  constructor(options: OtlpHttpExporterOptions = {}) {
    super();
    const env = options.env ?? process.env;
    const base = stringFromEnv(env, 'OTEL_EXPORTER_OTLP_ENDPOINT');
    this.url =
      options.url ??
      stringFromEnv(env, 'OTEL_EXPORTER_OTLP_TRACES_ENDPOINT') ??
      (base !== undefined ? `${base.replace(/\/+$/, '')}/v1/traces` : 'http://localhost:4318/v1/traces');
    const protocol =
      stringFromEnv(env, 'OTEL_EXPORTER_OTLP_TRACES_PROTOCOL') ?? stringFromEnv(env, 'OTEL_EXPORTER_OTLP_PROTOCOL');
    this.encoding = options.encoding ?? (protocol === 'http/json' ? 'json' : 'protobuf');
    const compression = otlpCompressionFromEnv(env);
    this.compression = options.compression ?? (compression === 'gzip' ? 'gzip' : 'none');
    this.headers = otlpHeadersFromEnv(env, options.headers);
    this.policy = retryPolicyOf(options, otlpTimeoutFromEnv(env));
    // The PEM files are read only for an endpoint that uses them.
    const tls = /^https:/i.test(this.url) ? (options.tls ?? otlpTlsFromEnv(env)) : {};
    const hasTls = tls.ca !== undefined || tls.key !== undefined || tls.cert !== undefined;
    this.agent = hasTls ? new Agent({ ...tls, keepAlive: true }) : undefined;
  }

  protected async send(spans: readonly Span[]): Promise<ExportResult> {
    const encoded =
      this.encoding === 'json' ? Buffer.from(encodeOtlpTraceRequestJson(spans)) : encodeOtlpTraceRequestProto(spans);
    const body = this.compression === 'gzip' ? await gzip(encoded) : encoded;
    const headers: Record<string, string> = {
      ...this.headers,
      'content-type': this.encoding === 'json' ? 'application/json' : 'application/x-protobuf',
    };
    if (this.compression === 'gzip') headers['content-encoding'] = 'gzip';
    return postWithRetries({ url: this.url, body, headers, policy: this.policy, what: 'OTLP', agent: this.agent });
  }

  protected override release(): void {
    this.agent?.destroy();
  }
}
