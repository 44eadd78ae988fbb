import { encodeJaegerThriftBatch, type Span, spansToJaegerBatches } from '@ariadne/protocol';
import { type Env, numberFromEnv, stringFromEnv } from '../trace/env.js';
import { gzip, postWithRetries } from './http-post.js';
import { NetworkSpanExporter } from './network-span-exporter.js';
import { type RetryOptions, type RetryPolicy, retryPolicyOf } from './retry.js';
import { EXPORT_SUCCESS, type ExportResult } from './span-exporter.js';

export interface JaegerHttpExporterOptions extends RetryOptions {
  /** Default OTEL_EXPORTER_JAEGER_ENDPOINT, else http://localhost:14268/api/traces. */
  readonly url?: string;
  /** Basic auth; default OTEL_EXPORTER_JAEGER_USER / OTEL_EXPORTER_JAEGER_PASSWORD. */
  readonly user?: string;
  readonly password?: string;
  /** Jaeger's collector does not decompress by itself; gzip is for proxies and Ariadne that do. Default none. */
  readonly compression?: 'gzip' | 'none';
  readonly headers?: Readonly<Record<string, string>>;
  readonly env?: Env;
}

/**
 * Jaeger collector exporter: a binary-Thrift `Batch` per resource, POSTed to
 * `/api/traces` as `application/x-thrift`, with the retry policy every
 * Ariadne exporter shares (429 and 5xx, Retry-After, backoff with jitter).
 */
export class JaegerHttpExporter extends NetworkSpanExporter {
  readonly url: string;
  private readonly headers: Record<string, string>;
  private readonly compression: 'gzip' | 'none';
  private readonly policy: RetryPolicy;

  constructor(options: JaegerHttpExporterOptions = {}) {
    super();
    const env = options.env ?? process.env;
    this.url =
      options.url ??
      stringFromEnv(env, 'OTEL_EXPORTER_JAEGER_ENDPOINT') ??
      stringFromEnv(env, 'TRACES_EXPORTER_JAEGER_ENDPOINT') ??
      'http://localhost:14268/api/traces';
    this.compression = options.compression ?? 'none';
    const user = options.user ?? stringFromEnv(env, 'OTEL_EXPORTER_JAEGER_USER');
    const password = options.password ?? stringFromEnv(env, 'OTEL_EXPORTER_JAEGER_PASSWORD') ?? '';
    this.headers = { ...options.headers, 'content-type': 'application/x-thrift' };
    if (user !== undefined) {
      this.headers.authorization = `Basic ${Buffer.from(`${user}:${password}`).toString('base64')}`;
    }
    if (this.compression === 'gzip') this.headers['content-encoding'] = 'gzip';
    this.policy = retryPolicyOf(options, numberFromEnv(env, 'OTEL_EXPORTER_JAEGER_TIMEOUT'));
  }

  protected async send(spans: readonly Span[]): Promise<ExportResult> {
    // Usually one batch: an SDK has one resource.
    for (const batch of spansToJaegerBatches(spans)) {
      const encoded = encodeJaegerThriftBatch(batch, 'binary');
      const body = this.compression === 'gzip' ? await gzip(encoded) : encoded;
      const result = await postWithRetries({
        url: this.url,
        body,
        headers: this.headers,
        policy: this.policy,
        what: 'Jaeger',
      });
      if (result.code !== 'success') return result;
    }
    return EXPORT_SUCCESS;
  }
}
