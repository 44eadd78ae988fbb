import { encodeZipkinV2Json, type Span } from '@ariadne/protocol';
import { type Env, numberFromEnv, stringFromEnv } from '../trace/env.js';
import { gzip, postWithRetries } from './http-post.js';
import { NetworkSpanExporter } from './network-span-exporter.js';
import { type RetryOptions, type RetryPolicy, retryPolicyOf } from './retry.js';
import type { ExportResult } from './span-exporter.js';

export interface ZipkinExporterOptions extends RetryOptions {
  /** Default OTEL_EXPORTER_ZIPKIN_ENDPOINT, else http://localhost:9411/api/v2/spans. */
  readonly url?: string;
  /** Zipkin's server accepts `Content-Encoding: gzip` on POST /api/v2/spans. Default none. */
  readonly compression?: 'gzip' | 'none';
  readonly headers?: Readonly<Record<string, string>>;
  readonly env?: Env;
}

/**
 * Zipkin v2 JSON exporter (POST /api/v2/spans), encoded by `@ariadne/protocol`,
 * with the retry policy every Ariadne exporter shares.
 */
export class ZipkinExporter extends NetworkSpanExporter {
  readonly url: string;
  private readonly headers: Record<string, string>;
  private readonly compression: 'gzip' | 'none';
  private readonly policy: RetryPolicy;

  constructor(options: ZipkinExporterOptions = {}) {
    super();
    const env = options.env ?? process.env;
    this.url =
      options.url ?? stringFromEnv(env, 'OTEL_EXPORTER_ZIPKIN_ENDPOINT') ?? 'http://localhost:9411/api/v2/spans';
    this.compression = options.compression ?? 'none';
    this.headers = { ...options.headers, 'content-type': 'application/json' };
    if (this.compression === 'gzip') this.headers['content-encoding'] = 'gzip';
    this.policy = retryPolicyOf(options, numberFromEnv(env, 'OTEL_EXPORTER_ZIPKIN_TIMEOUT'));
  }

  protected async send(spans: readonly Span[]): Promise<ExportResult> {
    const encoded = Buffer.from(encodeZipkinV2Json(spans));
    const body = this.compression === 'gzip' ? await gzip(encoded) : encoded;
    return postWithRetries({ url: this.url, body, headers: this.headers, policy: this.policy, what: 'Zipkin' });
  }
}
