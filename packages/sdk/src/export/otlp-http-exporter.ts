import { promisify } from 'node:util';
import { gzip as gzipCallback } from 'node:zlib';
import { encodeOtlpTraceRequestJson, encodeOtlpTraceRequestProto, type Span } from '@ariadne/protocol';
import { context } from '@opentelemetry/api';
import { type Env, numberFromEnv, stringFromEnv } from '../trace/env.js';
import { EXPORT_SUCCESS, type ExportResult, exportFailure, type SpanExporter } from './span-exporter.js';

const gzip = promisify(gzipCallback);
/** The statuses OTLP/HTTP says a client should retry (specification, "Retryable Response Codes"). */
const RETRYABLE = new Set([429, 502, 503, 504]);
/** OpenTelemetry's suppressTracing() key: instrumented HTTP clients must not trace the exporter's own requests. */
const SUPPRESS_TRACING_KEY = Symbol.for('OpenTelemetry SDK Context Key SUPPRESS_TRACING');

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

function parseHeaders(raw: string | undefined): Record<string, string> {
  const out: Record<string, string> = {};
  for (const pair of raw?.split(',') ?? []) {
    const eq = pair.indexOf('=');
    if (eq <= 0) continue;
    try {
      out[decodeURIComponent(pair.slice(0, eq).trim())] = decodeURIComponent(pair.slice(eq + 1).trim());
    } catch {
      // A malformed pair is left out; the rest still apply.
    }
  }
  return out;
}

/** Retry-After in milliseconds: delay-seconds or an HTTP date; `undefined` when absent or unreadable. */
export function retryAfterMillis(value: string | null, now = Date.now()): number | undefined {
  if (value === null || value.trim() === '') return undefined;
  const trimmed = value.trim();
  if (/^\d+$/.test(trimmed)) return Number(trimmed) * 1000;
  const date = Date.parse(trimmed);
  return Number.isNaN(date) ? undefined : Math.max(0, date - now);
}

/**
 * OTLP/HTTP trace exporter: protobuf (default) or JSON bodies encoded by
 * `@ariadne/protocol`, optional gzip, one deadline per export, and retries
 * on network errors and 429/502/503/504 with exponential backoff and full
 * jitter, waiting at least what Retry-After asks; when the wait would pass
 * the deadline, the export fails at once instead of sleeping in vain.
 */
export class OtlpHttpExporter implements SpanExporter {
  readonly url: string;
  private readonly encoding: 'protobuf' | 'json';
  private readonly compression: 'gzip' | 'none';
  private readonly headers: Record<string, string>;
  private readonly timeout: number;
  private readonly maxAttempts: number;
  private readonly initialBackoff: number;
  private readonly maxBackoff: number;
  private readonly inFlight = new Set<Promise<ExportResult>>();
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
      ...parseHeaders(stringFromEnv(env, 'OTEL_EXPORTER_OTLP_HEADERS')),
      ...parseHeaders(stringFromEnv(env, 'OTEL_EXPORTER_OTLP_TRACES_HEADERS')),
      ...options.headers,
    };
    this.timeout =
      options.timeoutMillis ??
      numberFromEnv(env, 'OTEL_EXPORTER_OTLP_TRACES_TIMEOUT') ??
      numberFromEnv(env, 'OTEL_EXPORTER_OTLP_TIMEOUT') ??
      10_000;
    this.maxAttempts = Math.max(1, options.maxAttempts ?? 5);
    this.initialBackoff = options.initialBackoffMillis ?? 1000;
    this.maxBackoff = options.maxBackoffMillis ?? 5000;
  }

  export(spans: readonly Span[]): Promise<ExportResult> {
    if (this.stopped) return Promise.resolve(exportFailure(new Error('exporter is shut down')));
    if (spans.length === 0) return Promise.resolve(EXPORT_SUCCESS);
    const done = this.send(spans).catch((error: unknown) => exportFailure(error));
    this.inFlight.add(done);
    done.finally(() => this.inFlight.delete(done));
    return done;
  }

  async forceFlush(): Promise<void> {
    await Promise.all(this.inFlight);
  }

  async shutdown(): Promise<void> {
    this.stopped = true;
    await this.forceFlush();
  }

  private async send(spans: readonly Span[]): Promise<ExportResult> {
    const deadline = Date.now() + this.timeout;
    const encoded =
      this.encoding === 'json' ? Buffer.from(encodeOtlpTraceRequestJson(spans)) : encodeOtlpTraceRequestProto(spans);
    const body = this.compression === 'gzip' ? await gzip(encoded) : encoded;
    const headers: Record<string, string> = {
      ...this.headers,
      'content-type': this.encoding === 'json' ? 'application/json' : 'application/x-protobuf',
    };
    if (this.compression === 'gzip') headers['content-encoding'] = 'gzip';
    let lastError: Error = new Error('no attempt made');
    for (let attempt = 0; attempt < this.maxAttempts; attempt++) {
      const remaining = deadline - Date.now();
      if (remaining <= 0) break;
      let retryAfter: number | undefined;
      try {
        const response = await context.with(context.active().setValue(SUPPRESS_TRACING_KEY, true), () =>
          fetch(this.url, { method: 'POST', headers, body, signal: AbortSignal.timeout(remaining) }),
        );
        // The body is read (and dropped) so the connection can be reused.
        const text = await response.text();
        if (response.ok) return EXPORT_SUCCESS;
        lastError = new Error(`OTLP export got HTTP ${response.status}: ${text.slice(0, 200)}`);
        if (!RETRYABLE.has(response.status)) return exportFailure(lastError);
        retryAfter = retryAfterMillis(response.headers.get('retry-after'));
      } catch (error) {
        lastError = error instanceof Error ? error : new Error(String(error));
      }
      if (attempt + 1 >= this.maxAttempts) break;
      const ceiling = Math.min(this.maxBackoff, this.initialBackoff * 2 ** attempt);
      const wait = Math.max(retryAfter ?? 0, Math.random() * ceiling);
      if (Date.now() + wait >= deadline) break;
      await new Promise((resolve) => setTimeout(resolve, wait));
    }
    return exportFailure(lastError);
  }
}
