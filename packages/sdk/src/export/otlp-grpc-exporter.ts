import { encodeOtlpTraceRequestProto, type Span } from '@ariadne/protocol';
import { type CallOptions, Client, credentials, Metadata, type ServiceError, status } from '@grpc/grpc-js';
import { context } from '@opentelemetry/api';
import { type Env, stringFromEnv } from '../trace/env.js';
import { grpcRetryDelayMillis } from './grpc-retry-info.js';
import { SUPPRESS_TRACING_KEY } from './http-post.js';
import { NetworkSpanExporter } from './network-span-exporter.js';
import {
  type OtlpTls,
  otlpCompressionFromEnv,
  otlpHeadersFromEnv,
  otlpTimeoutFromEnv,
  otlpTlsFromEnv,
} from './otlp-env.js';
import { type AttemptOutcome, type RetryOptions, type RetryPolicy, retryPolicyOf, runWithRetries } from './retry.js';
import type { ExportResult } from './span-exporter.js';

const EXPORT_METHOD = '/opentelemetry.proto.collector.trace.v1.TraceService/Export';
/** grpc-js's number for gzip in `grpc.default_compression_algorithm`. */
const GZIP = 2;

/**
 * The codes OTLP/gRPC says are worth retrying ("Failures" in the OTLP
 * specification). RESOURCE_EXHAUSTED only when the server sent RetryInfo,
 * which says it will recover.
 */
const RETRYABLE = new Set<number>([
  status.CANCELLED,
  status.DEADLINE_EXCEEDED,
  status.ABORTED,
  status.OUT_OF_RANGE,
  status.UNAVAILABLE,
  status.DATA_LOSS,
]);

/** `timeoutMillis` defaults to OTEL_EXPORTER_OTLP_(TRACES_)TIMEOUT. */
export interface OtlpGrpcExporterOptions extends RetryOptions {
  /** `http://host:port` (plaintext) or `https://host:port` (TLS). Default OTEL_EXPORTER_OTLP_TRACES_ENDPOINT, else OTEL_EXPORTER_OTLP_ENDPOINT, else http://localhost:4317. */
  readonly url?: string;
  /** Default OTEL_EXPORTER_OTLP_(TRACES_)COMPRESSION, else none. */
  readonly compression?: 'gzip' | 'none';
  /** Sent as gRPC metadata. */
  readonly headers?: Readonly<Record<string, string>>;
  /** For an `https` URL. Default OTEL_EXPORTER_OTLP_(TRACES_)CERTIFICATE, _CLIENT_KEY and _CLIENT_CERTIFICATE. */
  readonly tls?: OtlpTls;
  readonly env?: Env;
}

/**
 * OTLP/gRPC trace exporter on `@grpc/grpc-js`, with the request encoded by
 * `@ariadne/protocol` (no protobuf runtime or generated code): unary
 * `TraceService/Export`, optional gzip, and the retry policy shared by every
 * Ariadne exporter, honouring the server's `google.rpc.RetryInfo`.
 */
export class OtlpGrpcExporter extends NetworkSpanExporter {
  readonly url: string;
  private readonly client: Client;
  private readonly metadata: Metadata;
  private readonly policy: RetryPolicy;

  constructor(options: OtlpGrpcExporterOptions = {}) {
    super();
    const env = options.env ?? process.env;
    this.url =
      options.url ??
      stringFromEnv(env, 'OTEL_EXPORTER_OTLP_TRACES_ENDPOINT') ??
      stringFromEnv(env, 'OTEL_EXPORTER_OTLP_ENDPOINT') ??
      'http://localhost:4317';
    const compression = options.compression ?? otlpCompressionFromEnv(env);
    const { address, secure } = grpcAddress(this.url);
    // The PEM files are read only for an endpoint that uses them.
    const tls = secure ? (options.tls ?? otlpTlsFromEnv(env)) : undefined;
    const channel = tls ? credentials.createSsl(tls.ca, tls.key, tls.cert) : credentials.createInsecure();
    this.client = new Client(address, channel, {
      ...(compression === 'gzip' ? { 'grpc.default_compression_algorithm': GZIP } : {}),
    });
    this.metadata = new Metadata();
    const headers = otlpHeadersFromEnv(env, options.headers);
    for (const [key, value] of Object.entries(headers)) this.metadata.set(key.toLowerCase(), value);
    this.policy = retryPolicyOf(options, otlpTimeoutFromEnv(env));
  }

  protected send(spans: readonly Span[]): Promise<ExportResult> {
    const body = Buffer.from(encodeOtlpTraceRequestProto(spans));
    return runWithRetries(this.policy, (remaining) => this.call(body, remaining));
  }

  protected override release(): void {
    this.client.close();
  }

  private call(body: Buffer, remainingMillis: number): Promise<AttemptOutcome> {
    const options: CallOptions = { deadline: new Date(Date.now() + remainingMillis) };
    return new Promise((resolve) => {
      context.with(context.active().setValue(SUPPRESS_TRACING_KEY, true), () => {
        this.client.makeUnaryRequest(
          EXPORT_METHOD,
          (request: Buffer) => request,
          // The response (possibly a partial success) is not needed: rejected spans are not retried.
          (response: Buffer) => response,
          body,
          this.metadata.clone(),
          options,
          (error: ServiceError | null) => {
            if (error === null) return resolve({ ok: true });
            const delay = grpcRetryDelayMillis(error.metadata?.get('grpc-status-details-bin')[0] as Buffer | undefined);
            const retryable =
              RETRYABLE.has(error.code) || (error.code === status.RESOURCE_EXHAUSTED && delay !== undefined);
            resolve({
              ok: false,
              retryable,
              error: new Error(`OTLP/gRPC export failed: ${status[error.code]} ${error.details}`),
              retryAfterMillis: delay,
            });
          },
        );
      });
    });
  }
}

/** grpc-js wants `host:port`; the scheme only says whether to use TLS. */
function grpcAddress(url: string): { address: string; secure: boolean } {
  const match = /^(https?):\/\/([^/]+)/i.exec(url);
  if (match === null) return { address: url, secure: false };
  const secure = match[1]?.toLowerCase() === 'https';
  const host = match[2] as string;
  return { address: /:\d+$/.test(host) ? host : `${host}:${secure ? 443 : 80}`, secure };
}
