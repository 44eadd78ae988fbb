import { encodeOtlpTraceRequestJson, encodeOtlpTraceRequestProto, type Span } from '@ariadne/protocol';
import { type Env, numberFromEnv, stringFromEnv } from '../trace/env.js';
import { gzip, parseHeaderList, postWithRetries } from './http-post.js';
import { PendingExports } from './pending-exports.js';
import type { RetryPolicy } from './retry.js';
import { EXPORT_SUCCESS, type ExportResult, exportFailure, type SpanExporter } from './span-exporter.js';

export interface OtlpHttpExporterOptions {
  /** Full URL. Default OTEL_EXPORTER_OTLP_TRACES_ENDPOINT, else OTEL_EXPORTER_OTLP_ENDPOINT + `/v1/traces`, else http://localhost:4318/v1/traces. */
  readonly url?: string;
  /** Default `protobuf` (OTEL_EXPORTER_OTLP_TRACES_PROTOCOL `http/json` selects JSON). */
  readonly encoding?: 'protobuf' | 'json';
  /** Default OTEL_EXPORTER_OTLP_(TRACES_)COMPRESSION, else none. */
  readonly compression?: 'gzip' | 'none';
  readonly headers?: Readonly<Record<string, string>>;
  /** The whole export, retries included. Default OTEL_EXPORTER_OTLP_(TRACES_)TIMEOUT, else 10000 ms. */
  readonly timeoutMillis?: number;
  /** Attempts per export, the first included. Default 5. */
  readonly maxAttempts?: number;
  /** First backoff ceiling; doubles per retry up to `maxBackoffMillis`. Defaults 1000 and 5000 ms. */
  readonly initialBackoffMillis?: number;
  readonly maxBackoffMillis?: number;
  readonly env?: Env;
}

/**
 * OTLP/HTTP trace exporter: protobuf (default) or JSON bodies encoded by
 * `@ariadne/protocol`, optional gzip, one deadline per export, and retries
 * on network errors, 429 and 5xx with exponential backoff and full
 * jitter, waiting at least what Retry-After asks; when the wait would pass
 * the deadline, the export fails at once instead of sleeping in vain.
 */
export class OtlpHttpExporter implements SpanExporter {
  readonly url: string;
  private readonly encoding: 'protobuf' | 'json';
  private readonly compression: 'gzip' | 'none';
  private readonly headers: Record<string, string>;
  private readonly policy: RetryPolicy;
  private readonly pending = new PendingExports();
  private stopped = false;

  constructor(options: OtlpHttpExporterOptions = {}) {
    const env = options.env ?? process.env;
    const base = stringFromEnv(env, 'OTEL_EXPORTER_OTLP_ENDPOINT');
    this.url =
      options.url ??
      stringFromEnv(env, 'OTEL_EXPORTER_OTLP_TRACES_ENDPOINT') ??
      (base !== undefined ? `${base.replace(/\/+$/, '')}/v1/traces` : 'http://localhost:4318/v1/traces');
    const protocol =
      stringFromEnv(env, 'OTEL_EXPORTER_OTLP_TRACES_PROTOCOL') ?? stringFromEnv(env, 'OTEL_EXPORTER_OTLP_PROTOCOL');
    this.encoding = options.encoding ?? (protocol === 'http/json' ? 'json' : 'protobuf');
    const compression =
      stringFromEnv(env, 'OTEL_EXPORTER_OTLP_TRACES_COMPRESSION') ??
      stringFromEnv(env, 'OTEL_EXPORTER_OTLP_COMPRESSION');
    this.compression = options.compression ?? (compression === 'gzip' ? 'gzip' : 'none');
    this.headers = {
      ...parseHeaderList(stringFromEnv(env, 'OTEL_EXPORTER_OTLP_HEADERS')),
      ...parseHeaderList(stringFromEnv(env, 'OTEL_EXPORTER_OTLP_TRACES_HEADERS')),
      ...options.headers,
    };
    this.policy = {
      timeoutMillis:
        options.timeoutMillis ??
        numberFromEnv(env, 'OTEL_EXPORTER_OTLP_TRACES_TIMEOUT') ??
        numberFromEnv(env, 'OTEL_EXPORTER_OTLP_TIMEOUT') ??
        10_000,
      maxAttempts: Math.max(1, options.maxAttempts ?? 5),
      initialBackoffMillis: options.initialBackoffMillis ?? 1000,
      maxBackoffMillis: options.maxBackoffMillis ?? 5000,
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
    const encoded =
      this.encoding === 'json' ? Buffer.from(encodeOtlpTraceRequestJson(spans)) : encodeOtlpTraceRequestProto(spans);
    const body = this.compression === 'gzip' ? await gzip(encoded) : encoded;
    const headers: Record<string, string> = {
      ...this.headers,
      'content-type': this.encoding === 'json' ? 'application/json' : 'application/x-protobuf',
    };
    if (this.compression === 'gzip') headers['content-encoding'] = 'gzip';
    return postWithRetries({ url: this.url, body, headers, policy: this.policy, what: 'OTLP' });
  }
}
