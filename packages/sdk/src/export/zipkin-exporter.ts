import { encodeZipkinV2Json, type Span } from '@ariadne/protocol';
import { type Env, numberFromEnv, stringFromEnv } from '../trace/env.js';
import { gzip, postWithRetries } from './http-post.js';
import { PendingExports } from './pending-exports.js';
import { DEFAULT_RETRY_POLICY, type RetryPolicy } from './retry.js';
import { EXPORT_SUCCESS, type ExportResult, exportFailure, type SpanExporter } from './span-exporter.js';

export interface ZipkinExporterOptions {
  /** Default OTEL_EXPORTER_ZIPKIN_ENDPOINT, else http://localhost:9411/api/v2/spans. */
  readonly url?: string;
  /** Zipkin's server accepts `Content-Encoding: gzip` on POST /api/v2/spans. Default none. */
  readonly compression?: 'gzip' | 'none';
  readonly headers?: Readonly<Record<string, string>>;
  /** The whole export, retries included. Default OTEL_EXPORTER_ZIPKIN_TIMEOUT, else 10000 ms. */
  readonly timeoutMillis?: number;
  readonly maxAttempts?: number;
  readonly initialBackoffMillis?: number;
  readonly maxBackoffMillis?: number;
  readonly env?: Env;
}

/**
 * Zipkin v2 JSON exporter (POST /api/v2/spans), encoded by `@ariadne/protocol`,
 * with the retry policy every Ariadne exporter shares.
 */
export class ZipkinExporter implements SpanExporter {
  readonly url: string;
  private readonly headers: Record<string, string>;
  private readonly compression: 'gzip' | 'none';
  private readonly policy: RetryPolicy;
  private readonly pending = new PendingExports();
  private stopped = false;

  constructor(options: ZipkinExporterOptions = {}) {
    const env = options.env ?? process.env;
    this.url =
      options.url ?? stringFromEnv(env, 'OTEL_EXPORTER_ZIPKIN_ENDPOINT') ?? 'http://localhost:9411/api/v2/spans';
    this.compression = options.compression ?? 'none';
    this.headers = { ...options.headers, 'content-type': 'application/json' };
    if (this.compression === 'gzip') this.headers['content-encoding'] = 'gzip';
    this.policy = {
      ...DEFAULT_RETRY_POLICY,
      timeoutMillis: options.timeoutMillis ?? numberFromEnv(env, 'OTEL_EXPORTER_ZIPKIN_TIMEOUT') ?? 10_000,
      ...(options.maxAttempts !== undefined ? { maxAttempts: options.maxAttempts } : {}),
      ...(options.initialBackoffMillis !== undefined ? { initialBackoffMillis: options.initialBackoffMillis } : {}),
      ...(options.maxBackoffMillis !== undefined ? { maxBackoffMillis: options.maxBackoffMillis } : {}),
    };
  }

  export(spans: readonly Span[]): Promise<ExportResult> {
    if (this.stopped) return Promise.resolve(exportFailure(new Error('exporter is shut down')));
    if (spans.length === 0) return Promise.resolve(EXPORT_SUCCESS);
    return this.pending.track(this.send(spans).catch((error: unknown) => exportFailure(error)));
  }

  forceFlush(): Promise<void> {
    return this.pending.settle();
  }

  async shutdown(): Promise<void> {
    this.stopped = true;
    await this.pending.settle();
  }

  private async send(spans: readonly Span[]): Promise<ExportResult> {
    const encoded = Buffer.from(encodeZipkinV2Json(spans));
    const body = this.compression === 'gzip' ? await gzip(encoded) : encoded;
    return postWithRetries({ url: this.url, body, headers: this.headers, policy: this.policy, what: 'Zipkin' });
  }
}
